#!/usr/bin/env bash
# Installs everything letan needs, step by step; safe to rerun and quick when nothing changed.
#   apt packages -> .venv (letan, Python 3) -> .venv-rasa (Rasa 3.6, Python 3.10)
set -euo pipefail
cd "$(dirname "$0")/.."

# postgresql-client: pg_dump and pg_restore for letan backup|restore
APT_PACKAGES=(espeak-ng libespeak-ng1 libgl1 libegl1 libmtdev1 libportaudio2 sox chromium fonts-dejavu-core nginx
              postgresql-client)
step() { printf '\n==> [setup] %s\n' "$*"; }
fail() { printf '\n[setup] FAILED at step "%s": %s\n' "$CURRENT_STEP" "$*" >&2; exit 1; }
trap 'fail "command failed (line $LINENO)"' ERR

fingerprint() { cat "$@" | sha256sum | cut -d" " -f1; }

CURRENT_STEP="apt packages"
missing=()
for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    step "installing apt packages: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        fail "these Debian packages are missing; install them with: sudo apt-get install ${missing[*]}"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    step "apt packages present"
fi

CURRENT_STEP=".venv (letan)"
stamp=$(fingerprint requirements.lock pyproject.toml)
if [ "$(cat .venv/.letan-stamp 2>/dev/null)" != "$stamp" ]; then
    step "creating .venv with $(python3 --version) and the pinned set in requirements.lock"
    [ -x .venv/bin/python ] || python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip setuptools wheel
    .venv/bin/python -m pip install --progress-bar on -r requirements.lock
    .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
    echo "$stamp" > .venv/.letan-stamp
else
    step ".venv up to date"
fi

CURRENT_STEP="finding Python 3.10 for Rasa"
find_python310() {
    local candidate
    if candidate=$(command -v python3.10) && "$candidate" -c "import sys" >/dev/null 2>&1; then
        echo "$candidate"; return
    fi
    if command -v pyenv >/dev/null 2>&1; then
        local version
        version=$(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -V | tail -n 1 || true)
        if [ -n "$version" ] && [ -x "$(pyenv root)/versions/$version/bin/python3.10" ]; then
            echo "$(pyenv root)/versions/$version/bin/python3.10"; return
        fi
    fi
    # pyenv installed but not on PATH (a non-interactive shell): look in its default root.
    for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10*/bin/python3.10; do
        if [ -x "$candidate" ]; then echo "$candidate"; return; fi
    done
    if command -v uv >/dev/null 2>&1 && candidate=$(uv python find 3.10 2>/dev/null); then
        echo "$candidate"; return
    fi
    return 1
}
python310=$(find_python310) || fail "Rasa 3.6 needs Python 3.10 and none was found.
  Install one of: 'pyenv install 3.10', 'uv python install 3.10', or your system's python3.10 package
  (on Debian/Ubuntu: sudo apt-get install python3.10 python3.10-venv), then rerun 'make setup'."

CURRENT_STEP=".venv-rasa (Rasa 3.6)"
stamp=$(fingerprint nlu/requirements-rasa.lock pyproject.toml)
if [ "$(cat .venv-rasa/.letan-stamp 2>/dev/null)" != "$stamp" ]; then
    step "creating .venv-rasa with $python310 and nlu/requirements-rasa.lock (about 3 minutes, 2.7 GB)"
    [ -x .venv-rasa/bin/python ] || "$python310" -m venv .venv-rasa
    .venv-rasa/bin/python -m pip install --quiet --upgrade pip setuptools wheel
    .venv-rasa/bin/python -m pip install --progress-bar on -r nlu/requirements-rasa.lock
    # The pure-Python packages (vntext, contract) are shared with the actions; no other dependency.
    .venv-rasa/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
    echo "$stamp" > .venv-rasa/.letan-stamp
else
    step ".venv-rasa up to date"
fi

mkdir -p -m 0700 var && chmod 0700 var  # the database, keys and tokens live there
step "done"
