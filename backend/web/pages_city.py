"""The city's view for staff: each site's queue figures and citizens' needs over the last 14 days,
with a chart per figure and the CSV of the daily figures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from backend.deps import ClockDep
from backend.services import city, needs, sites
from backend.web.common import DbDep, NeedsReader, render, staff_router

router = staff_router()
DAYS = 14


@router.get("/city", name="staff_city")
def city_page(request: Request, session: DbDep, user: NeedsReader, clock: ClockDep) -> Response:
    """Per site (a site's staff: their own only) and city-wide."""
    last = clock.local_day()
    first = last - timedelta(days=DAYS - 1)
    days = [first + timedelta(days=i) for i in range(DAYS)]
    figures = city.daily_figures(session, first, last, user.site_id)
    shown = [s for s in sites.list_sites(session) if user.site_id in (None, s.id)]
    since = clock.now() - timedelta(days=DAYS)
    rows: list[dict[str, Any]] = []
    for site in shown:
        mine = [f for f in figures if f.site_id == site.id]
        waits = [f.average_wait_minutes for f in mine if f.average_wait_minutes is not None]
        rows.append(
            {
                "id": site.id,
                "name": site.name,
                "issued": sum(f.issued for f in mine),
                "served": sum(f.served for f in mine),
                "no_show": sum(f.no_show for f in mine),
                "wait": round(sum(waits) / len(waits), 1) if waits else None,
                "unanswered": len(needs.unanswered(session, site_id=site.id)),
                "handoffs": len(needs.handoffs(session, "open", site_id=site.id)),
                "feedback": len(needs.feedback_since(session, since, site.id)),
                "per_day": [sum(f.issued for f in mine if f.day == day) for day in days],
                "wait_per_day": [
                    next((f.average_wait_minutes for f in mine if f.day == day), None) for day in days
                ],
            }
        )
    called = [(f.average_wait_minutes, f.served + f.no_show) for f in figures if f.average_wait_minutes]
    weight = sum(n for _, n in called)
    city_wait = round(sum(m * n for m, n in called) / weight, 1) if weight else None
    context = {
        "page_title": "Toàn thành phố",
        "city_wait": city_wait,
        "rows": rows,
        "total": {
            key: sum(r[key] for r in rows)
            for key in ("issued", "served", "no_show", "unanswered", "handoffs")
        },
        "chart": {
            "labels": [d.strftime("%d/%m") for d in days],
            "sites": [{"name": r["name"], "issued": r["per_day"]} for r in rows],
        },
        "first": first.isoformat(),
        "last": last.isoformat(),
        "days": DAYS,
    }
    return render(request, "city.html", context, user=user, active="city")


@router.get("/city.csv", name="staff_city_csv")
def city_csv(request: Request, session: DbDep, user: NeedsReader, clock: ClockDep) -> Response:
    """The daily figures of the last days per site, as CSV (a site's staff: their own)."""
    last = clock.local_day()
    figures = city.daily_figures(session, last - timedelta(days=DAYS - 1), last, user.site_id)
    return Response(
        city.figures_csv(figures),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="letan-so-lieu-{last.isoformat()}.csv"'},
    )
