"""A dossier look-up result in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.presenters.formatting import vn_date
from kiosk.strings import t

STATUS_TEXT: dict[str, str] = {
    "moi_dang_ky": "Mới đăng ký",
    "da_tiep_nhan": "Đã tiếp nhận",
    "khong_tiep_nhan": "Không được tiếp nhận",
    "dang_xu_ly": "Đang xử lý",
    "yeu_cau_bo_sung": "Yêu cầu bổ sung giấy tờ",
    "yeu_cau_nghia_vu_tai_chinh": "Yêu cầu thực hiện nghĩa vụ tài chính",
    "cong_dan_rut_ho_so": "Công dân yêu cầu rút hồ sơ",
    "dung_xu_ly": "Dừng xử lý",
    "da_xu_ly_xong": "Đã xử lý xong",
    "da_tra_ket_qua": "Đã trả kết quả",
}


@dataclass
class DossierView:
    procedure: str
    status: str
    status_text: str
    received_on: str
    appointment_on: str
    next_step: str
    applicant: str
    verified: bool = False
    note: str = ""

    @property
    def speech_text(self) -> str:
        parts = [
            f"{t('dossier.procedure')}: {self.procedure}",
            f"{t('dossier.status')}: {self.status_text}",
            f"{t('dossier.appointment')}: {self.appointment_on}" if self.appointment_on else "",
            f"{t('dossier.next_step')}: {self.next_step}" if self.next_step else "",
        ]
        return ". ".join(p for p in parts if p)


def dossier_view(data: dict[str, Any]) -> DossierView:
    status = str(data.get("status", ""))
    return DossierView(
        procedure=str(data.get("procedure_name") or data.get("procedure_id") or ""),
        status=status,
        status_text=str(data.get("status_text") or STATUS_TEXT.get(status, status)),
        received_on=vn_date(data.get("received_on")),
        appointment_on=vn_date(data.get("appointment_on")),
        next_step=str(data.get("next_step") or ""),
        applicant=str(data.get("applicant") or ""),
        verified=bool(data.get("verified")),
        note=str(data.get("note") or ""),
    )


VERIFY_DIGITS = 4


def verify_digits_problem(digits: str) -> str | None:
    """Why `digits` cannot be sent as the phone check (None when they can): exactly four digits."""
    if len(digits) != VERIFY_DIGITS or not digits.isdigit():
        return t("dossier.verify_short")
    return None


def verified_message(view: DossierView) -> str:
    """After a look-up with the four digits: the wrong-digits message, or "" when they matched."""
    return "" if view.verified else t("dossier.verify_wrong")


def lookup_error_message(code: str, status: int | None) -> str:
    """The Vietnamese message for a failed look-up."""
    if status == 404 or code.endswith("not_found"):
        return t("dossier.not_found")
    if status == 422 or "malformed" in code:
        return t("dossier.malformed")
    if status == 429:
        return t("dossier.too_many")
    return t("dossier.unavailable")
