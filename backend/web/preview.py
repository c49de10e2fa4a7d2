"""The answer the assistant gives for a procedure or an FAQ entry, as staff preview it.

It mirrors what the kiosk shows and the robot says: the procedure's summary, papers, fee, time
and place; an FAQ entry's answer with the site's values filled in.
"""

from __future__ import annotations

from content.model import FaqEntry, Procedure, Site


def procedure_answer(procedure: Procedure) -> str:
    lines = [f"{procedure.name}. {procedure.summary}"]
    if procedure.documents:
        lines.append("Giấy tờ cần chuẩn bị:")
        lines += [f"  {i}. {doc}" for i, doc in enumerate(procedure.documents, start=1)]
    lines.append(f"Lệ phí: {procedure.fee.text}")
    lines.append(f"Thời hạn giải quyết: {procedure.processing_time.text}")
    lines.append(f"Nơi nộp: {procedure.where.text}")
    if procedure.online.available:
        lines.append(f"Nộp trực tuyến: {procedure.online.text}")
    return "\n".join(lines)


def procedure_spoken(procedure: Procedure) -> str:
    """Shorter, for the voice: papers are read from the screen, not aloud."""
    count = len(procedure.documents)
    return (
        f"{procedure.name}. {procedure.summary} Bạn cần chuẩn bị {count} loại giấy tờ, xem trên màn hình. "
        f"Lệ phí: {procedure.fee.text} Thời hạn: {procedure.processing_time.text}"
    )


def faq_answer(entry: FaqEntry, site: Site | None) -> str:
    from backend.services.content import render_answer

    text = render_answer(entry.answer, site)
    if entry.answer_details:
        text += "\n" + render_answer(entry.answer_details, site)
    return text


def faq_spoken(entry: FaqEntry, site: Site | None) -> str:
    from backend.services.content import render_answer

    return render_answer(entry.answer, site)
