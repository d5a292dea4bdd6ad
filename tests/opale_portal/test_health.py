"""/healthz, as a load balancer reads it: 200 when the portal can serve, 503 naming what is down."""

from unittest import mock

import pytest
from django.db import OperationalError, connections

from opale_portal import health
from opale_portal.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthy_with_a_working_database_and_eager_tasks(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] == "not configured (tasks run eagerly)"
    assert "no-cache" in response["Cache-Control"]


def test_the_real_database_check_reports_a_failing_database(client):
    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("server closed")):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == "OperationalError: server closed"


def test_a_failing_database_is_named(client, monkeypatch):
    monkeypatch.setattr(health, "check_database", lambda: "OperationalError: connection refused")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "OperationalError: connection refused"


def test_an_unreachable_broker_is_named_when_tasks_go_through_it(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(health, "check_broker", lambda: "OperationalError: Error 111 connecting to 127.0.0.1:1")

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"] == {"database": "ok", "broker": "OperationalError: Error 111 connecting to 127.0.0.1:1"}


def test_the_real_broker_check_finds_a_dead_redis(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # Port 1 refuses connections at once: this is what a stopped Redis looks like.
    # Celery reads CELERY_BROKER_URL from the environment before its configuration: change both.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert "broker" in response.json()["checks"]
    assert response.json()["checks"]["broker"] != "ok"
    assert response.json()["checks"]["database"] == "ok"


def test_a_reachable_broker_is_ok(client, settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(health, "check_broker", lambda: None)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


@pytest.mark.redis
def test_the_configured_redis_broker_answers(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["broker"] == "ok"


def test_only_get_is_answered(client):
    assert client.post("/healthz").status_code == 405
