"""Errors of the contract clients: a stable `code`, a Vietnamese `message`, the HTTP `status`."""

from __future__ import annotations


class ContractError(Exception):
    def __init__(self, code: str, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


class BackendError(ContractError):
    """The backend refused a request; `code` and `message` are the backend's own (`{detail, code}`)."""


class BackendUnavailableError(BackendError):
    """The backend cannot be reached, timed out, answered 5xx or nonsense (after the one retry)."""


class RasaError(ContractError):
    """The Rasa server cannot be reached or answered nonsense."""


BACKEND_DOWN_MESSAGE = "Máy chủ của điểm phục vụ đang không trả lời."
NO_DEVICE_TOKEN_MESSAGE = "Thiết bị này chưa được cấp mã truy cập; xin báo cán bộ quản trị."  # noqa: S105
RASA_DOWN_MESSAGE = "Trợ lý trò chuyện đang không trả lời."
