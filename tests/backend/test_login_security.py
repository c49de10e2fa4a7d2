"""Logins under attack: the lock-out by name AND source, exact under concurrency, the password check
outside every lock, the per-address rate limit, revocable staff tokens, and the commands and page
that manage accounts (both databases)."""

from __future__ import annotations

import re
import sqlite3
import stat
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from backend.app import create_app
from backend.db import create_db_engine, create_session_factory
from backend.models import AuditEntry, LoginFailures, StaffUser
from backend.services import staff_users
from tests.support.assertions import assert_error
from tests.support.backend import LETAN, REPO, backend_env

API = "/api/v1"
PASSWORD = "mat-khau-an-toan-1"


@pytest.fixture
def user(database):
    name = "quantri-2"
    with database.factory() as session:
        staff_users.add_user(session, name, "admin", PASSWORD, datetime.now(timezone.utc))
        session.commit()
    return name


@pytest.fixture
def proxied(settings, clock):
    """The app behind uvicorn's proxy-header handling, as `letan serve` runs it behind nginx:
    a request's address is what `X-Forwarded-For` says."""
    settings.login_attempts_per_minute = 1000
    with TestClient(ProxyHeadersMiddleware(create_app(settings, clock=clock), trusted_hosts="*")) as client:
        yield client


def log_in(client, username, password, address="10.0.0.1"):
    return client.post(
        f"{API}/auth/token",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
    )


def test_a_strangers_guesses_lock_the_name_only_for_the_stranger(proxied, user, clock):
    stranger = "203.0.113.9"
    for _ in range(staff_users.LOCKOUT_FAILURES - 1):
        left = assert_error(log_in(proxied, user, "doan-mo", stranger), 401, "invalid_credentials")
    assert left["attempts_left"] == 1
    assert_error(log_in(proxied, user, "doan-mo", stranger), 429, "account_locked")
    assert "phút" in assert_error(log_in(proxied, user, PASSWORD, stranger), 429, "account_locked")["detail"]
    # The admin at the office is not locked out by a stranger.
    assert log_in(proxied, user, PASSWORD, "10.0.0.7").status_code == 200
    # Once the window has passed the stranger may try again (and fail as before).
    clock.set(clock.now() + timedelta(minutes=staff_users.LOCKOUT_MINUTES + 1))
    assert_error(log_in(proxied, user, "doan-mo", stranger), 401, "invalid_credentials")


def test_a_right_password_starts_the_count_again_for_that_source(proxied, user):
    for _ in range(staff_users.LOCKOUT_FAILURES - 1):
        assert_error(log_in(proxied, user, "doan-mo"), 401)
    assert log_in(proxied, user, PASSWORD).status_code == 200
    assert (
        assert_error(log_in(proxied, user, "doan-mo"), 401)["attempts_left"]
        == staff_users.LOCKOUT_FAILURES - 1
    )


def test_concurrent_guesses_get_exactly_the_limit_of_password_checks(proxied, user, database, monkeypatch):
    checks = Counter()
    real_check = staff_users._password_matches

    def counted(found, password):
        checks["argon2"] += 1
        return real_check(found, password)

    monkeypatch.setattr(staff_users, "_password_matches", counted)
    with ThreadPoolExecutor(30) as pool:
        statuses = Counter(pool.map(lambda _i: log_in(proxied, user, "doan-mo").status_code, range(30)))
    assert checks["argon2"] == staff_users.LOCKOUT_FAILURES
    assert statuses == {401: staff_users.LOCKOUT_FAILURES - 1, 429: 30 - staff_users.LOCKOUT_FAILURES + 1}
    with database.factory() as session:
        failed = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "staff.login_failed")
        )
    assert failed == staff_users.LOCKOUT_FAILURES


def test_the_password_check_holds_no_connection_and_no_write_lock(client, user, database, monkeypatch):
    """argon2 takes ~100 ms on purpose: no guess, not even for an unknown name, may hold SQLite's write
    lock (every ticket would wait) or a pooled connection (a burst would empty the pool) meanwhile."""
    from argon2 import PasswordHasher

    engine = client.app.state.engine
    seen: list[tuple[int, bool]] = []

    def free_to_write() -> bool:
        if database.kind != "sqlite":
            return True
        other = sqlite3.connect(make_url(database.url).database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()

    def watching(method):
        def wrapper(self, *args, **kwargs):
            seen.append((engine.pool.checkedout(), free_to_write()))
            return method(self, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(PasswordHasher, "verify", watching(PasswordHasher.verify))
    monkeypatch.setattr(PasswordHasher, "hash", watching(PasswordHasher.hash))
    for name, password in ((user, "doan-mo"), ("khong-co-ai", "doan-mo"), (user, PASSWORD)):
        client.post(f"{API}/auth/token", json={"username": name, "password": password})
    assert seen == [(0, True)] * 3


def test_too_many_logins_from_one_address_are_refused_before_any_check(settings, clock, user, monkeypatch):
    checks = Counter()
    monkeypatch.setattr(
        staff_users, "_password_matches", lambda found, pw: checks.update(["argon2"]) or False
    )
    app = ProxyHeadersMiddleware(create_app(settings, clock=clock), trusted_hosts="*")
    with TestClient(app) as client:
        for index in range(settings.login_attempts_per_minute):
            assert log_in(client, f"ten-{index}", "x", "198.51.100.4").status_code == 401
        error = assert_error(log_in(client, user, PASSWORD, "198.51.100.4"), 429, "too_many_logins")
        assert "một phút" in error["detail"]
        # The staff login page counts in the same limit.
        page = client.get("/staff/login", headers={"X-Forwarded-For": "198.51.100.4"})
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        form = client.post(
            "/staff/login",
            data={"username": user, "password": PASSWORD, "csrf_token": token},
            headers={"X-Forwarded-For": "198.51.100.4"},
            follow_redirects=False,
        )
        assert form.status_code == 429 and "một phút" in form.text
        assert checks["argon2"] == settings.login_attempts_per_minute
        monkeypatch.undo()
        assert log_in(client, user, PASSWORD, "198.51.100.5").status_code == 200  # another address
        clock.set(clock.now() + timedelta(minutes=1, seconds=1))
        assert log_in(client, user, PASSWORD, "198.51.100.4").status_code == 200


def test_staff_tokens_end_on_logout_disable_and_password_reset(client, user, database):
    def token(password=PASSWORD):
        response = client.post(f"{API}/auth/token", json={"username": user, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def change(action):
        with database.factory() as session:
            action(session)
            session.commit()

    first, second = token(), token()
    assert client.get(f"{API}/handoffs", headers=first).status_code == 200
    assert client.post(f"{API}/auth/logout", headers=first).status_code == 204
    for ended in (first, second):  # logging out ends every token of that person
        assert_error(client.get(f"{API}/handoffs", headers=ended), 401, "unauthorized")
    assert_error(client.post(f"{API}/auth/logout", headers={"Authorization": "Bearer x"}), 401)

    third = token()
    change(lambda session: staff_users.set_disabled(session, user, True))
    assert_error(client.get(f"{API}/handoffs", headers=third), 401)
    assert_error(client.post(f"{API}/auth/token", json={"username": user, "password": PASSWORD}), 401)
    change(lambda session: staff_users.set_disabled(session, user, False))
    assert_error(client.get(f"{API}/handoffs", headers=third), 401)  # enabling does not revive old tokens

    fourth = token()
    change(lambda session: staff_users.reset_password(session, user, "mat-khau-moi-2"))
    assert_error(client.get(f"{API}/handoffs", headers=fourth), 401)
    assert_error(client.post(f"{API}/auth/token", json={"username": user, "password": PASSWORD}), 401)
    assert client.get(f"{API}/handoffs", headers=token("mat-khau-moi-2")).status_code == 200


def letan(env, *args, input_text=None):
    return subprocess.run(
        [str(LETAN), *args], env=env, cwd=REPO, capture_output=True, text=True, input=input_text, timeout=120
    )


def test_the_users_commands_list_disable_reset_and_unlock(tmp_path):
    """The commands as an administrator types them (SQLite; what they call is tested on both above)."""
    env = backend_env(tmp_path / "var")
    assert letan(env, "users", "add", "lan", "--role", "editor", "--password", PASSWORD).returncode == 0
    url = f"sqlite:///{tmp_path / 'var' / 'letan.db'}"
    engine = create_db_engine(url)
    with create_session_factory(engine)() as session:  # locked out from one address
        now = datetime.now(timezone.utc)
        session.add(
            LoginFailures(
                username="lan", source="203.0.113.9", failures=staff_users.LOCKOUT_FAILURES, last_at=now
            )
        )
        session.commit()
    listed = letan(env, "users", "list")
    assert listed.returncode == 0, listed.stderr
    assert re.search(
        r"^lan +biên tập nội dung +\(thành phố\) +đang dùng +tạm khoá trên 1 máy$", listed.stdout, re.M
    ), listed.stdout
    unlocked = letan(env, "users", "unlock", "lan")
    assert unlocked.returncode == 0 and "Đã mở khoá" in unlocked.stdout
    disabled = letan(env, "users", "disable", "lan")
    assert disabled.returncode == 0 and "Đã tắt" in disabled.stdout
    reset = letan(env, "users", "reset-password", "lan", input_text="mat-khau-moi-2\nmat-khau-moi-2\n")
    assert reset.returncode == 0, reset.stderr
    with create_session_factory(engine)() as session:
        user = session.scalar(select(StaffUser).where(StaffUser.username == "lan"))
        assert user.disabled and user.token_version == 2  # disabled, then the new password
        assert session.scalar(select(func.count()).select_from(LoginFailures)) == 0
    engine.dispose()
    missing = letan(env, "users", "unlock", "khong-co")
    assert missing.returncode == 1 and "Không có tài khoản" in missing.stderr


def csrf(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_an_admin_unlocks_an_account_on_the_staff_page(proxied, user, database):
    with database.factory() as session:
        staff_users.add_user(session, "bientap-3", "editor", PASSWORD, datetime.now(timezone.utc))
        session.commit()
    for _ in range(staff_users.LOCKOUT_FAILURES):
        log_in(proxied, "bientap-3", "doan-mo", "203.0.113.9")
    assert_error(log_in(proxied, "bientap-3", PASSWORD, "203.0.113.9"), 429, "account_locked")
    page = proxied.get("/staff/login")
    proxied.post("/staff/login", data={"username": user, "password": PASSWORD, "csrf_token": csrf(page)})
    users = proxied.get("/staff/users")
    assert users.status_code == 200
    row = re.search(r"<tr>\s*<td>bientap-3</td>.*?</tr>", users.text, re.S).group()
    assert "Tạm khoá trên 1 máy" in row and "Mở khoá" in row
    missing_token = proxied.post("/staff/users/unlock", data={"username": "bientap-3"})
    assert missing_token.status_code == 403
    done = proxied.post("/staff/users/unlock", data={"username": "bientap-3", "csrf_token": csrf(users)})
    assert done.status_code == 200 and "Đã mở khoá" in done.text
    assert log_in(proxied, "bientap-3", PASSWORD, "203.0.113.9").status_code == 200
    # Only an admin sees the page.
    proxied.post("/staff/logout", data={"csrf_token": csrf(done)})
    page = proxied.get("/staff/login")
    proxied.post(
        "/staff/login", data={"username": "bientap-3", "password": PASSWORD, "csrf_token": csrf(page)}
    )
    assert proxied.get("/staff/users").status_code == 403


def test_the_data_folder_and_the_database_are_private(tmp_path):
    env = backend_env(tmp_path / "var")
    result = subprocess.run(
        [str(LETAN), "prepare"], env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "var").stat().st_mode) == 0o700
    for name in ("letan.db", "secret-key", "device-token"):
        path = tmp_path / "var" / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
    assert (tmp_path / "var" / "letan.db").exists()


def test_a_password_check_on_the_staff_page_leaves_the_server_free(client, user, monkeypatch):
    """The check runs in a worker thread: while one is under way, other requests are served."""
    import threading

    checking, release = threading.Event(), threading.Event()
    real_check = staff_users._password_matches
    waited_out = []

    def slow(found, password):
        checking.set()
        waited_out.append(not release.wait(timeout=20))
        return real_check(found, password)

    monkeypatch.setattr(staff_users, "_password_matches", slow)
    token = csrf(client.get("/staff/login"))
    form = {"username": user, "password": PASSWORD, "csrf_token": token}
    login = threading.Thread(target=lambda: client.post("/staff/login", data=form, follow_redirects=False))
    login.start()
    assert checking.wait(timeout=20)
    assert client.get(f"{API}/health").status_code == 200
    release.set()
    login.join(timeout=30)
    assert waited_out == [False], "the health check waited for the password check"
