"""Staff accounts (admin): who has which role, who is locked out, and the unlock button."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import models
from backend.db import begin_write
from backend.deps import ClockDep
from backend.errors import ApiError
from backend.services import audit, staff_users
from backend.web.common import ROLE_LABELS, Admin, DbDep, actor_for, redirect, render, staff_router

router = staff_router()


def _rows(session: Session, now: datetime) -> list[dict[str, object]]:
    return [
        {
            "username": user.username,
            "role": ROLE_LABELS.get(user.role, user.role),
            "disabled": user.disabled,
            "locked": staff_users.locked_sources(session, user.username, now),
        }
        for user in session.scalars(select(models.StaffUser).order_by(models.StaffUser.username))
    ]


@router.get("/users", name="staff_users")
def users(request: Request, session: DbDep, user: Admin, clock: ClockDep) -> Response:
    context = {
        "page_title": "Tài khoản",
        "rows": _rows(session, clock.now()),
        "limit": staff_users.LOCKOUT_FAILURES,
        "minutes": staff_users.LOCKOUT_MINUTES,
    }
    return render(request, "users.html", context, user=user, active="users")


@router.post("/users/unlock", name="staff_user_unlock")
async def user_unlock(
    request: Request, session: DbDep, user: Admin, clock: ClockDep, username: Annotated[str, Form()] = ""
) -> Response:
    try:
        begin_write(session)
        staff_users.unlock(session, username)
        audit.record(
            session, at=clock.now(), actor=actor_for(user.username), action="staff.unlock",
            entity_type="staff_user", entity_id=username.strip()[:120],
        )  # fmt: skip
        session.commit()
    except ApiError as err:
        session.rollback()
        return redirect(request, "/staff/users", flash=err.detail)
    return redirect(request, "/staff/users", flash=f"Đã mở khoá tài khoản “{username}”.")
