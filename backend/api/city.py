"""The city's view for staff: daily queue figures per site, as JSON or CSV."""

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Response

from backend.deps import ClockDep, SessionDep, StaffDep
from backend.errors import InvalidError
from backend.schemas import Body
from backend.services import city

router = APIRouter(tags=["city"])
MAX_DAYS = 92


class DayFiguresPublic(Body):
    site_id: str
    site_name: str
    day: date
    issued: int
    served: int
    no_show: int
    waiting: int
    average_wait_minutes: float | None


def _figures(
    session: SessionDep, clock: ClockDep, staff: StaffDep, first: date | None, last: date | None
) -> list[city.DayFigures]:
    today = clock.local_day()
    last = last or today
    first = first or last - timedelta(days=6)
    if first > last or (last - first).days >= MAX_DAYS:
        raise InvalidError(
            "period_invalid", f"Khoảng ngày phải từ 1 đến {MAX_DAYS} ngày, ngày đầu trước ngày cuối."
        )
    # A site's staff see their own site's figures; city-wide staff every site's.
    return city.daily_figures(session, first, last, staff.site_id)


DayQuery = Annotated[date | None, Query(description="ngày (YYYY-MM-DD, ngày địa phương)")]


@router.get("/city/figures", response_model=list[DayFiguresPublic])
def figures(
    session: SessionDep, clock: ClockDep, staff: StaffDep, first: DayQuery = None, last: DayQuery = None
) -> list[DayFiguresPublic]:
    """Per site and day: issued, served, no-shows, still waiting, average wait (default: the last 7 days)."""
    return [
        DayFiguresPublic.model_validate(f, from_attributes=True)
        for f in _figures(session, clock, staff, first, last)
    ]


@router.get("/city/figures.csv", response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def figures_csv(
    session: SessionDep, clock: ClockDep, staff: StaffDep, first: DayQuery = None, last: DayQuery = None
) -> Response:
    """The same figures as a CSV file (one line per site and day)."""
    text = city.figures_csv(_figures(session, clock, staff, first, last))
    headers = {"Content-Disposition": 'attachment; filename="so-lieu-diem-phuc-vu.csv"'}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)
