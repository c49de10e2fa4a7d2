"""`letan content check`: everything that makes a content set safe to load and to read aloud.

Beyond the schema (files.py), this checks what spans files: every id of the NLU contract is
present, aliases are unique across procedures, every procedure belongs to exactly one queue
service, answers are short enough to speak, placeholders are known, dates and URLs are sane.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from content.contract import CONTRACT_FAQ_KEYS, CONTRACT_PROCEDURE_IDS
from content.errors import ContentError, Problem, display_path
from content.files import FAQ_DIR, PROCEDURES_DIR, ParsedDir, SourceFile, parse_content_dir
from content.in_force import FACT_NAMES, LOOKAHEAD_DAYS, period_errors
from content.model import (
    DATED_FACTS,
    SERVICE_TIMEZONE,
    FaqEntry,
    Fee,
    ListPeriod,
    Procedure,
    ProcessingTime,
    ServicesFile,
    Site,
    missing_placeholders,
    placeholders,
    render_answer,
)
from vntext.normalize import fold

MAX_SPOKEN_CHARS = 300
MAX_SPOKEN_SENTENCES = 3
MAX_SUMMARY_SENTENCES = 1

Loc = tuple[str | int, ...]

_PUNCTUATION = re.compile(r"[^\w\s]")
_SENTENCE_END = re.compile(r"[.!?…]+(?:\s+|$)")


def count_sentences(text: str) -> int:
    """How many sentences a text reads as (a final sentence without a full stop counts too)."""
    pieces = [p for p in _SENTENCE_END.split(text.strip()) if p.strip()]
    return len(pieces)


def match_key(text: str) -> str:
    """How two names are compared: folded, punctuation ignored ("Nhận cha, mẹ" = "nhan cha me")."""
    return " ".join(_PUNCTUATION.sub(" ", fold(text)).split())


def is_good_url(url: str) -> bool:
    """An https URL with a real host name and no white space."""
    if any(ch.isspace() for ch in url):
        return False
    parsed = urlparse(url)
    host = parsed.hostname or ""
    return parsed.scheme == "https" and "." in host and not host.startswith(".") and not host.endswith(".")


def service_day() -> date:
    """Today at the service point (the content's dates are local dates)."""
    return datetime.now(ZoneInfo(SERVICE_TIMEZONE)).date()


def check_content_dir(path: Path | None = None, *, today: date | None = None) -> list[Problem]:
    """Every problem of a content directory, sorted by file and line (empty when all is well).

    Warnings (`Problem.warning`) are among them: see `errors_only`.
    """
    parsed = parse_content_dir(path)
    problems = list(parsed.problems)
    problems += _check_contract(parsed)
    problems += _check_procedures(parsed, today or service_day())
    problems += _check_services(parsed)
    problems += _check_faq(parsed)
    if parsed.site is not None:
        site, source = parsed.site
        if site.website is not None and not is_good_url(site.website):
            problems.append(source.problem(("website",), f"địa chỉ không hợp lệ: {site.website!r}"))
    return sorted(set(problems))


def errors_only(problems: list[Problem]) -> list[Problem]:
    """The problems that stop a load (warnings left out)."""
    return [p for p in problems if not p.warning]


def check_or_raise(path: Path | None = None) -> None:
    """Raise ContentError with every error, if any (warnings do not stop a load)."""
    problems = errors_only(check_content_dir(path))
    if problems:
        raise ContentError("content-check-failed", problems)


# --------------------------------------------------------------------------- checks


def _check_contract(parsed: ParsedDir) -> list[Problem]:
    problems = []
    have_procedures = {p.id for p, _ in parsed.procedures} | parsed.unreadable_procedures
    have_faq = {f.key for f, _ in parsed.faq} | parsed.unreadable_faq
    for folder, wanted, have, what in (
        (PROCEDURES_DIR, CONTRACT_PROCEDURE_IDS, have_procedures, "thủ tục"),
        (FAQ_DIR, CONTRACT_FAQ_KEYS, have_faq, "câu hỏi thường gặp"),
    ):
        for item_id in wanted:
            if item_id not in have:
                name = display_path(parsed.root / folder / f"{item_id}.yml", parsed.root)
                problems.append(Problem(name, 0, f"thiếu {what} '{item_id}' mà hợp đồng NLU yêu cầu"))
    return problems


def _spoken(source: SourceFile, loc: Loc, text: str, what: str) -> list[Problem]:
    problems = []
    if len(text) > MAX_SPOKEN_CHARS:
        problems.append(
            source.problem(loc, f"{what} dài {len(text)} ký tự, quá {MAX_SPOKEN_CHARS} để đọc to")
        )
    sentences = count_sentences(text)
    if sentences > MAX_SPOKEN_SENTENCES:
        problems.append(
            source.problem(loc, f"{what} có {sentences} câu, tối đa {MAX_SPOKEN_SENTENCES} câu để đọc to")
        )
    return problems


def _no_placeholders(source: SourceFile, loc: Loc, text: str) -> list[Problem]:
    names = placeholders(text)
    if names:
        return [source.problem(loc, f"chỗ trống {{{names[0]}}} chỉ dùng được trong câu trả lời FAQ")]
    return []


def _period_loc(procedure: Procedure, fact: str, index: int) -> Loc:
    """Where period `index` of a fact is in its file: the fact itself, or one item of its list."""
    return (fact, index) if procedure.is_dated(fact) else (fact,)


def _fact_texts(procedure: Procedure) -> list[tuple[Loc, str, str]]:
    """Every text of the dated facts, with its place and what it is (to read aloud)."""
    texts: list[tuple[Loc, str, str]] = []
    for fact, what in (("fee", "Lệ phí"), ("processing_time", "Thời hạn")):
        for i, period in enumerate(procedure.periods(fact)):
            assert isinstance(period, Fee | ProcessingTime)
            texts.append(((*_period_loc(procedure, fact, i), "text"), period.text, what))
    for fact in ("documents", "legal_basis"):
        for i, period in enumerate(procedure.periods(fact)):
            assert isinstance(period, ListPeriod)
            base: Loc = (fact, i, "items") if procedure.is_dated(fact) else (fact,)
            texts += [((*base, j), item, "") for j, item in enumerate(period.items)]
    return texts


def _procedure_texts(procedure: Procedure) -> list[tuple[Loc, str]]:
    texts: list[tuple[Loc, str]] = [
        (("name",), procedure.name),
        (("summary",), procedure.summary),
        (("where", "text"), procedure.where.text),
        (("online", "text"), procedure.online.text),
    ]
    texts += [(loc, text) for loc, text, _ in _fact_texts(procedure)]
    texts += [(("notes", i), n) for i, n in enumerate(procedure.notes)]
    texts += [(("aliases", i), a) for i, a in enumerate(procedure.aliases)]
    texts += [(("reviews", i, "note"), r.note) for i, r in enumerate(procedure.reviews or [])]
    return texts


def _check_periods(procedure: Procedure, source: SourceFile, today: date) -> list[Problem]:
    """Dated facts: in order, no gap, no overlap, something in force today, and warn before an end."""
    problems = [
        source.problem(_period_loc(procedure, fact, index), message)
        for fact, index, message in period_errors(procedure)
    ]
    horizon = today + timedelta(days=LOOKAHEAD_DAYS)
    for fact in DATED_FACTS:
        periods = procedure.periods(fact)
        name = FACT_NAMES[fact]

        def add(
            index: int, message: str, *, warning: bool = False, name: str = name, fact: str = fact
        ) -> None:
            loc = _period_loc(procedure, fact, index)
            problems.append(source.problem(loc, f"{name}: {message}", warning=warning))

        for i, period in enumerate(periods):
            if period.verified_on is not None and period.verified_on > today:
                add(i, f"ngày đối chiếu {period.verified_on} ở tương lai")
            if period.source_url is not None and not is_good_url(period.source_url):
                add(i, f"địa chỉ không hợp lệ: {period.source_url!r}")
        first_start, last_end = periods[0].valid_from, periods[-1].valid_until
        last = len(periods) - 1
        if first_start is not None and first_start > today:
            add(0, f"chưa có giá trị nào áp dụng hôm nay (giai đoạn đầu bắt đầu {first_start})")
        if last_end is not None and last_end < today:
            add(last, f"đã hết hiệu lực sau ngày {last_end}, không có giá trị nào tiếp theo")
        elif last_end is not None and last_end <= horizon:
            days_left = (last_end - today).days
            add(
                last,
                f"hết hiệu lực sau ngày {last_end} (còn {days_left} ngày) mà chưa có giá trị tiếp theo",
                warning=True,
            )
    for i, review in enumerate(procedure.reviews or []):
        if today <= review.on <= horizon:
            problems.append(
                source.problem(("reviews", i), f"cần rà soát ngày {review.on}: {review.note}", warning=True)
            )
    return problems


def _check_procedures(parsed: ParsedDir, today: date) -> list[Problem]:
    problems: list[Problem] = []
    # The folded name and aliases of every procedure, to find the same words used twice.
    owners: dict[str, list[tuple[str, SourceFile, Loc]]] = defaultdict(list)
    for procedure, source in parsed.procedures:
        owners[match_key(procedure.name)].append((procedure.id, source, ("name",)))
        for i, alias in enumerate(procedure.aliases):
            owners[match_key(alias)].append((procedure.id, source, ("aliases", i)))
        problems += _spoken(source, ("summary",), procedure.summary, "Tóm tắt")
        if count_sentences(procedure.summary) > MAX_SUMMARY_SENTENCES:
            problems.append(source.problem(("summary",), "tóm tắt phải là một câu để đọc to"))
        spoken: list[tuple[Loc, str, str]] = [
            (loc, text, what) for loc, text, what in _fact_texts(procedure) if what
        ]
        spoken += [
            (("where", "text"), procedure.where.text, "Nơi nộp"),
            (("online", "text"), procedure.online.text, "Nộp trực tuyến"),
        ]
        for loc, text, what in spoken:
            problems += _spoken(source, loc, text, what)
        problems += _check_periods(procedure, source, today)
        for loc, text in _procedure_texts(procedure):
            problems += _no_placeholders(source, loc, text)
        if procedure.verified_on is not None and procedure.verified_on > today:
            problems.append(
                source.problem(("verified_on",), f"ngày đối chiếu {procedure.verified_on} ở tương lai")
            )
        urls: list[tuple[Loc, str | None]] = [
            (("source_url",), procedure.source_url),
            (("online", "url"), procedure.online.url),
        ]
        for loc, url in urls:
            if url is not None and not is_good_url(url):
                problems.append(source.problem(loc, f"địa chỉ không hợp lệ: {url!r}"))
        if procedure.online.available != (procedure.online.level != "none"):
            problems.append(
                source.problem(("online", "level"), "online.available và online.level mâu thuẫn nhau")
            )
    for folded, uses in owners.items():
        ids = {procedure_id for procedure_id, _, _ in uses}
        if len(uses) > 1:
            first_id, first_source, first_loc = uses[0]
            for procedure_id, source, loc in uses[1:]:
                where = f"{first_source.name}:{first_source.line_of(first_loc)}"
                if len(ids) > 1 and procedure_id != first_id:
                    message = f"tên gọi '{folded}' đã dùng cho thủ tục '{first_id}' ({where})"
                else:
                    message = f"tên gọi '{folded}' bị lặp lại (đã có ở {where})"
                problems.append(source.problem(loc, message))
    return problems


def _check_services(parsed: ParsedDir) -> list[Problem]:
    problems: list[Problem] = []
    for other, source in parsed.sites:  # the city's other sites: their own services and counters
        problems += _check_services_file(parsed, other.services, source, ("services",))[0]
    if parsed.services is None:
        return problems
    services_file, source = parsed.services
    found, service_of, seen_ids = _check_services_file(parsed, services_file, source, ())
    problems += found
    procedures = {p.id: (p, s) for p, s in parsed.procedures}
    for procedure_id, (procedure, psource) in procedures.items():
        services = service_of.get(procedure_id, [])
        if not services:
            problems.append(
                psource.problem(
                    ("id",), f"thủ tục '{procedure_id}' chưa được gắn với dịch vụ nào trong services.yml"
                )
            )
        elif len(services) > 1:
            problems.append(
                psource.problem(
                    ("id",), f"thủ tục '{procedure_id}' được gắn với nhiều dịch vụ: {', '.join(services)}"
                )
            )
        wanted = procedure.where.service_id
        if wanted is None:
            problems.append(psource.problem(("where",), "thiếu where.service_id"))
        elif wanted not in seen_ids:
            problems.append(
                psource.problem(("where", "service_id"), f"không có dịch vụ '{wanted}' trong services.yml")
            )
        elif services and wanted not in services:
            problems.append(
                psource.problem(
                    ("where", "service_id"),
                    f"where.service_id là '{wanted}' nhưng services.yml gắn thủ tục với '{services[0]}'",
                )
            )
    return problems


def _check_services_file(
    parsed: ParsedDir, services_file: ServicesFile, source: SourceFile, at: tuple[str, ...]
) -> tuple[list[Problem], dict[str, list[str]], set[str]]:
    """One site's services and counters: ids, letters and numbers unique, references known."""
    problems: list[Problem] = []
    counter_ids: dict[str, int] = {}
    numbers: dict[int, str] = {}
    for i, counter in enumerate(services_file.counters):
        if counter.id in counter_ids:
            problems.append(source.problem((*at, "counters", i, "id"), f"quầy '{counter.id}' bị lặp lại"))
        counter_ids[counter.id] = i
        if counter.number in numbers:
            problems.append(
                source.problem(
                    (*at, "counters", i, "number"),
                    f"số quầy {counter.number} đã dùng cho '{numbers[counter.number]}'",
                )
            )
        numbers.setdefault(counter.number, counter.id)

    procedures = {p.id: (p, s) for p, s in parsed.procedures}
    service_of: dict[str, list[str]] = defaultdict(list)
    seen_ids: set[str] = set()
    seen_letters: set[str] = set()
    for i, service in enumerate(services_file.services):
        if service.id in seen_ids:
            problems.append(source.problem((*at, "services", i, "id"), f"dịch vụ '{service.id}' bị lặp lại"))
        if service.letter in seen_letters:
            problems.append(
                source.problem((*at, "services", i, "letter"), f"chữ cái '{service.letter}' đã dùng")
            )
        seen_ids.add(service.id)
        seen_letters.add(service.letter)
        for j, counter_id in enumerate(service.counters):
            if counter_id not in counter_ids:
                problems.append(
                    source.problem((*at, "services", i, "counters", j), f"không có quầy '{counter_id}'")
                )
        for j, procedure_id in enumerate(service.procedures):
            if procedure_id in parsed.unreadable_procedures:
                continue
            if procedure_id not in procedures:
                problems.append(
                    source.problem(
                        (*at, "services", i, "procedures", j), f"không có thủ tục '{procedure_id}'"
                    )
                )
                continue
            service_of[procedure_id].append(service.id)
            procedure, _ = procedures[procedure_id]
            if procedure.field not in service.fields:
                problems.append(
                    source.problem(
                        (*at, "services", i, "procedures", j),
                        f"thủ tục '{procedure_id}' thuộc lĩnh vực '{procedure.field}', "
                        f"không nằm trong fields của dịch vụ '{service.id}'",
                    )
                )

    return problems, service_of, seen_ids


def _check_answer(
    entry: FaqEntry, source: SourceFile, site: Site | None, loc: tuple[str, ...], text: str
) -> list[Problem]:
    """Placeholders known and filled at the site (else the entry's fallback is said); short to say."""
    problems = []
    known = set(Site.model_fields)
    has_fallback = entry.answer_if_missing is not None and loc != ("answer_if_missing",)
    for name in placeholders(text):
        if name not in known:
            problems.append(
                source.problem(
                    loc, f"chỗ trống không biết {{{name}}}; dùng một trong: {', '.join(sorted(known))}"
                )
            )
        elif site is not None and getattr(site, name) in (None, "") and not has_fallback:
            problems.append(source.problem(loc, f"chỗ trống {{{name}}} chưa có giá trị trong site.yml"))
    if problems or site is None or (has_fallback and missing_placeholders(entry, site)):
        return problems
    rendered = render_answer(text, site)
    if loc in (("answer",), ("answer_if_missing",)):
        problems += _spoken(source, loc, rendered, "Câu trả lời (sau khi điền)")
    return problems


def _check_faq(parsed: ParsedDir) -> list[Problem]:
    problems: list[Problem] = []
    site = parsed.site[0] if parsed.site else None
    variants: dict[str, tuple[SourceFile, int]] = {}
    for entry, source in parsed.faq:
        problems += _check_answer(entry, source, site, ("answer",), entry.answer)
        for elsewhere, _ in parsed.sites if entry.answer_if_missing is None else ():  # said at every site
            where = f"ở điểm phục vụ '{elsewhere.id}' (sites/{elsewhere.id}.yml)"
            problems += [
                source.problem(("answer",), f"chỗ trống {{{name}}} chưa có giá trị {where}")
                for name in missing_placeholders(entry, elsewhere.site)
                if name in Site.model_fields  # an unknown name is reported once, above
            ]
        for name in ("answer_details", "answer_if_missing"):
            text = getattr(entry, name)
            if text is not None:
                problems += _check_answer(entry, source, site, (name,), text)
        if entry.source_url is not None and not is_good_url(entry.source_url):
            problems.append(source.problem(("source_url",), f"địa chỉ không hợp lệ: {entry.source_url!r}"))
        for i, variant in enumerate([entry.question, *entry.variants]):
            loc: Loc = ("question",) if i == 0 else ("variants", i - 1)
            folded = match_key(variant)
            if folded in variants:
                other, line = variants[folded]
                problems.append(source.problem(loc, f"câu hỏi '{variant}' trùng với {other.name}:{line}"))
            else:
                variants[folded] = (source, source.line_of(loc))
    return problems
