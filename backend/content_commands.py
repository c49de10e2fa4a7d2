"""`letan content load|export`: the content files in and out of the backend's database.

Registered on the `letan content` group by the CLI; the content package itself never imports the
backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from content.cli import DirOption, content_dir, print_problems

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


def register(app: typer.Typer) -> None:
    app.command()(load)
    app.command()(export)


def _session_factory() -> sessionmaker[Session]:
    from backend.db import create_db_engine, create_session_factory, upgrade_database
    from backend.settings import get_settings

    url = get_settings().effective_database_url
    engine = create_db_engine(url)  # creates the SQLite file's folder when needed
    upgrade_database(url)
    return create_session_factory(engine)


@contextmanager
def _database_errors(action: str) -> Iterator[None]:
    """Turn database and backend errors into one clear Vietnamese line and exit code 1."""
    from sqlalchemy.exc import SQLAlchemyError

    from backend.errors import ApiError

    try:
        yield
    except ApiError as err:
        typer.echo(f"Không {action} được: {err.detail}", err=True)
        raise typer.Exit(1) from err
    except SQLAlchemyError as err:
        orig = getattr(err, "orig", None)
        reason = str(orig) if orig is not None else type(err).__name__
        typer.echo(f"Không {action} được: lỗi cơ sở dữ liệu ({reason}).", err=True)
        raise typer.Exit(1) from err


def load(
    directory: DirOption = None,
    actor: Annotated[str, typer.Option(help="Tên ghi vào nhật ký thay đổi.")] = "content-load",
) -> None:
    """Nạp nội dung vào cơ sở dữ liệu; bản cán bộ đã sửa thì báo xung đột, không ghi đè."""
    from backend.db import write_session
    from backend.services.content_files import load_content
    from content.check import check_content_dir, errors_only
    from content.files import read_content_dir

    root = content_dir(directory)
    problems = check_content_dir(root)
    print_problems(problems)
    if errors_only(problems):
        typer.echo("Không nạp: nội dung còn lỗi (xem 'letan content check').", err=True)
        raise typer.Exit(1)
    content_set = read_content_dir(root)
    with _database_errors("nạp nội dung"), write_session(_session_factory()) as session:
        report = load_content(session, content_set, actor=actor)
    for label in report.created:
        typer.echo(f"thêm mới  {label}")
    for label in report.updated:
        typer.echo(f"cập nhật  {label}")
    for conflict in report.conflicts:
        typer.echo(f"xung đột  {conflict.describe()}", err=True)
    typer.echo(report.summary())
    if report.conflicts:
        raise typer.Exit(2)


def export(
    directory: Annotated[Path, typer.Argument(help="Thư mục đích (mặc định: var/content-export).")] = Path(
        "var/content-export"
    ),
) -> None:
    """Xuất nội dung đang có trong cơ sở dữ liệu ra thư mục YAML (cùng dạng với content/)."""
    from backend.services.content_files import export_content
    from content.files import write_content_dir

    with _database_errors("xuất nội dung"):
        factory = _session_factory()
        with factory() as session:
            content_set = export_content(session)
    changed = write_content_dir(content_set, directory)
    typer.echo(
        f"Đã xuất {len(content_set.procedures)} thủ tục, {len(content_set.faq)} câu hỏi ra {directory} "
        f"({len(changed)} tệp thay đổi)."
    )
