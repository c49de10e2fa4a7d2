"""The public opt-out page: every status message ends with its link (`LETAN_NOTIFY__OPT_OUT_URL/<token>`).

GET only asks (mail programs and link previews open links on their own); the button's POST
revokes the consent, and the token then no longer works.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from backend.db import begin_write
from backend.deps import ClockDep, SessionDep
from backend.errors import NotFoundError
from backend.models import NotifyConsent
from backend.notify.messages import code_tail
from backend.services import notify
from backend.web.common import templates

router = APIRouter(include_in_schema=False)
Token = Annotated[str, Path(max_length=64)]


def _page(
    request: Request, heading: str, message: str, *, token: str = "", status: int = 200
) -> HTMLResponse:
    context = {"page_title": "Huỷ nhận tin về hồ sơ", "heading": heading, "message": message, "token": token}
    response = templates().TemplateResponse(request, "opt_out.html", context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


UNKNOWN = "Đường dẫn này không đúng hoặc đã được dùng. Nếu ông/bà vẫn nhận tin, xin hỏi cán bộ tại quầy."


@router.get("/huy-nhan-tin/{token}")
def ask(request: Request, token: Token, session: SessionDep) -> HTMLResponse:
    consent = session.scalar(select(NotifyConsent).where(NotifyConsent.opt_out_token == token))
    if consent is None:
        return _page(request, "Không huỷ được", UNKNOWN, status=404)
    label = notify.CHANNEL_LABELS[consent.channel].lower()
    what = f"{label} về hồ sơ có mã kết thúc bằng {code_tail(consent.dossier_code)}"
    return _page(request, "Ngừng nhận tin?", f"Ông/bà sẽ không nhận {what} nữa.", token=token)


@router.post("/huy-nhan-tin/{token}")
def confirm(request: Request, token: Token, session: SessionDep, clock: ClockDep) -> HTMLResponse:
    begin_write(session)
    try:
        consent = notify.opt_out(session, token, clock.now())
    except NotFoundError:
        session.rollback()
        return _page(request, "Không huỷ được", UNKNOWN, status=404)
    session.commit()
    label = notify.CHANNEL_LABELS[consent.channel].lower()
    return _page(
        request,
        "Đã huỷ nhận tin",
        f"Từ nay ông/bà không nhận {label} về hồ sơ có mã kết thúc bằng {code_tail(consent.dossier_code)}. "
        "Muốn nhận lại, xin đăng ký ở ki-ốt sau khi tra cứu hồ sơ.",
    )
