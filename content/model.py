"""The shape of the content files: one pydantic model per kind of file.

The backend stores these, the NLU generates training data from them and the kiosk shows them,
so a field added here is a field every part can rely on.
"""

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

from content.errors import ContentError, Problem

FieldId = Literal["ho_tich", "chung_thuc", "tu_phap", "cu_tru", "dat_dai", "xay_dung", "kinh_doanh", "xa_hoi"]
FIELD_NAMES: dict[str, str] = {
    "ho_tich": "Hộ tịch",
    "chung_thuc": "Chứng thực",
    "tu_phap": "Tư pháp",
    "cu_tru": "Cư trú, căn cước",
    "dat_dai": "Đất đai",
    "xay_dung": "Xây dựng",
    "kinh_doanh": "Kinh doanh",
    "xa_hoi": "Bảo trợ xã hội",
}
Identifier = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


DATED_FACTS = ("documents", "fee", "processing_time", "legal_basis")
# The two shapes of a dated fact, as pydantic names them in the location of an error.
ONE, DATED = "one", "dated"


def _shape(value: Any) -> str:
    """Which shape a dated fact is written in: periods are mappings (or models) in a list."""
    if isinstance(value, list) and value and isinstance(value[0], dict | BaseModel):
        return DATED
    return ONE


def field_location(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """An error's location in the file: without the shape tags of dated facts."""
    return tuple(part for part in loc if part not in (ONE, DATED))


class Fact(Strict):
    """What every stated fact may carry: the days it applies and how it was confirmed.

    `valid_from` / `valid_until` (local dates, both included) bound a period of a fact that changes
    on a date; a fact given once applies at all times. A fact is confirmed by its own
    `verified_on` (with `source_url`, defaulting to the procedure's), else by the procedure's
    `verified_on`; `unconfirmed` says why it is not, and overrides both.
    """

    valid_from: date | None = None
    valid_until: date | None = None
    verified_on: date | None = None
    source_url: str | None = Field(default=None, pattern=r"^https://")
    unconfirmed: str | None = Field(default=None, min_length=1)


class Fee(Fact):
    text: str = Field(min_length=1)
    amount_vnd: int | None = Field(default=None, ge=0)


class ProcessingTime(Fact):
    text: str = Field(min_length=1)
    working_days: float | None = Field(default=None, ge=0)


class ListPeriod(Fact):
    """One period of a list fact (documents, legal basis) that changes on a date."""

    items: list[str] = Field(min_length=1)


# A list fact (documents, legal basis): lines, or periods of lines.
ListFact = Annotated[
    Annotated[list[str], Field(min_length=1), Tag(ONE)]
    | Annotated[list[ListPeriod], Field(min_length=1), Tag(DATED)],
    Discriminator(_shape),
]


class Review(Strict):
    """A day on which staff must re-check a procedure (a law taking effect, a decree lapsing)."""

    on: date
    note: str = Field(min_length=1)


DEFAULT_REVIEW_INTERVAL_DAYS = 180
# The dates of content are local dates of the service point.
SERVICE_TIMEZONE = "Asia/Ho_Chi_Minh"


class Where(Strict):
    text: str = Field(min_length=1)
    service_id: str | None = None


class Online(Strict):
    available: bool
    level: Literal["full", "partial", "none"]
    url: str | None = Field(default=None, pattern=r"^https://")
    text: str = Field(min_length=1)


class Procedure(Strict):
    id: str = Identifier
    name: str = Field(min_length=3)
    field: FieldId
    aliases: list[str] = Field(default_factory=list)
    # What citizens say happened to them when this procedure is what they need ("có người mất",
    # "mới sinh em bé"): the assistant learns them as descriptions of this procedure.
    life_events: list[str] = Field(default_factory=list)
    summary: str = Field(min_length=1)
    # The dated facts: one value, or a list of periods in date order (see `Fact`).
    documents: ListFact
    fee: Annotated[
        Annotated[Fee, Tag(ONE)] | Annotated[list[Fee], Field(min_length=1), Tag(DATED)],
        Discriminator(_shape),
    ]
    processing_time: Annotated[
        Annotated[ProcessingTime, Tag(ONE)]
        | Annotated[list[ProcessingTime], Field(min_length=1), Tag(DATED)],
        Discriminator(_shape),
    ]
    where: Where
    online: Online
    legal_basis: ListFact
    source_url: str = Field(pattern=r"^https://")
    # Set only on the day the key facts (fee, time limit, authority) were confirmed against a
    # published source (`source_url`, or the one `notes` names); left out otherwise, and `notes`
    # then says what could not be confirmed.
    verified_on: date | None = None
    # Days after `verified_on` when the procedure is due for another check (default 180).
    review_interval_days: int | None = Field(default=None, ge=1, le=3650)
    reviews: list[Review] | None = None
    notes: list[str] = Field(default_factory=list)

    def periods(self, fact: str) -> list[Fact]:
        """The periods of one dated fact in file order; a fact given once is one open period."""
        value = getattr(self, fact)
        if isinstance(value, Fact):
            return [value]
        if value and isinstance(value[0], str):
            return [ListPeriod(items=value)]
        return list(value)

    def is_dated(self, fact: str) -> bool:
        """Whether the fact is written as a list of periods."""
        value = getattr(self, fact)
        return isinstance(value, list) and bool(value) and not isinstance(value[0], str)


class FaqEntry(Strict):
    key: str = Identifier
    question: str = Field(min_length=3)
    variants: list[str] = Field(min_length=5, max_length=10)
    answer: str = Field(min_length=1)
    answer_details: str | None = None
    # Said instead of `answer` (and `answer_details`) at a site that has no value for one of their
    # placeholders: an amenity this service point does not have.
    answer_if_missing: str | None = None
    # The page that states the answer's facts and the day it was checked (as for procedures).
    source_url: str | None = Field(default=None, pattern=r"^https://")
    verified_on: date | None = None


class Counter(Strict):
    id: str = Identifier
    number: int = Field(ge=1)
    name: str = Field(min_length=1)


class Service(Strict):
    id: str = Identifier
    letter: str = Field(pattern=r"^[A-Z]$")
    name: str = Field(min_length=1)
    fields: list[FieldId] = Field(min_length=1)
    procedures: list[str] = Field(default_factory=list)
    counters: list[str] = Field(min_length=1)


class ServicesFile(Strict):
    services: list[Service] = Field(min_length=1)
    counters: list[Counter] = Field(min_length=1)


class Site(Strict):
    """What differs between service points: a new ward edits this one file."""

    name: str
    address: str
    opening_hours: str
    wifi_name: str
    wifi_password: str
    hotline: str | None = None
    website: str | None = Field(default=None, pattern=r"^https://")
    toilet_location: str | None = None
    parking_location: str | None = None
    # Amenities that differ between service points; left out where this point has none.
    robot_location: str | None = None
    medical_kit_location: str | None = None
    reading_corner_location: str | None = None
    assistive_devices: str | None = None


DEFAULT_SITE_ID = "default"
SiteId = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)


class SiteContent(Strict):
    """Another service point of the same city (`sites/<id>.yml`): its values, services and counters.

    The default site (`default`) is the one of `site.yml` and `services.yml`.
    """

    id: str = SiteId
    time_zone: str = SERVICE_TIMEZONE
    site: Site
    services: ServicesFile


class ContentSet(Strict):
    site: Site
    procedures: list[Procedure]
    faq: list[FaqEntry]
    services: ServicesFile
    # The city's other service points; procedures and FAQ are the same for every one.
    sites: list[SiteContent] = Field(default_factory=list)


PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def placeholders(text: str) -> list[str]:
    """The `{name}` placeholders of an answer template, in order of appearance."""
    return PLACEHOLDER.findall(text)


def site_placeholders() -> list[str]:
    """The names an answer may use: every field of `Site`."""
    return list(Site.model_fields)


def missing_placeholders(entry: FaqEntry, site: Site) -> list[str]:
    """The placeholders of an entry's answer (and details) that the site has no value for."""
    values = site.model_dump()
    names = placeholders(entry.answer) + placeholders(entry.answer_details or "")
    return [name for name in names if values.get(name) in (None, "")]


def site_answer(entry: FaqEntry, site: Site) -> tuple[str, str | None]:
    """(answer, details) as said at `site`: filled in, or `answer_if_missing` when a value is missing.

    Raises `ContentError` when a value is missing and the entry has no `answer_if_missing`.
    """
    if entry.answer_if_missing and missing_placeholders(entry, site):
        return render_answer(entry.answer_if_missing, site), None
    details = None if entry.answer_details is None else render_answer(entry.answer_details, site)
    return render_answer(entry.answer, site), details


def render_answer(text: str, site: Site) -> str:
    """Fill the `{placeholder}`s of an FAQ answer with the site's values.

    Raises `ContentError` ("content-unknown-placeholder") for a name that is not a Site field or
    a Site field without a value: an answer must never be read aloud with a hole in it.
    """
    values = site.model_dump()
    missing = [name for name in placeholders(text) if values.get(name) in (None, "")]
    if missing:
        raise ContentError(
            "content-unknown-placeholder",
            [Problem("", 0, f"chỗ trống không có giá trị: {{{name}}}") for name in missing],
        )
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def learned_fingerprint(content_set: ContentSet) -> str:
    """What the assistant's model learns from a content set, as a digest: procedure names, aliases
    and life events, FAQ keys, questions and variants (facts are read live and need no training)."""
    import hashlib
    import json

    words = {
        "procedures": sorted(
            (p.id, p.name, sorted(p.aliases), sorted(p.life_events)) for p in content_set.procedures
        ),
        "faq": sorted((f.key, f.question, sorted(f.variants)) for f in content_set.faq),
    }
    return hashlib.sha256(json.dumps(words, ensure_ascii=False).encode()).hexdigest()
