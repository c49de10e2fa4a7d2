"""The published OpenAPI document, made to tell the truth: every status a route can answer with the
error body `{detail, code}`, the real 422 body, and who may call what (the security schemes).

FastAPI documents the success answer and its own idea of a 422. The statuses every route shares
are added here by rule (what the request guard, the database and authentication can answer); the
few a route adds by itself are in `ROUTE_ERRORS`. The schemathesis test (tests/backend) checks the
document against what the server really answers.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

DEVICE_SCHEME = "deviceToken"
STAFF_SCHEME = "staffToken"
PROVIDER_SCHEME = "providerSecret"
SECURITY_SCHEMES = {
    DEVICE_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "description": "Mã truy cập của một thiết bị (ki-ốt, rô-bốt, máy chủ trợ lý): "
        "`letan devices add NAME`.",
    },
    STAFF_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "description": "Mã đăng nhập của cán bộ, từ `POST /api/v1/auth/token`; hết hạn sau vài giờ, "
        "hết hiệu lực khi đăng xuất, bị tắt hoặc đặt lại mật khẩu.",
    },
    PROVIDER_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "description": "Khoá bí mật chung với nhà cung cấp SMS/Zalo (`LETAN_NOTIFY__INBOUND_SECRET`), "
        "cho tin trả lời của công dân; chưa đặt thì mọi lời gọi bị từ chối (403).",
    },
}
ERROR_SCHEMA = {
    "title": "ErrorPublic",
    "type": "object",
    "required": ["detail", "code"],
    "properties": {
        "detail": {"type": "string", "description": "Lời giải thích bằng tiếng Việt."},
        "code": {"type": "string", "description": "Mã lỗi ổn định, cho chương trình đọc."},
    },
}
VALIDATION_ERROR_SCHEMA = {
    "title": "ValidationErrorPublic",
    "type": "object",
    "required": ["detail", "code"],
    "properties": {
        **ERROR_SCHEMA["properties"],  # type: ignore[dict-item]
        "errors": {
            "type": "array",
            "description": "Các trường sai (khi dữ liệu gửi lên không đúng khuôn dạng).",
            "items": {
                "type": "object",
                "required": ["loc", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"type": "string"}},
                    "type": {"type": "string"},
                },
            },
        },
    },
}
STATUS_TEXT = {
    400: "Yêu cầu không đọc được.",
    401: "Thiếu mã truy cập, hoặc mã sai, hết hạn hay đã bị thu hồi.",
    403: "Tài khoản không có vai trò cần thiết.",
    404: "Không tìm thấy.",
    409: "Xung đột với trạng thái hiện tại.",
    413: "Nội dung gửi lên quá lớn.",
    422: "Dữ liệu không hợp lệ (khuôn dạng, ký tự điều khiển, JSON quá sâu...).",
    429: "Quá nhiều lần thử.",
    503: "Cơ sở dữ liệu tạm thời không dùng được.",
}
# Statuses a route answers by itself, beyond the shared ones added by rule below.
ROUTE_ERRORS: dict[tuple[str, str], tuple[int, ...]] = {
    ("POST", "/api/v1/auth/token"): (401, 429),
    ("POST", "/api/v1/publish/{job_id}/progress"): (404, 409),
    ("POST", "/api/v1/tickets"): (404,),
    ("GET", "/api/v1/booking/windows"): (404,),
    ("POST", "/api/v1/bookings"): (404, 409, 429),
    ("POST", "/api/v1/bookings/lookup"): (404, 429),
    ("POST", "/api/v1/bookings/cancel"): (404, 409, 429),
    ("POST", "/api/v1/bookings/check-in"): (404, 409),
    ("GET", "/api/v1/bookings/day"): (404,),
    ("POST", "/api/v1/bookings/close-window"): (404,),
    ("POST", "/api/v1/counters/{counter_id}/call-next"): (409,),
    ("POST", "/api/v1/tickets/{ticket_id}/recall"): (409,),
    ("POST", "/api/v1/tickets/{ticket_id}/no-show"): (409,),
    ("POST", "/api/v1/tickets/{ticket_id}/done"): (409,),
    ("POST", "/api/v1/tickets/{ticket_id}/start"): (409,),
    ("POST", "/api/v1/tickets/{ticket_id}/transfer"): (409,),
    ("PUT", "/api/v1/procedures/{procedure_id}"): (409,),
    ("PUT", "/api/v1/faq/{key}"): (409,),
    ("GET", "/api/v1/dossiers/{code}"): (429,),
    ("POST", "/api/v1/dossiers/{code}/notifications"): (403, 429),
    ("POST", "/api/v1/notifications/opt-out"): (404,),
    ("POST", "/api/v1/feedback"): (404,),
    ("GET", "/api/v1/site"): (404,),
    # Per-site reads: `?site=` names no site (404); a device's ticket of another site (403).
    ("GET", "/api/v1/faq"): (404,),
    ("GET", "/api/v1/services"): (404,),
    ("GET", "/api/v1/queue"): (404,),
    ("GET", "/api/v1/tickets/{ticket_id}"): (403,),
}
# Upserts answer 201 when they create.
CREATED_TOO = {"/api/v1/dossiers/{code}", "/api/v1/procedures/{procedure_id}", "/api/v1/faq/{key}"}
BODY_METHODS = {"POST", "PUT", "PATCH"}


def _calls(dependant: Dependant) -> list[Any]:
    found: list[Any] = []
    stack = [dependant]
    while stack:
        current = stack.pop()
        found.extend(dep.call for dep in current.dependencies)
        stack.extend(current.dependencies)
    return found


def route_access(route: RouteContext) -> tuple[str, tuple[str, ...]]:
    """("public" | "device" | "staff" | "provider", roles) from the route's dependencies (or
    `openapi_extra`)."""
    from backend.deps import get_principal

    declared = (route.openapi_extra or {}).get("x-letan-access")
    if declared:
        return str(declared), ()
    calls = _calls(route.dependant)
    roles = next((call.roles for call in calls if hasattr(call, "roles")), None)
    if roles is not None:
        return "staff", tuple(roles)
    return ("device", ()) if get_principal in calls else ("public", ())


def _error_response(status: int, validation: bool = False) -> dict[str, Any]:
    name = "ValidationErrorPublic" if validation else "ErrorPublic"
    return {
        "description": STATUS_TEXT[status],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def build_openapi(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["ErrorPublic"] = ERROR_SCHEMA
    schemas["ValidationErrorPublic"] = VALIDATION_ERROR_SCHEMA
    components["securitySchemes"] = SECURITY_SCHEMES
    for route in iter_route_contexts(app.routes):  # the routes of included routers, with their prefix
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = schema["paths"][route.path_format][method.lower()]
            _describe(operation, route, method)
    return schema


def _describe(operation: dict[str, Any], route: RouteContext, method: str) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    access, roles = route_access(route)
    path = route.path_format or ""
    statuses = {422, 503, *ROUTE_ERRORS.get((method, path), ())}
    if method in BODY_METHODS:
        statuses |= {400, 413}  # a body that is not UTF-8 cannot be read at all; one too large
    if "{" in path:
        statuses.add(404)
    if access != "public":
        statuses.add(401)
        operation["security"] = {
            "device": [{DEVICE_SCHEME: []}, {STAFF_SCHEME: []}],
            "provider": [{PROVIDER_SCHEME: []}],
        }.get(access, [{STAFF_SCHEME: []}])
    if access == "provider":
        statuses.add(403)  # no secret configured: the route is closed
    if access == "staff":
        statuses.add(403)
        names = ", ".join(("admin", *roles))
        operation["description"] = (operation.get("description", "") + f"\n\nVai trò: {names}.").strip()
    for status in sorted(statuses):
        responses[str(status)] = _error_response(status, validation=status == 422)
    if path in CREATED_TOO and method == "PUT" and "200" in responses:
        responses.setdefault("201", {**responses["200"], "description": "Đã tạo mới."})


def install_openapi(app: FastAPI) -> None:
    """Serve `build_openapi(app)` at the app's `openapi_url` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
