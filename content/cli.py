"""`letan content ...` commands on the files: check, fmt, schema (load and export are the backend's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from content.errors import Problem

app = typer.Typer(
    help="Nội dung do cán bộ soạn: thủ tục, câu hỏi thường gặp, dịch vụ, quầy.",
    no_args_is_help=True,
)

DirOption = Annotated[
    Path | None,
    typer.Option("--dir", "-d", help="Thư mục nội dung (mặc định: content/ của kho mã)."),
]


def content_dir(path: Path | None) -> Path:
    """The directory a command works on: `--dir`, else `LETAN_CONTENT_DIR`, else the repository's."""
    from content.files import default_content_dir
    from contract.settings import shared_settings

    return path or shared_settings().content_dir or default_content_dir()


def print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        typer.echo(str(problem), err=True)


@app.command()
def check(directory: DirOption = None) -> None:
    """Kiểm tra mọi tệp nội dung; in từng lỗi dạng tệp:dòng: thông báo."""
    from content.check import check_content_dir, errors_only

    root = content_dir(directory)
    problems = check_content_dir(root)
    print_problems(problems)
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

    root = content_dir(directory)
    try:
        content_set = read_content_dir(root)
    except ContentError as err:
        print_problems(err.problems)
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
