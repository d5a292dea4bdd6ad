"""Liveness for load balancers and monitoring: the database and, when configured, the Celery broker."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported by name
        return f"{type(error).__name__}: {error}".strip()[:200]
    return None


def check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {error}".strip()[:200]
    return None


@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database()}
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["broker"] = check_broker()
    failed = {name: error for name, error in checks.items() if error}
    body = {
        "status": "fail" if failed else "ok",
        "checks": {name: (error or "ok") for name, error in checks.items()},
    }
    if settings.CELERY_TASK_ALWAYS_EAGER:
        body["checks"]["broker"] = "not configured (tasks run eagerly)"
    return JsonResponse(body, status=503 if failed else 200)
