"""Settings come from the environment: each switch is tried in a fresh interpreter, as a deployment would."""

import json
import os
import subprocess  # noqa: S404 - runs this repository's own settings in a child interpreter
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Variables the settings read; cleared so the developer's or CI's environment cannot leak into a case.
SETTINGS_VARIABLES = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "EMAIL_URL",
    "CSRF_TRUSTED_ORIGINS",
    "CONN_MAX_AGE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
]
PRODUCTION_KEY = "k3X9pQ-" + "a" * 30 + "-Z7rT2vW8yN4mB6cD1eF5gH0jL"  # a stand-in of the right length
REPORT = """
import json
from django.conf import settings
from opale_portal.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "debug": settings.DEBUG,
    "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "backend": app.conf.result_backend,
}))
"""


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    environment["DJANGO_SETTINGS_MODULE"] = "opale_portal.settings"
    environment.update(env)
    return subprocess.run(  # noqa: S603 - fixed arguments, this repository's interpreter
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def report(**env: str) -> dict:
    result = run(["-c", REPORT], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_without_a_secret_key_refuses_to_start():
    result = run(["-c", "import opale_portal.settings"], DEBUG="false", ALLOWED_HOSTS="partenariats.opale.example")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_with_the_development_key_refuses_to_start():
    result = run(
        ["-c", "import opale_portal.settings"],
        DEBUG="false",
        ALLOWED_HOSTS="partenariats.opale.example",
        SECRET_KEY="django-insecure-opale-development-only-key-never-use-in-production",
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start():
    result = run(["-c", "import opale_portal.settings"], DEBUG="false", SECRET_KEY=PRODUCTION_KEY)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS" in result.stderr


def test_a_bad_boolean_stops_start_up():
    result = run(["-c", "import opale_portal.settings"], DEBUG="perhaps")
    assert result.returncode != 0


def test_production_settings_pass_the_deployment_checklist_without_a_warning():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="partenariats.opale.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_without_database_url_the_embedded_sqlite_file_is_used():
    settings = report()
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"] == str(ROOT / "db.sqlite3")


def test_database_url_selects_postgresql():
    settings = report(DATABASE_URL="postgres://opale:secret@db.internal:5432/opale")
    assert settings["engine"] == "django.db.backends.postgresql"
    assert settings["name"] == "opale"


def test_without_a_broker_tasks_run_eagerly():
    settings = report()
    assert settings["eager"] is True
    assert settings["broker"] == "memory://"


def test_a_redis_broker_turns_on_the_real_worker_and_its_result_backend():
    settings = report(CELERY_BROKER_URL="redis://broker.internal:6379/0")
    assert settings["eager"] is False
    assert settings["broker"] == "redis://broker.internal:6379/0"
    assert settings["backend"] == "redis://broker.internal:6379/0"


def test_debug_on_needs_no_secret():
    assert report(DEBUG="on")["debug"] is True
