"""The shape of the content files: one pydantic model per kind of file.

The backend stores these, the NLU generates training data from them and the kiosk shows them,
so a field added here is a field every part can rely on.
"""

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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


class Fee(Strict):
    text: str = Field(min_length=1)
    amount_vnd: int | None = Field(default=None, ge=0)


class ProcessingTime(Strict):
    text: str = Field(min_length=1)
    working_days: float | None = Field(default=None, ge=0)


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
    summary: str = Field(min_length=1)
    documents: list[str] = Field(min_length=1)
    fee: Fee
    processing_time: ProcessingTime
    where: Where
    online: Online
    legal_basis: list[str] = Field(min_length=1)
    source_url: str = Field(pattern=r"^https://")
    # Set only on the day the key facts (fee, time limit, authority) were confirmed against a
    # published source (`source_url`, or the one `notes` names); left out otherwise, and `notes`
    # then says what could not be confirmed.
    verified_on: date | None = None
    notes: list[str] = Field(default_factory=list)


class FaqEntry(Strict):
    key: str = Identifier
    question: str = Field(min_length=3)
    variants: list[str] = Field(min_length=5, max_length=10)
    answer: str = Field(min_length=1)
    answer_details: str | None = None


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


class ContentSet(Strict):
    site: Site
    procedures: list[Procedure]
    faq: list[FaqEntry]
    services: ServicesFile


PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def placeholders(text: str) -> list[str]:
    """The `{name}` placeholders of an answer template, in order of appearance."""
    return PLACEHOLDER.findall(text)


def site_placeholders() -> list[str]:
    """The names an answer may use: every field of `Site`."""
    return list(Site.model_fields)


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
