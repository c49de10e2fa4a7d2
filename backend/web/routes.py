"""Routes of the staff pages; the backend's app factory mounts `router` at /staff."""

from fastapi import APIRouter

router = APIRouter()
