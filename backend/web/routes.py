"""Routes of the staff pages; the backend's app factory mounts `router` at /staff."""

from fastapi import APIRouter

from backend.web import (
    pages_auth,
    pages_bookings,
    pages_city,
    pages_content,
    pages_faq,
    pages_history,
    pages_needs,
    pages_notify,
    pages_publish,
    pages_queue,
    pages_users,
)

router = APIRouter(include_in_schema=False)
router.include_router(pages_auth.router)
router.include_router(pages_content.router)
router.include_router(pages_faq.router)
router.include_router(pages_publish.router)
router.include_router(pages_history.router)
router.include_router(pages_queue.router)
router.include_router(pages_needs.router)
router.include_router(pages_city.router)
router.include_router(pages_bookings.router)
router.include_router(pages_notify.router)
router.include_router(pages_users.router)
