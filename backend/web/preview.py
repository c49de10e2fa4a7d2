"""The answer the assistant gives for a procedure or an FAQ entry, as staff preview it.

It mirrors what the kiosk shows and the robot says: the procedure's summary, papers, fee, time
and place; an FAQ entry's answer with the site's values filled in.
"""

from __future__ import annotations

from typing import Any

from content.model import FaqEntry, Site


def _stated(view: dict[str, Any], fact: str, text: str) -> str:
    """A fact's text, qualified when it is not confirmed (as the assistant says it)."""
    if view["verification"][fact]["verified"]:
        return text
    return f"{text} (chưa được xác nhận)"


def procedure_answer(view: dict[str, Any]) -> str:
    """What the kiosk shows of a procedure on the service day (`procedure_view`)."""
    lines = [f"{view['name']}. {view['summary']}"]
    if view["documents"]:
        lines.append("Giấy tờ cần chuẩn bị:")
        lines += [f"  {i}. {doc}" for i, doc in enumerate(view["documents"], start=1)]
    lines.append(f"Lệ phí: {_stated(view, 'fee', view['fee']['text'])}")
    lines.append(f"Thời hạn giải quyết: {_stated(view, 'processing_time', view['processing_time']['text'])}")
    lines.append(f"Nơi nộp: {view['where']['text']}")
    if view["online"]["available"]:
        lines.append(f"Nộp trực tuyến: {view['online']['text']}")
    return "\n".join(lines)


def procedure_spoken(view: dict[str, Any]) -> str:
    """Shorter, for the voice: papers are read from the screen, not aloud."""
    count = len(view["documents"])
    fee = _stated(view, "fee", view["fee"]["text"])
    time = _stated(view, "processing_time", view["processing_time"]["text"])
    return (
        f"{view['name']}. {view['summary']} Bạn cần chuẩn bị {count} loại giấy tờ, xem trên màn hình. "
        f"Lệ phí: {fee} Thời hạn: {time}"
    )


def faq_answer(entry: FaqEntry, site: Site | None) -> str:
    from backend.services.content import faq_answer as site_faq_answer

    answer, details = site_faq_answer(entry, site)
    return answer if not details else f"{answer}\n{details}"


def faq_spoken(entry: FaqEntry, site: Site | None) -> str:
    from backend.services.content import faq_answer as site_faq_answer

    return site_faq_answer(entry, site)[0]
