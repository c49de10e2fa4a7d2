"""What a status message says: the procedure, the status in plain words, the next step, where to go.

A message never carries the applicant's name, the phone number or the full dossier code: the
citizen recognises the dossier by the code's last four digits and the day it was received (both
printed on the receipt, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contract.resources import DossierStatus

# The statuses a citizen must act on or wait for. "Returned" is the dossier handed back to the
# citizen: not accepted (khong_tiep_nhan) or stopped (dung_xu_ly). The others (just registered,
# being processed, withdrawn by the citizen, result already handed over) send nothing.
NOTIFY_STATUSES: frozenset[str] = frozenset(
    {
        DossierStatus.DA_TIEP_NHAN.value,  # received
        DossierStatus.YEU_CAU_BO_SUNG.value,  # needs more papers
        DossierStatus.YEU_CAU_NGHIA_VU_TAI_CHINH.value,  # financial obligation
        DossierStatus.DA_XU_LY_XONG.value,  # result ready
        DossierStatus.KHONG_TIEP_NHAN.value,  # returned: not accepted
        DossierStatus.DUNG_XU_LY.value,  # returned: stopped
    }
)


@dataclass(frozen=True)
class StatusNews:
    """What the dossier service knows about the change, already in plain Vietnamese."""

    code: str
    status: str
    procedure_name: str
    received_on: date | None
    status_text: str
    next_step: str
    place: str  # the service point's name and address


def code_tail(code: str) -> str:
    """The code's last four digits (its sequence number of the day): "…-0001" -> "0001"."""
    return code.rsplit("-", 1)[-1][-4:]


def received_day(news: StatusNews) -> str:
    if news.received_on is not None:
        return news.received_on.strftime("%d/%m/%Y")
    day = news.code.split("-")[1] if news.code.count("-") == 2 else ""  # YYMMDD in the code
    return f"{day[4:6]}/{day[2:4]}/20{day[0:2]}" if len(day) == 6 and day.isdigit() else "?"


def compose(news: StatusNews, opt_out_link: str) -> tuple[str, str]:
    """(subject, text) of the message; the same text goes out on every channel."""
    label = DossierStatus(news.status).label
    which = f"mã kết thúc bằng {code_tail(news.code)}, nộp ngày {received_day(news)}"
    subject = f"Hồ sơ {news.procedure_name} ({which}): {label}"
    text = "\n".join(
        [
            f"Hồ sơ {news.procedure_name} của ông/bà ({which}).",
            f"Tình trạng: {news.status_text}",
            f"Việc cần làm: {news.next_step}",
            f"Nơi đến: {news.place}",
            f"Không muốn nhận tin nữa: {opt_out_link}",
        ]
    )
    return subject, text
