"""The backend's `letan` commands, run as a user runs them (subprocesses)."""

import hashlib
import json
import stat
import subprocess

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from backend.models import Device, ProcedureRecord, StaffUser
from tests.support.backend import LETAN, REPO, backend_env
from tests.support.postgres import fresh_postgres_database


def letan(env, *args, input_text=None):
    return subprocess.run(
        [str(LETAN), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        input=input_text,
        timeout=120,
        check=False,
    )


def test_help_is_in_plain_words():
    result = letan(backend_env(REPO / "var"), "--help")
    assert result.returncode == 0
    for command in ("serve", "prepare", "db", "users", "devices", "demo"):
        assert command in result.stdout
    devices = letan(backend_env(REPO / "var"), "devices", "--help").stdout
    assert "Thiết bị" in devices and "revoke" in devices


def test_prepare_users_devices_and_demo_on_a_new_data_dir(tmp_path):
    env = backend_env(tmp_path / "var")
    first = letan(env, "prepare")
    assert first.returncode == 0, first.stderr
    assert "Đã nạp nội dung" in first.stdout
    token_file = tmp_path / "var" / "device-token"
    token = token_file.read_text().strip()
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    again = letan(env, "prepare")
    assert again.returncode == 0 and "Đã nạp" not in again.stdout
    assert token_file.read_text().strip() == token

    engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'letan.db'}")
    with Session(engine) as session:
        assert session.scalar(select(ProcedureRecord).where(ProcedureRecord.id == "khai_sinh")) is not None
        local = session.scalar(select(Device).where(Device.name == "local"))
        assert local.token_hash == hashlib.sha256(token.encode()).hexdigest()

    added = letan(env, "devices", "add", "kiosk-sanh-1")
    assert added.returncode == 0, added.stderr
    kiosk_token = added.stdout.strip().splitlines()[-1]
    assert " " not in kiosk_token and len(kiosk_token) >= 40
    duplicate = letan(env, "devices", "add", "kiosk-sanh-1")
    assert duplicate.returncode == 1 and "Đã có thiết bị" in duplicate.stderr
    assert letan(env, "devices", "revoke", "kiosk-sanh-1").returncode == 0
    missing = letan(env, "devices", "revoke", "khong-co")
    assert missing.returncode == 1 and "Không có thiết bị" in missing.stderr

    prompted = letan(
        env, "users", "add", "lan", "--role", "counter", input_text="mat-khau-lan\nmat-khau-lan\n"
    )
    assert prompted.returncode == 0, prompted.stderr
    short = letan(env, "users", "add", "binh", "--role", "editor", "--password", "123")
    assert short.returncode == 1 and "ít nhất 8" in short.stderr
    bad_role = letan(env, "users", "add", "binh", "--role", "boss", "--password", "mat-khau-dai")
    assert bad_role.returncode == 1 and "Vai trò" in bad_role.stderr

    seeded = letan(env, "demo", "seed", "--json")
    assert seeded.returncode == 0, seeded.stderr
    rows = json.loads(seeded.stdout)
    assert len(rows) >= 5 and len({r["status"] for r in rows}) >= 5
    assert all(len(r["verify"]) == 4 and r["verify"].isdigit() for r in rows)
    with Session(engine) as session:
        revoked = session.scalar(select(Device).where(Device.name == "kiosk-sanh-1"))
        assert revoked.revoked_at is not None
        user = session.scalar(select(StaffUser).where(StaffUser.username == "lan"))
        assert user.role == "counter" and user.password_hash.startswith("$argon2")
    engine.dispose()

    # A lost token file gives the local device a new token; the old one stops working.
    token_file.unlink()
    assert letan(env, "prepare").returncode == 0
    assert token_file.read_text().strip() != token


def test_db_upgrade_on_postgresql(tmp_path):
    with fresh_postgres_database() as url:
        if url is None:
            import pytest

            pytest.skip("PostgreSQL is not running")
        result = letan(backend_env(tmp_path, url), "db", "upgrade")
        assert result.returncode == 0, result.stderr
        engine = create_engine(url)
        with engine.connect() as connection:
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        engine.dispose()
        from alembic.script import ScriptDirectory

        from backend.db import alembic_config

        assert version == ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def test_sites_devices_and_users_of_a_city(tmp_path):
    env = backend_env(tmp_path / "var")
    assert letan(env, "prepare").returncode == 0
    # The demo content defines two sites; each line starts with the site's id.
    listed = letan(env, "sites", "list")
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["default", "phuong-mau-hai"]
    assert "6 quầy" in listed.stdout.splitlines()[0] and "3 quầy" in listed.stdout.splitlines()[1]

    added = letan(env, "sites", "add", "phuong-c", "--name", "Điểm phục vụ phường C")
    assert added.returncode == 0, added.stderr
    lines = letan(env, "sites", "list").stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["default", "phuong-c", "phuong-mau-hai"]
    assert "Điểm phục vụ phường C" in lines[1]
    again = letan(env, "sites", "add", "phuong-c", "--name", "Trùng")
    assert again.returncode == 1 and "Đã có điểm phục vụ" in again.stderr
    bad = letan(env, "sites", "add", "Phường C", "--name", "Sai mã")
    assert bad.returncode == 1 and "Mã điểm phục vụ" in bad.stderr

    device = letan(env, "devices", "add", "kiosk-c", "--site", "phuong-c")
    assert device.returncode == 0, device.stderr
    token = device.stdout.strip().splitlines()[-1]
    assert " " not in token and len(token) >= 40
    unknown = letan(env, "devices", "add", "kiosk-x", "--site", "khong-co")
    assert unknown.returncode == 1 and "Không có điểm phục vụ" in unknown.stderr
    for args in (
        ("lan", "--role", "editor", "--site", "phuong-c"),
        ("thanh-pho", "--role", "editor"),
        ("quay", "--role", "counter"),
    ):
        result = letan(env, "users", "add", *args, "--password", "mat-khau-dai")
        assert result.returncode == 0, result.stderr

    engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'letan.db'}")
    with Session(engine) as session:
        kiosk = session.scalar(select(Device).where(Device.name == "kiosk-c"))
        assert kiosk.site_id == "phuong-c" and kiosk.token_hash == hashlib.sha256(token.encode()).hexdigest()
        users = dict(session.execute(select(StaffUser.username, StaffUser.site_id)).all())
    engine.dispose()
    assert users == {"lan": "phuong-c", "thanh-pho": None, "quay": "default"}
