"""Errors with a stable `code` and a Vietnamese `detail`, turned into JSON once, at the top."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.responses import JSONResponse


class ApiError(Exception):
    """An error the API reports as `{"detail": <Vietnamese>, "code": <stable code>}`."""

    status_code = 400

    def __init__(self, code: str, detail: str, status_code: int | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail
        if status_code is not None:
            self.status_code = status_code
        self.extra = extra


class NotFoundError(ApiError):
    status_code = 404


class ConflictError(ApiError):
    status_code = 409


class UnauthorizedError(ApiError):
    status_code = 401


class ForbiddenError(ApiError):
    status_code = 403


class InvalidError(ApiError):
    status_code = 422


class TooManyRequestsError(ApiError):
    status_code = 429


def error_response(http_status: int, code: str, detail: str, **extra: Any) -> "JSONResponse":
    """The contract's error body `{"detail", "code"}` (plus `extra`) with its status."""
    from starlette.responses import JSONResponse

    headers = {"WWW-Authenticate": "Bearer"} if http_status == 401 else None
    return JSONResponse({**extra, "detail": detail, "code": code}, status_code=http_status, headers=headers)
