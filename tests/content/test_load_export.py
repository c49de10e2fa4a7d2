"""Content files → database → files, through the backend's load/export on a real SQLite database."""

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from backend.db import create_db_engine, create_session_factory, upgrade_database
from backend.services.content import save_procedure
from backend.services.content_files import export_content, load_content
from content.files import default_content_dir, read_content_dir, write_content_dir
from tests.content.content_helpers import edit

LETAN = str(Path(sys.executable).parent / "letan")
REPO_CONTENT = default_content_dir()


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    url = f"sqlite:///{tmp_path / 'letan.db'}"
    engine = create_db_engine(url)
    upgrade_database(url)
    factory = create_session_factory(engine)
    with factory() as s:
        yield s
    engine.dispose()


def assert_same_tree(left: Path, right: Path) -> None:
    left_files = sorted(p.relative_to(left) for p in left.rglob("*.yml"))
    right_files = sorted(p.relative_to(right) for p in right.rglob("*.yml"))
    assert left_files == right_files
    for relative in left_files:
        assert (left / relative).read_bytes() == (right / relative).read_bytes(), relative


def test_load_then_export_gives_the_same_bytes(session: Session, tmp_path: Path) -> None:
    report = load_content(session, read_content_dir())
    session.commit()
    assert sorted(report.created) == sorted(
        ["site", "site:phuong-mau-hai"]  # the demo's two sites
        + [f"procedure:{p.id}" for p in read_content_dir().procedures]
        + [f"faq:{f.key}" for f in read_content_dir().faq]
    )
    assert not report.conflicts
    write_content_dir(export_content(session), tmp_path / "export")
    source = tmp_path / "source"
    write_content_dir(read_content_dir(), source)
    assert_same_tree(source, tmp_path / "export")
    for relative in ("site.yml", "services.yml", "procedures/cap_so_do.yml", "faq/wifi.yml"):
        assert (tmp_path / "export" / relative).read_bytes() == (REPO_CONTENT / relative).read_bytes()


def test_staff_edit_is_reported_as_conflict_not_overwritten(
    session: Session, content_copy: Path, tmp_path: Path
) -> None:
    load_content(session, read_content_dir(content_copy))
    session.commit()
    # A member of staff changes the fee of khai_tu in the database...
    staff = read_content_dir(content_copy)
    khai_tu = next(p for p in staff.procedures if p.id == "khai_tu")
    edited = khai_tu.model_copy(
        update={"fee": khai_tu.fee.model_copy(update={"text": "Miễn lệ phí (cán bộ sửa)."})}
    )
    save_procedure(session, edited, actor="canbo1", now=datetime.now(timezone.utc))
    session.commit()
    # ...and the file changes too: loading must not overwrite the staff's version.
    edit(content_copy / "procedures" / "khai_tu.yml", "Tờ khai đăng ký khai tử", "Tờ khai khai tử")
    edit(content_copy / "faq" / "parking.yml", "có người trông", "có bảo vệ trông")
    report = load_content(session, read_content_dir(content_copy))
    session.commit()
    assert [(c.kind, c.id, c.updated_by) for c in report.conflicts] == [("procedure", "khai_tu", "canbo1")]
    assert "faq:parking" in report.updated
    exported = export_content(session)
    exported_khai_tu = next(p for p in exported.procedures if p.id == "khai_tu")
    assert exported_khai_tu.fee.text == "Miễn lệ phí (cán bộ sửa)."
    assert exported_khai_tu.documents[0].startswith("Tờ khai đăng ký khai tử")


def test_cli_load_and_export_round_trip(tmp_path: Path) -> None:
    env = {**os.environ, "LETAN_DATA_DIR": str(tmp_path / "var")}
    env.pop("LETAN_DATABASE_URL", None)
    env.pop("LETAN_CONTENT_DIR", None)
    empty = subprocess.run(
        [LETAN, "content", "export", str(tmp_path / "x")], env=env, capture_output=True, text=True
    )
    assert empty.returncode == 1
    assert "chưa có nội dung" in empty.stderr
    first = subprocess.run([LETAN, "content", "load"], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "thêm mới  procedure:khai_sinh" in first.stdout
    assert "xung đột: 0" in first.stdout
    second = subprocess.run([LETAN, "content", "load"], env=env, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    assert "Thêm mới: 0, cập nhật: 0" in second.stdout
    out = tmp_path / "export"
    exported = subprocess.run([LETAN, "content", "export", str(out)], env=env, capture_output=True, text=True)
    assert exported.returncode == 0, exported.stderr
    source = tmp_path / "source"
    write_content_dir(read_content_dir(), source)
    assert_same_tree(source, out)


def test_cli_load_refuses_broken_content(content_copy: Path, tmp_path: Path) -> None:
    env = {**os.environ, "LETAN_DATA_DIR": str(tmp_path / "var")}
    line = edit(content_copy / "faq" / "wifi.yml", "{wifi_password}", "{mat_khau}")
    result = subprocess.run(
        [LETAN, "content", "load", "--dir", str(content_copy)], env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert f"content/faq/wifi.yml:{line}:" in result.stderr
    assert "Không nạp" in result.stderr
    assert not (tmp_path / "var" / "letan.db").exists()


@pytest.mark.postgres
def test_load_then_export_round_trips_on_postgresql(tmp_path: Path) -> None:
    from tests.support.postgres import fresh_postgres_database

    with fresh_postgres_database("letan_content") as url:
        if url is None:
            pytest.skip("PostgreSQL không chạy trên máy này")
        engine = create_db_engine(url)
        try:
            upgrade_database(url)
            factory = create_session_factory(engine)
            with factory() as s:
                report = load_content(s, read_content_dir())
                s.commit()
                assert len(report.created) == 2 + 20 + 18  # two sites, procedures, FAQ
            with factory() as s:
                write_content_dir(export_content(s), tmp_path / "export")
                again = load_content(s, read_content_dir())
                assert again.created == again.updated == again.conflicts == []
        finally:
            engine.dispose()
    source = tmp_path / "source"
    write_content_dir(read_content_dir(), source)
    assert_same_tree(source, tmp_path / "export")


def test_cli_load_reports_conflicts_and_exits_2(content_copy: Path, tmp_path: Path) -> None:
    env = {**os.environ, "LETAN_DATA_DIR": str(tmp_path / "var")}
    env.pop("LETAN_DATABASE_URL", None)
    load = [LETAN, "content", "load", "--dir", str(content_copy)]
    assert subprocess.run(load, env=env, capture_output=True, text=True).returncode == 0
    url = f"sqlite:///{(tmp_path / 'var' / 'letan.db').resolve()}"
    engine = create_db_engine(url)
    with create_session_factory(engine)() as s:
        staff = read_content_dir(content_copy)
        tam_vang = next(p for p in staff.procedures if p.id == "tam_vang")
        save_procedure(
            s,
            tam_vang.model_copy(update={"summary": "Bản cán bộ sửa."}),
            actor="canbo2",
            now=datetime.now(timezone.utc),
        )
        s.commit()
    engine.dispose()
    edit(content_copy / "procedures" / "tam_vang.yml", "Trong 1 ngày làm việc.", "Trong một ngày làm việc.")
    result = subprocess.run(load, env=env, capture_output=True, text=True)
    assert result.returncode == 2
    assert "xung đột  procedure 'tam_vang': cán bộ canbo2" in result.stderr
    assert "xung đột: 1" in result.stdout
