"""`letan content ...` commands: check, fmt, schema, load, export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from content.errors import Problem

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

app = typer.Typer(
    help="Nội dung do cán bộ soạn: thủ tục, câu hỏi thường gặp, dịch vụ, quầy.",
    no_args_is_help=True,
)

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", "-d", help="Thư mục nội dung (mặc định: content/ của kho mã)."),
]


def _content_dir(path: Path | None) -> Path:
    from content.files import default_content_dir

    if path is not None:
        return path
    from backend.settings import get_settings

    return get_settings().content_dir or default_content_dir()


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        typer.echo(str(problem), err=True)


@app.command()
def check(directory: DirOption = None) -> None:
    """Kiểm tra mọi tệp nội dung; in từng lỗi dạng tệp:dòng: thông báo."""
    from content.check import check_content_dir, errors_only

    root = _content_dir(directory)
    problems = check_content_dir(root)
    _print_problems(problems)
    errors = errors_only(problems)
    if errors:
        typer.echo(f"Nội dung có {len(errors)} lỗi, cần sửa trước khi nạp.", err=True)
        raise typer.Exit(1)
    from content.files import read_content_dir

    content_set = read_content_dir(root)
    typer.echo(
        f"Nội dung hợp lệ: {len(content_set.procedures)} thủ tục, {len(content_set.faq)} câu hỏi, "
        f"{len(content_set.services.services)} dịch vụ, {len(content_set.services.counters)} quầy."
    )


@app.command()
def fmt(directory: DirOption = None) -> None:
    """Viết lại các tệp nội dung theo một dạng ổn định (thứ tự khóa theo lược đồ)."""
    from content.errors import ContentError
    from content.files import read_content_dir, write_content_dir

    root = _content_dir(directory)
    try:
        content_set = read_content_dir(root)
    except ContentError as err:
        _print_problems(err.problems)
        raise typer.Exit(1) from err
    changed = write_content_dir(content_set, root)
    for path in changed:
        typer.echo(f"đã viết lại {path}")
    typer.echo(f"{len(changed)} tệp thay đổi.")


def schema_text() -> str:
    """The JSON Schema of a content set, as written to content/schema.json."""
    from content.model import ContentSet

    return json.dumps(ContentSet.model_json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@app.command()
def schema(
    check_only: Annotated[
        bool, typer.Option("--check", help="Chỉ kiểm tra schema.json có mới nhất.")
    ] = False,
) -> None:
    """Xuất JSON Schema của nội dung ra content/schema.json."""
    from content.files import default_content_dir

    target = default_content_dir() / "schema.json"
    text = schema_text()
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if check_only:
        if current != text:
            typer.echo(f"{target} đã cũ; chạy 'letan content schema' để tạo lại.", err=True)
            raise typer.Exit(1)
        typer.echo(f"{target} đã mới nhất.")
        return
    if current != text:
        target.write_text(text, encoding="utf-8")
        typer.echo(f"đã viết {target}")
    else:
        typer.echo(f"{target} không đổi.")


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


@app.command()
def load(
    directory: DirOption = None,
    actor: Annotated[str, typer.Option(help="Tên ghi vào nhật ký thay đổi.")] = "content-load",
) -> None:
    """Nạp nội dung vào cơ sở dữ liệu; bản cán bộ đã sửa thì báo xung đột, không ghi đè."""
    from backend.db import write_session
    from backend.services.content import load_content
    from content.check import check_content_dir, errors_only
    from content.files import read_content_dir

    root = _content_dir(directory)
    problems = check_content_dir(root)
    _print_problems(problems)
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


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(help="Thư mục đích (mặc định: var/content-export).")] = Path(
        "var/content-export"
    ),
) -> None:
    """Xuất nội dung đang có trong cơ sở dữ liệu ra thư mục YAML (cùng dạng với content/)."""
    from backend.services.content import export_content
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
