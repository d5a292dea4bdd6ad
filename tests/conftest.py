"""Suite-wide fixtures: services a test needs, and one named user per role (DESIGN.md section 9).

Tests that need a service carry a marker (``postgres``, ``redis``, ``browser``). When the service is missing the
test is skipped, unless ``OPALE_REQUIRE`` (comma-separated: postgres, redis, chromium) names it: then the test
fails, so CI proves on every run that the service really was there.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil

import pytest
from django.test import Client
from django.utils import translation
from pytest_django.fixtures import validate_django_db
from pytest_django.plugin import blocking_manager_key

from partners.roles import CENTRAL_TEAM, ENTITY_CONTACT, LEGAL_STAFF

from .factories import (
    CompanyFactory,
    CompanyMemberFactory,
    EntityFactory,
    GoverningBodyFactory,
    UserFactory,
)


def required_services() -> set[str]:
    return {name.strip().lower() for name in os.environ.get("OPALE_REQUIRE", "").split(",") if name.strip()}


def postgres_problem() -> str | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return f"runs in the PostgreSQL pass (the configured database is {connection.vendor})"
    return None


@functools.cache
def redis_problem() -> str | None:
    from django.conf import settings

    url = settings.CELERY_BROKER_URL or ""
    if not url.startswith(("redis://", "rediss://")):
        return f"needs CELERY_BROKER_URL=redis://… (the broker is {url or 'not set'})"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except Exception as error:  # noqa: BLE001 - any failure means "no broker", reported as it is
        return f"the Redis broker at {url} does not answer: {type(error).__name__}: {error}"
    return None


def chromium_path() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@functools.cache
def chromium_problem() -> str | None:
    if chromium_path() is None:
        return "needs the system Chromium (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "needs the playwright package (pip install -e '.[dev]')"
    return None


SERVICES = {
    # marker: (name in OPALE_REQUIRE, check returning what is missing or None)
    "postgres": ("postgres", postgres_problem),
    "redis": ("redis", redis_problem),
    "browser": ("chromium", chromium_problem),
}


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``--dist loadgroup``), the tests that start a Celery worker on the shared Redis queue run
    in one process, one after the other: two workers on one queue would take each other's tasks."""
    for item in items:
        if item.get_closest_marker("redis") is not None:
            item.add_marker(pytest.mark.xdist_group("redis"))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture (the test database included) is set up: skip, or fail when the service is required."""
    for marker, (service, problem_of) in SERVICES.items():
        if item.get_closest_marker(marker) is None:
            continue
        problem = problem_of()
        if problem is None:
            continue
        if service in required_services():
            pytest.fail(f"OPALE_REQUIRE names {service}, but this test {problem}", pytrace=False)
        pytest.skip(problem)


@pytest.fixture(autouse=True)
def celery_not_inside_a_worker():
    """Celery keeps "a task is running, result.get() would block" in one process-wide flag; eager tasks run in
    several threads at once (the concurrency tests) can leave it set, and a later test's get() then fails."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)
    yield


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate limits count in the process-wide cache: every test starts with none used, whatever ran before."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(client, company_member):
    """The test client, signed in as ``company_member``."""
    client.force_login(company_member)
    return client


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, the language of the sources; French is the default of the portal,
    so tests that look at French pages say so (the locale middleware picks each request's language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """pytest-django's test client, asking for English pages like the assertions' messages; i18n tests ask
    for other languages with their own headers."""
    return Client(headers={"Accept-Language": "en"})


# Named users per role. The role groups come from migration partners/0002, like in production.


@pytest.fixture
def governing_body(db):
    return GoverningBodyFactory(name="Université Paris Cité", short_name="UPCité")


@pytest.fixture
def entity(governing_body):
    """An entity whose lead negotiator and IP agent is ``governing_body``."""
    return EntityFactory(name="Institut de recherche Saint-Louis", code="U944", lead_body=governing_body)


@pytest.fixture
def other_entity(db):
    return EntityFactory(name="Centre de recherche de Lyon", code="U1052", lead_body=GoverningBodyFactory())


@pytest.fixture
def central_user(db):
    return UserFactory(username="camille.central", is_staff=True, groups=[CENTRAL_TEAM])


@pytest.fixture
def entity_contact(entity):
    user = UserFactory(username="elise.entity", is_staff=True, groups=[ENTITY_CONTACT])
    entity.scientific_contacts.add(user)
    return user


@pytest.fixture
def legal_officer(governing_body):
    user = UserFactory(username="louis.legal", is_staff=True, groups=[LEGAL_STAFF])
    governing_body.legal_staff.add(user)
    return user


@pytest.fixture
def company(db):
    return CompanyFactory(legal_name="Leukos Therapeutics SAS")


@pytest.fixture
def other_company(db):
    return CompanyFactory(legal_name="Hemato Diagnostics SA")


@pytest.fixture
def company_member(company):
    return CompanyMemberFactory(company=company, user__username="chloe.company", is_signatory=True).user


@pytest.fixture
def other_company_member(other_company):
    return CompanyMemberFactory(company=other_company, user__username="oscar.other").user


def _db_marker(item):
    marker = item.get_closest_marker("django_db")
    return validate_django_db(marker) if marker is not None else None


def _restores_itself(item) -> bool:
    options = _db_marker(item)
    return options is not None and options[3]  # serialized_rollback


def _is_transactional(item) -> bool:
    options = _db_marker(item)
    return options is not None and options[0]  # transaction


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (live server, threads, a real worker) leaves the database empty, the rows written by
    migrations (role groups, disease areas, capabilities) included. After one, write back what the migrations
    wrote, unless the next test does it itself; so such tests never change what the others see. Every
    transactional test asks for ``serialized_rollback``, which is what keeps those rows at hand. Not after the
    last test: by then the test database is gone.

    A test that restores itself loads those rows into an empty database; but after a test that does not,
    Django's flush has just re-created content types and permissions (post_migrate), which would collide: the
    database is emptied for it."""
    result = yield
    if not _is_transactional(item):
        return result
    restores_next = nextitem is not None and _restores_itself(nextitem)
    if nextitem is None or (restores_next and _restores_itself(item)):
        return result
    from django.core.management import call_command
    from django.db import connections

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            # Set when the test database was created for a test asking for serialized_rollback.
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents is None:
                continue
            call_command(
                "flush",
                verbosity=0,
                interactive=False,
                database=connection.alias,
                reset_sequences=False,
                inhibit_post_migrate=True,
            )
            if not restores_next:
                connection.creation.deserialize_db_from_string(contents)
    return result
