"""The backend's own commands: serve, prepare, db, users, devices, demo, notify."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

db_app = typer.Typer(help="Cơ sở dữ liệu.", no_args_is_help=True)
users_app = typer.Typer(help="Tài khoản cán bộ.", no_args_is_help=True)
devices_app = typer.Typer(
    help="Thiết bị (ki-ốt, rô-bốt, máy chủ trợ lý) và mã truy cập của chúng.", no_args_is_help=True
)
demo_app = typer.Typer(help="Dữ liệu mẫu để chạy thử.", no_args_is_help=True)
notify_app = typer.Typer(help="Tin nhắn báo tình trạng hồ sơ cho công dân.", no_args_is_help=True)
sites_app = typer.Typer(help="Điểm phục vụ của thành phố.", no_args_is_help=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _factory() -> sessionmaker[Session]:
    from backend.db import create_db_engine, create_session_factory, upgrade_database
    from backend.settings import get_settings

    url = get_settings().effective_database_url
    upgrade_database(url)
    return create_session_factory(create_db_engine(url))


def _setup_logging() -> None:
    import logging

    from backend.settings import get_settings

    logging.basicConfig(
        level=get_settings().log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


def prepare_command(
    skip_content: Annotated[
        bool, typer.Option("--skip-content", help="Không nạp content/ khi CSDL trống.")
    ] = False,
) -> None:
    """Chuẩn bị để chạy: cập nhật cơ sở dữ liệu, nạp content/ nếu còn trống, tạo mã thiết bị 'local'."""
    from backend.services.setup import prepare
    from backend.settings import get_settings

    _setup_logging()
    try:
        report = prepare(get_settings(), load_content_if_empty=not skip_content)
    except Exception as err:  # content errors, database down...
        raise _fail(f"Không chuẩn bị được: {err}") from err
    for message in report.messages:
        typer.echo(message)
    typer.echo("Cơ sở dữ liệu sẵn sàng.")


def serve_command(
    host: Annotated[str | None, typer.Option(help="Địa chỉ nghe (mặc định 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Cổng (mặc định 8000).")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Số tiến trình phục vụ song song.")] = 1,
    skip_prepare: Annotated[bool, typer.Option("--skip-prepare", help="Không tự chuẩn bị CSDL.")] = False,
) -> None:
    """Chạy máy chủ (API ở /api/v1, trang cán bộ ở /staff). Lần đầu tự tạo CSDL và nạp nội dung."""
    import uvicorn

    from backend.settings import get_settings

    settings = get_settings()
    if not skip_prepare:
        prepare_command(skip_content=False)
    uvicorn.run(
        "backend.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
    )


def backup_command(
    file: Annotated[Path, typer.Argument(help="Tệp sao lưu sẽ ghi (ghi đè nếu đã có).")],
) -> None:
    """Sao lưu toàn bộ cơ sở dữ liệu vào một tệp; làm được khi máy chủ đang chạy."""
    from backend.services.backup import BackupError, backup
    from backend.settings import get_settings

    _setup_logging()
    try:
        backup(get_settings().effective_database_url, file)
    except (BackupError, OSError) as err:
        raise _fail(f"Không sao lưu được: {err}") from err
    typer.echo(f"Đã sao lưu cơ sở dữ liệu vào {file}.")


def restore_command(
    file: Annotated[Path, typer.Argument(help="Tệp sao lưu (từ letan backup).")],
    yes: Annotated[bool, typer.Option("--yes", help="Không hỏi lại.")] = False,
) -> None:
    """Thay toàn bộ cơ sở dữ liệu bằng một bản sao lưu; làm được khi máy chủ đang chạy."""
    from backend.services.backup import BackupError, restore
    from backend.settings import get_settings

    if not yes:
        typer.confirm("Mọi dữ liệu hiện có sẽ bị thay bằng bản sao lưu. Tiếp tục?", abort=True)
    _setup_logging()
    try:
        restore(get_settings().effective_database_url, file)
    except (BackupError, OSError) as err:
        raise _fail(f"Không khôi phục được: {err}") from err
    typer.echo(f"Đã khôi phục cơ sở dữ liệu từ {file}.")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Cập nhật cấu trúc cơ sở dữ liệu lên bản mới nhất (tạo mới nếu chưa có)."""
    from backend.db import upgrade_database
    from backend.settings import get_settings

    _setup_logging()
    upgrade_database(get_settings().effective_database_url)
    typer.echo("Cơ sở dữ liệu đã ở bản mới nhất.")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Tên đăng nhập.")],
    role: Annotated[str, typer.Option(help="Vai trò: admin, editor, counter hoặc integration.")],
    password: Annotated[
        str | None, typer.Option(help="Mật khẩu (ít nhất 8 ký tự); bỏ trống để được hỏi.")
    ] = None,
    site: Annotated[
        str | None,
        typer.Option(
            help="Điểm phục vụ của tài khoản; bỏ trống: cấp thành phố (cán bộ quầy: điểm mặc định)."
        ),
    ] = None,
) -> None:
    """Tạo tài khoản cán bộ. Không có tài khoản hay mật khẩu mặc định."""
    from datetime import datetime, timezone

    from backend.db import write_session
    from backend.errors import ApiError
    from backend.services import auth, staff_users

    if password is None:
        password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    try:
        with write_session(_factory()) as session:
            user = staff_users.add_user(session, username, role, password, datetime.now(timezone.utc), site)
            scope = f"điểm phục vụ {user.site_id}" if user.site_id else "cấp thành phố"
    except ApiError as err:
        raise _fail(err.detail) from err
    typer.echo(f"Đã tạo tài khoản '{username}' ({auth.ROLE_NAMES[role]}, {scope}).")


def _user_change(change: Callable[[Session], object], done: str) -> None:
    """Run `change` in a write transaction, then print `done` (or the error, and exit 1)."""
    from backend.db import write_session
    from backend.errors import ApiError

    try:
        with write_session(_factory()) as session:
            change(session)
    except ApiError as err:
        raise _fail(err.detail) from err
    typer.echo(done)


UsernameArg = Annotated[str, typer.Argument(help="Tên đăng nhập.")]


@users_app.command("list")
def users_list() -> None:
    """Liệt kê tài khoản: vai trò, trạng thái, số máy đang bị tạm khoá."""
    from datetime import datetime, timezone

    from sqlalchemy import select

    from backend.models import StaffUser
    from backend.services import auth, staff_users

    now = datetime.now(timezone.utc)
    with _factory()() as session:
        for user in session.scalars(select(StaffUser).order_by(StaffUser.username)):
            state = "đã tắt" if user.disabled else "đang dùng"
            locked = staff_users.locked_sources(session, user.username, now)
            lock = f"tạm khoá trên {locked} máy" if locked else ""
            scope = user.site_id or "(thành phố)"
            typer.echo(
                f"{user.username:30} {auth.ROLE_NAMES[user.role]:18} {scope:16} {state:10} {lock}".rstrip()
            )


@users_app.command("disable")
def users_disable(username: UsernameArg) -> None:
    """Tắt một tài khoản: không đăng nhập được nữa, mọi phiên và mã đăng nhập của nó hết hiệu lực."""
    from backend.services import staff_users

    _user_change(lambda s: staff_users.set_disabled(s, username, True), f"Đã tắt tài khoản '{username}'.")


@users_app.command("enable")
def users_enable(username: UsernameArg) -> None:
    """Bật lại một tài khoản đã tắt."""
    from backend.services import staff_users

    _user_change(lambda s: staff_users.set_disabled(s, username, False), f"Đã bật tài khoản '{username}'.")


@users_app.command("reset-password")
def users_reset_password(
    username: UsernameArg,
    password: Annotated[
        str | None, typer.Option(help="Mật khẩu mới (ít nhất 8 ký tự); bỏ trống để được hỏi.")
    ] = None,
) -> None:
    """Đặt mật khẩu mới; mọi phiên cũ hết hiệu lực và tài khoản được mở khoá."""
    from backend.services import staff_users

    if password is None:
        password = typer.prompt("Mật khẩu mới", hide_input=True, confirmation_prompt=True)
    new_password = password
    done = f"Đã đặt mật khẩu mới cho '{username}'."
    _user_change(lambda s: staff_users.reset_password(s, username, new_password), done)


@users_app.command("unlock")
def users_unlock(username: UsernameArg) -> None:
    """Mở khoá tài khoản bị tạm khoá do nhập sai mật khẩu (trên mọi máy)."""
    from backend.services import staff_users

    _user_change(lambda s: staff_users.unlock(s, username), f"Đã mở khoá tài khoản '{username}'.")


@devices_app.command("add")
def devices_add(
    name: Annotated[str, typer.Argument(help="Tên thiết bị, ví dụ kiosk-sanh-1.")],
    site: Annotated[
        str | None, typer.Option(help="Điểm phục vụ của thiết bị (mặc định: điểm mặc định).")
    ] = None,
) -> None:
    """Tạo thiết bị của một điểm phục vụ và in mã truy cập của nó (chỉ in một lần, ở dòng cuối)."""
    from datetime import datetime, timezone

    from backend.db import write_session
    from backend.errors import ApiError
    from backend.services import auth

    try:
        with write_session(_factory()) as session:
            token = auth.add_device(session, name, datetime.now(timezone.utc), site)
            site_id = auth.device_for_token(session, token).site_id  # type: ignore[union-attr]
    except ApiError as err:
        raise _fail(err.detail) from err
    typer.echo(
        f"Đã tạo thiết bị '{name}' ở điểm phục vụ {site_id}. Mã truy cập (chỉ hiện một lần, hãy lưu lại):"
    )
    typer.echo(token)


@devices_app.command("revoke")
def devices_revoke(name: Annotated[str, typer.Argument(help="Tên thiết bị.")]) -> None:
    """Thu hồi mã truy cập của một thiết bị; thiết bị đó không gọi được máy chủ nữa."""
    from datetime import datetime, timezone

    from backend.db import write_session
    from backend.errors import ApiError
    from backend.services import auth

    try:
        with write_session(_factory()) as session:
            auth.revoke_device(session, name, datetime.now(timezone.utc))
    except ApiError as err:
        raise _fail(err.detail) from err
    typer.echo(f"Đã thu hồi mã của thiết bị '{name}'.")


@devices_app.command("list")
def devices_list() -> None:
    """Liệt kê thiết bị, lần cuối thấy và trạng thái."""
    from sqlalchemy import select

    from backend.models import Device

    with _factory()() as session:
        for device in session.scalars(select(Device).order_by(Device.name)):
            state = "đã thu hồi" if device.revoked_at else "đang dùng"
            seen = device.last_seen_at.strftime("%Y-%m-%d %H:%M") if device.last_seen_at else "chưa"
            typer.echo(f"{device.name:30} {device.site_id:16} {state:12} lần cuối: {seen}")


@sites_app.command("add")
def sites_add(
    site_id: Annotated[str, typer.Argument(metavar="ID", help="Mã điểm phục vụ, ví dụ phuong-ba-dinh.")],
    name: Annotated[str, typer.Option(help="Tên điểm phục vụ.")],
    address: Annotated[str, typer.Option(help="Địa chỉ.")] = "",
    time_zone: Annotated[str, typer.Option(help="Múi giờ.")] = "Asia/Ho_Chi_Minh",
) -> None:
    """Thêm một điểm phục vụ (dịch vụ, quầy và thông tin của nó nạp từ content/sites/ID.yml)."""
    from datetime import datetime, timezone

    from backend.db import write_session
    from backend.errors import ApiError
    from backend.services import sites

    try:
        with write_session(_factory()) as session:
            sites.add_site(
                session, site_id, name, datetime.now(timezone.utc), address=address, time_zone=time_zone
            )
    except ApiError as err:
        raise _fail(err.detail) from err
    typer.echo(f"Đã thêm điểm phục vụ '{site_id}'.")


@sites_app.command("list")
def sites_list() -> None:
    """Liệt kê điểm phục vụ: mã (đầu dòng), tên, múi giờ, số quầy và thiết bị."""
    from sqlalchemy import func, select

    from backend.models import CounterRecord, Device
    from backend.services import sites

    with _factory()() as session:
        counters = dict(
            session.execute(select(CounterRecord.site_id, func.count()).group_by(CounterRecord.site_id)).all()
        )
        devices = dict(session.execute(select(Device.site_id, func.count()).group_by(Device.site_id)).all())
        for site in sites.list_sites(session):
            typer.echo(
                f"{site.id:24} {site.name}  ({site.time_zone}; {counters.get(site.id, 0)} quầy, "
                f"{devices.get(site.id, 0)} thiết bị)"
            )


@demo_app.command("seed")
def demo_seed(
    as_json: Annotated[
        bool, typer.Option("--json", help="In dạng JSON (cho chương trình khác đọc).")
    ] = False,
) -> None:
    """Thêm vài hồ sơ mẫu ở các trạng thái khác nhau và in mã hồ sơ cùng 4 số kiểm tra."""
    import json
    from datetime import datetime, timezone

    from backend.db import write_session
    from backend.services.demo import seed_demo

    with write_session(_factory()) as session:
        rows = seed_demo(session, datetime.now(timezone.utc))
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    typer.echo("Hồ sơ mẫu (mã — 4 số cuối điện thoại — trạng thái):")
    for row in rows:
        typer.echo(f"{row['code']}  {row['verify']}  {row['status']}")


@notify_app.command("run")
def notify_run(
    once: Annotated[bool, typer.Option("--once", help="Gửi các tin đến hạn rồi dừng.")] = False,
) -> None:
    """Gửi các tin trong hàng chờ qua kênh đã cấu hình (LETAN_NOTIFY__*), thử lại khi lỗi."""
    import contextlib
    import signal
    import threading

    from backend.clock import Clock
    from backend.notify.providers import configured_providers
    from backend.notify.worker import Worker
    from backend.settings import get_settings

    _setup_logging()
    settings = get_settings()
    worker = Worker(
        _factory(), configured_providers(settings.notify), settings.notify, Clock(settings.timezone)
    )
    if not worker.providers:
        typer.echo("Chưa cấu hình kênh gửi nào (LETAN_NOTIFY__*): các tin nằm chờ trong hàng đợi.", err=True)
    if once:
        typer.echo(f"Đã thử gửi {worker.run_once()} tin.")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        worker.run(stop)


def register(app: typer.Typer) -> None:
    """Add the backend's commands to the `letan` command line."""
    app.command("serve")(serve_command)
    app.command("prepare")(prepare_command)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")
    app.add_typer(devices_app, name="devices")
    app.add_typer(sites_app, name="sites")
    app.add_typer(demo_app, name="demo")
    app.add_typer(notify_app, name="notify")
