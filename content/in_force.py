"""What a procedure says on a given day: the periods in force, how each fact was confirmed, what
changes next, and when the procedure is due for another check.

Pure functions of a `Procedure` and a local date, shared by the backend (which serves the day's
view), the content check and the staff pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from content.model import DATED_FACTS, DEFAULT_REVIEW_INTERVAL_DAYS, Fact, ListPeriod, Procedure

# How far ahead a change, an expiry or a review counts as coming up.
LOOKAHEAD_DAYS = 30

FACT_NAMES: dict[str, str] = {
    "documents": "giấy tờ",
    "fee": "lệ phí",
    "processing_time": "thời hạn giải quyết",
    "legal_basis": "căn cứ pháp lý",
}


@dataclass(frozen=True)
class Verification:
    """Whether a fact may be said as certain, and on what evidence."""

    verified: bool
    verified_on: date | None
    source_url: str | None
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "verified_on": None if self.verified_on is None else self.verified_on.isoformat(),
            "source_url": self.source_url,
            "note": self.note,
        }


def verification(fact: Fact, procedure: Procedure) -> Verification:
    """A fact's own `unconfirmed`, else its own `verified_on`, else the procedure's."""
    source = fact.source_url or procedure.source_url
    if fact.unconfirmed:
        return Verification(False, None, source, fact.unconfirmed)
    verified_on = fact.verified_on or procedure.verified_on
    if verified_on is None:
        return Verification(False, None, source, None)
    return Verification(True, verified_on, source, None)


def covers(period: Fact, day: date) -> bool:
    return (period.valid_from is None or period.valid_from <= day) and (
        period.valid_until is None or day <= period.valid_until
    )


def period_errors(procedure: Procedure) -> list[tuple[str, int, str]]:
    """(fact, period index, message) for every dated fact out of order, with a gap or an overlap.

    These hold whatever the day; the content check adds what depends on today.
    """
    errors: list[tuple[str, int, str]] = []
    for fact in DATED_FACTS:
        periods = procedure.periods(fact)
        name = FACT_NAMES[fact]
        for i, period in enumerate(periods):
            start, end = period.valid_from, period.valid_until

            def add(message: str, i: int = i, fact: str = fact, name: str = name) -> None:
                errors.append((fact, i, f"{name}: {message}"))

            if start is not None and end is not None and start > end:
                add(f"valid_from {start} sau valid_until {end}")
            if i > 0 and start is None:
                add(f"giai đoạn thứ {i + 1} thiếu valid_from")
            if i < len(periods) - 1 and end is None:
                add(f"giai đoạn thứ {i + 1} thiếu valid_until")
            if period.verified_on is not None and period.unconfirmed:
                add("vừa có verified_on vừa ghi chưa xác nhận (unconfirmed)")
            previous_end = periods[i - 1].valid_until if i > 0 else None
            if start is None or previous_end is None:
                continue
            if start <= previous_end:
                add(f"giai đoạn từ {start} chồng lên giai đoạn đến {previous_end}")
            elif start > previous_end + timedelta(days=1):
                gap = f"{previous_end + timedelta(days=1)} đến {start - timedelta(days=1)}"
                add(f"khoảng trống từ {gap} không có giá trị nào")
    return errors


def period_on(procedure: Procedure, fact: str, day: date) -> Fact | None:
    """The period of `fact` in force on `day`, or None when no period covers it."""
    return next((p for p in procedure.periods(fact) if covers(p, day)), None)


@dataclass(frozen=True)
class Change:
    """A fact that takes a new value (or ends) on a day after the service day."""

    on: date
    fact: str
    period: Fact | None  # None: the fact ends and nothing follows

    def to_dict(self, procedure: Procedure) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "fact": self.fact,
            "value": None if self.period is None else fact_value(self.period),
            "verification": None if self.period is None else verification(self.period, procedure).to_dict(),
        }


def changes_after(procedure: Procedure, day: date) -> list[Change]:
    """Every change of a dated fact after `day`, in date order."""
    changes = []
    for fact in DATED_FACTS:
        periods = procedure.periods(fact)
        for i, period in enumerate(periods):
            if period.valid_from is not None and period.valid_from > day:
                changes.append(Change(period.valid_from, fact, period))
            if period.valid_until is not None and period.valid_until >= day:
                following = periods[i + 1] if i + 1 < len(periods) else None
                if following is None:
                    changes.append(Change(period.valid_until + timedelta(days=1), fact, None))
    return sorted(changes, key=lambda c: (c.on, DATED_FACTS.index(c.fact)))


def fact_value(period: Fact) -> Any:
    """The plain value of a period as the API gives it: a list, or the fact without its dates."""
    if isinstance(period, ListPeriod):
        return list(period.items)
    return period.model_dump(mode="json", exclude={"valid_from", "valid_until"})


@dataclass(frozen=True)
class ReviewState:
    interval_days: int
    due_on: date | None  # None: never verified, so due now
    status: str  # "ok", "due" (within LOOKAHEAD_DAYS), "overdue"
    reminders: list[tuple[date, str]]  # dated reviews from `reviews` still to come or due

    def to_dict(self) -> dict[str, Any]:
        return {
            "interval_days": self.interval_days,
            "due_on": None if self.due_on is None else self.due_on.isoformat(),
            "status": self.status,
            "reminders": [{"on": on.isoformat(), "note": note} for on, note in self.reminders],
        }


def review_state(procedure: Procedure, day: date) -> ReviewState:
    """When the procedure must be checked again: its interval after `verified_on`, or a dated review.

    A dated review is settled once the procedure is verified on or after its day.
    """
    interval = procedure.review_interval_days or DEFAULT_REVIEW_INTERVAL_DAYS
    horizon = day + timedelta(days=LOOKAHEAD_DAYS)
    verified_on = procedure.verified_on
    due_on = None if verified_on is None else verified_on + timedelta(days=interval)
    reminders = sorted(
        (review.on, review.note)
        for review in procedure.reviews or []
        if review.on <= horizon and (verified_on is None or verified_on < review.on)
    )
    if due_on is None or due_on < day or any(on <= day for on, _ in reminders):
        status = "overdue"
    elif due_on <= horizon or reminders:
        status = "due"
    else:
        status = "ok"
    return ReviewState(interval, due_on, status, reminders)


def in_force(procedure: Procedure, day: date) -> dict[str, Any]:
    """The procedure as it applies on `day`, as the API serves it.

    Each dated fact is replaced by its value in force, with `verification` for the fee and the
    processing time; `verification` lists every fact's; `changes` lists what changes after `day`
    and `next_change` the first of them. A fact no period covers keeps its nearest period, marked
    unconfirmed (the content check refuses such files; a staff edit cannot store one either).
    """
    view: dict[str, Any] = procedure.model_dump(mode="json", exclude_none=True, exclude=set(DATED_FACTS))
    verifications: dict[str, Any] = {}
    for fact in DATED_FACTS:
        period = period_on(procedure, fact, day)
        state: Verification
        if period is None:
            period = _nearest(procedure.periods(fact), day)
            state = Verification(False, None, period.source_url or procedure.source_url, _gap_note(fact))
        else:
            state = verification(period, procedure)
        value = fact_value(period)
        if isinstance(value, dict):
            value["verification"] = state.to_dict()
        view[fact] = value
        verifications[fact] = state.to_dict()
    changes = changes_after(procedure, day)
    view["verification"] = verifications
    view["service_day"] = day.isoformat()
    view["changes"] = [c.to_dict(procedure) for c in changes]
    view["next_change"] = None if not changes else _next_change(changes)
    view["review"] = review_state(procedure, day).to_dict()
    return view


def _next_change(changes: list[Change]) -> dict[str, Any]:
    first = changes[0].on
    return {"on": first.isoformat(), "facts": [c.fact for c in changes if c.on == first]}


def _nearest(periods: list[Fact], day: date) -> Fact:
    earlier = [p for p in periods if p.valid_until is not None and p.valid_until < day]
    return earlier[-1] if earlier else periods[0]


def _gap_note(fact: str) -> str:
    return f"Chưa có thông tin về {FACT_NAMES[fact]} áp dụng cho ngày này."


def schedule_change(procedure: Procedure, fact: str, change: Fact) -> Procedure:
    """The procedure with `change` applying to `fact` from `change.valid_from` (a staff edit).

    The period covering that day is split there (or replaced when it starts that day) and the change
    keeps its end; other periods stay. A day before every period or after the last one adds a
    period at that end (the content check then reports any gap).
    """
    start = change.valid_from
    if start is None:
        raise ValueError("a scheduled change needs valid_from")
    periods = procedure.periods(fact)
    result: list[Fact] = []
    placed = False
    for period in periods:
        if not placed and covers(period, start):
            if period.valid_from != start:
                result.append(period.model_copy(update={"valid_until": start - timedelta(days=1)}))
            result.append(change.model_copy(update={"valid_until": period.valid_until}))
            placed = True
        else:
            result.append(period)
    if not placed:
        first_start = periods[0].valid_from
        if first_start is not None and start < first_start:
            result.insert(0, change.model_copy(update={"valid_until": first_start - timedelta(days=1)}))
        else:
            result.append(change)
    data = procedure.model_dump(mode="json")
    data[fact] = [p.model_dump(mode="json", exclude_none=True) for p in result]
    return Procedure.model_validate(data)


def mark_verified(procedure: Procedure, day: date, source_url: str) -> Procedure:
    """The procedure confirmed again on `day` against `source_url` (facts marked unconfirmed stay so)."""
    return procedure.model_copy(update={"verified_on": day, "source_url": source_url})
