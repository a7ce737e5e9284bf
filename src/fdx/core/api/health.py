"""``GET /api/v1/health``: is this node up, which version, which database, which node."""

from django.conf import settings
from django.db import DatabaseError, connection
from ninja import Router, Schema

import fdx
from fdx.core.api.errors import ApiError

router = Router(tags=["health"])


class HealthNodeOut(Schema):
    name: str
    country: str


class HealthOut(Schema):
    status: str
    version: str
    database: str
    node: HealthNodeOut


@router.get("/health", response=HealthOut, auth=None, summary="Node health (public)")
def health(request):
    """Answers ``ok`` when the database answers; 503 otherwise. Needs no authentication."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        raise ApiError(503, "unavailable", "The database does not answer.") from None
    return {
        "status": "ok",
        "version": fdx.__version__,
        "database": connection.vendor,
        "node": {"name": settings.FDX_NODE_NAME, "country": settings.FDX_NODE_COUNTRY},
    }
