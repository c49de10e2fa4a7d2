"""A dossier look-up result in plain words."""

from __future__ import annotations

from dataclasses import dataclass

from contract.resources import Dossier
from kiosk.presenters.formatting import vn_date
from kiosk.strings import t


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


def dossier_view(dossier: Dossier) -> DossierView:
    return DossierView(
        procedure=dossier.procedure_name or dossier.procedure_id,
        status=dossier.status.value,
        status_text=dossier.status_text,  # the backend's words, else the status's own label
        received_on=vn_date(dossier.received_on),
        appointment_on=vn_date(dossier.appointment_on),
        next_step=dossier.next_step,
        applicant=dossier.applicant,
        verified=dossier.verified,
        note=dossier.note or "",
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


# ---- status messages: the opt-in offered after a verified look-up --------------------------
OPT_IN_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("dossier.optin_sms_zalo", ("sms", "zalo")),
    ("dossier.optin_sms", ("sms",)),
)
CHANNEL_NAMES = {"sms": "SMS", "zalo": "Zalo", "email": "thư điện tử"}


def opt_in_offered(view: DossierView) -> bool:
    """The opt-in is offered only once the phone's last four digits have matched."""
    return view.verified


def opted_in_message(channels: list[str]) -> str:
    """What was agreed (the channels, never the phone number) and how to stop."""
    names = [CHANNEL_NAMES.get(c, c) for c in channels]
    agreed = t("dossier.optin_done").format(channels=" và ".join(names))
    return f"{agreed}\n{t('dossier.optin_how_to_stop')}"


def opt_in_error_message(code: str, status: int | None) -> str:
    if status == 403 or code == "verify_mismatch":
        return t("dossier.verify_wrong")
    if status == 429:
        return t("dossier.too_many")
    return t("dossier.optin_failed")
