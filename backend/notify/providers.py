"""Delivery channels behind one interface: `Provider.send(Outgoing) -> provider message id`.

Email goes through SMTP; SMS and Zalo through an HTTP API each (the provider's gateway), configured
by settings. Every message carries its own key (`Outgoing.key`): the HTTP providers receive it as
`Idempotency-Key`, so a message sent again after a crash is delivered once by a provider that
deduplicates; SMTP has no such key, so an email may arrive twice (its `Message-ID` is the key, and
mail programs show one copy).

A failure is a `DeliveryError`: `retryable` when trying later may work (connection refused,
timeout, 5xx, 429), permanent otherwise (a refused address, a 4xx).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Literal, Protocol

import httpx
from pydantic import BaseModel, Field, SecretStr

logger = logging.getLogger(__name__)

ChannelName = Literal["email", "sms", "zalo"]


@dataclass(frozen=True)
class Outgoing:
    """One message to one citizen on one channel; `key` is the same on every attempt."""

    key: str
    channel: ChannelName
    to: str
    subject: str
    text: str


class DeliveryError(Exception):
    def __init__(self, code: str, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


class Provider(Protocol):
    channel: ChannelName

    def send(self, message: Outgoing) -> str:
        """Deliver `message`; return the provider's id for it. Raises `DeliveryError`."""
        ...


class SmtpSettings(BaseModel):
    host: str
    port: int = Field(default=587, ge=1, le=65535)
    username: str | None = None
    password: str | None = None
    sender: str = Field(min_length=3)
    # "starttls" (port 587), "ssl" (port 465) or "none" (a relay on the local network only)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    timeout_s: float = Field(default=15.0, gt=0)


class HttpProviderSettings(BaseModel):
    """A message gateway that takes `POST url` with JSON `{to, text, key}` and a bearer token."""

    url: str = Field(pattern=r"^https?://")
    token: str | None = None
    timeout_s: float = Field(default=15.0, gt=0)


class NotifySettings(BaseModel):
    """`LETAN_NOTIFY__*`: the channels configured (none: messages wait in the outbox)."""

    smtp: SmtpSettings | None = None
    sms: HttpProviderSettings | None = None
    zalo: HttpProviderSettings | None = None
    max_attempts: int = Field(default=8, ge=1, le=50)
    first_retry_s: float = Field(default=30.0, gt=0)
    max_retry_s: float = Field(default=3600.0, gt=0)
    poll_s: float = Field(default=5.0, gt=0)
    # A message being sent is the worker's for this long; after it (the worker died), it is sent again.
    lease_s: float = Field(default=300.0, gt=0)
    # The public address of the opt-out page; each message ends with `<opt_out_url>/<token>`.
    opt_out_url: str = Field(default="http://127.0.0.1:8000/huy-nhan-tin", pattern=r"^https?://")
    # The shared secret the SMS/Zalo gateway sends (`Authorization: Bearer …`) with the citizens'
    # replies to `POST /api/v1/notifications/replies`; unset, that route refuses every call.
    inbound_secret: SecretStr | None = Field(default=None, min_length=16)


class SmtpProvider:
    channel: ChannelName = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings

    def send(self, message: Outgoing) -> str:
        s = self.settings
        email = EmailMessage()
        email["From"] = s.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        message_id = make_msgid(idstring=message.key, domain="letan.local")
        email["Message-ID"] = message_id
        email.set_content(message.text)
        try:
            if s.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout_s, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
            with client:
                if s.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if s.username:
                    client.login(s.username, s.password or "")
                refused = client.send_message(email)
        except smtplib.SMTPRecipientsRefused as err:
            raise DeliveryError(
                "email-refused", "Máy chủ thư từ chối địa chỉ nhận.", retryable=False
            ) from err
        except smtplib.SMTPAuthenticationError as err:
            raise DeliveryError("email-auth", "Máy chủ thư từ chối tài khoản gửi.", retryable=False) from err
        except (smtplib.SMTPException, OSError) as err:
            raise DeliveryError(
                "email-unavailable", f"Không gửi được thư ({type(err).__name__}).", retryable=True
            ) from err
        if refused:
            raise DeliveryError("email-refused", "Máy chủ thư từ chối địa chỉ nhận.", retryable=False)
        return message_id


class HttpProvider:
    """SMS or Zalo through the gateway's HTTP API (one adapter, the channel named by settings)."""

    def __init__(self, channel: ChannelName, settings: HttpProviderSettings) -> None:
        self.channel = channel
        self.settings = settings

    def send(self, message: Outgoing) -> str:
        headers = {"Idempotency-Key": message.key}
        if self.settings.token:
            headers["Authorization"] = f"Bearer {self.settings.token}"
        body = {"to": message.to, "text": message.text, "key": message.key}
        try:
            response = httpx.post(
                self.settings.url, json=body, headers=headers, timeout=self.settings.timeout_s
            )
        except httpx.HTTPError as err:
            raise DeliveryError(
                f"{self.channel}-unavailable",
                f"Không gọi được nhà cung cấp ({type(err).__name__}).",
                retryable=True,
            ) from err
        if response.status_code >= 500 or response.status_code == 429:
            raise DeliveryError(
                f"{self.channel}-unavailable",
                f"Nhà cung cấp trả lời {response.status_code}; sẽ thử lại.",
                retryable=True,
            )
        if response.status_code >= 400:
            raise DeliveryError(
                f"{self.channel}-refused",
                f"Nhà cung cấp từ chối tin ({response.status_code}).",
                retryable=False,
            )
        try:
            return str(response.json().get("id") or message.key)
        except (ValueError, AttributeError):
            return message.key


def configured_providers(settings: NotifySettings) -> dict[str, Provider]:
    """The providers that settings configure, by channel (an empty dict: nothing can be sent)."""
    providers: dict[str, Provider] = {}
    if settings.smtp is not None:
        providers["email"] = SmtpProvider(settings.smtp)
    if settings.sms is not None:
        providers["sms"] = HttpProvider("sms", settings.sms)
    if settings.zalo is not None:
        providers["zalo"] = HttpProvider("zalo", settings.zalo)
    return providers
