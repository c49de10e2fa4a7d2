"""The city's view: each site's daily queue figures (issued, served, no-shows, waiting, waits)."""

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.models import SiteRecord, Ticket


@dataclass(frozen=True)
class DayFigures:
    site_id: str
    site_name: str
    day: date
    issued: int
    served: int
    no_show: int
    waiting: int
    average_wait_minutes: float | None  # from issue to call, over the tickets called that day


def daily_figures(session: Session, first: date, last: date, site_id: str | None = None) -> list[DayFigures]:
    """Per site and local day from `first` to `last`; only `site_id`'s when given."""
    names = {s.id: s.name for s in session.scalars(select(SiteRecord))}
    statement = select(
        Ticket.site_id, Ticket.service_day, Ticket.status, Ticket.issued_at, Ticket.called_at
    ).where(Ticket.service_day >= first, Ticket.service_day <= last)
    if site_id is not None:
        statement = statement.where(Ticket.site_id == site_id)
    counts: dict[tuple[str, date], dict[str, int]] = {}
    waits: dict[tuple[str, date], list[float]] = {}
    for row in session.execute(statement):
        key = (row.site_id, row.service_day)
        tally = counts.setdefault(key, {"issued": 0, "done": 0, "no_show": 0, "waiting": 0})
        tally["issued"] += 1
        if row.status in tally:
            tally[row.status] += 1
        if row.called_at is not None:
            waits.setdefault(key, []).append(max(0.0, (row.called_at - row.issued_at).total_seconds() / 60))
    figures = []
    for (site, day), tally in sorted(counts.items()):
        minutes = waits.get((site, day))
        figures.append(
            DayFigures(
                site_id=site,
                site_name=names.get(site, site),
                day=day,
                issued=tally["issued"],
                served=tally["done"],
                no_show=tally["no_show"],
                waiting=tally["waiting"],
                average_wait_minutes=round(sum(minutes) / len(minutes), 1) if minutes else None,
            )
        )
    return figures


CSV_HEADER = ("site_id", "site_name", "day", "issued", "served", "no_show", "waiting", "average_wait_minutes")


def figures_csv(figures: list[DayFigures]) -> str:
    """The figures as CSV (UTF-8, one line per site and day), for a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_HEADER, lineterminator="\n")
    writer.writeheader()
    for item in figures:
        row = asdict(item)
        row["day"] = item.day.isoformat()
        row["average_wait_minutes"] = "" if item.average_wait_minutes is None else item.average_wait_minutes
        writer.writerow(row)
    return out.getvalue()
