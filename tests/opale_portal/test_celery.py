"""Celery: tasks run in-process without a broker, and through a real worker when Redis is configured."""

import pytest
from celery._state import _set_task_join_will_block
from celery.contrib.testing.worker import start_worker

from opale_portal.celery import app


@pytest.fixture
def ping_task():
    import celery.contrib.testing.tasks  # noqa: F401 - registers the builtin "celery.ping" on every app

    return app.tasks["celery.ping"]


@pytest.fixture
def real_worker(ping_task):
    """A worker thread consuming from the configured broker, with tasks sent to it rather than run eagerly."""
    saved = app.conf.task_always_eager, app.conf.worker_hijack_root_logger
    app.conf.task_always_eager = False
    app.conf.worker_hijack_root_logger = False  # leave pytest's log capture alone
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        app.conf.task_always_eager, app.conf.worker_hijack_root_logger = saved
        # starting a worker marks the whole process as "inside a worker", where result.get() is refused;
        # the tests that follow are not in a worker
        _set_task_join_will_block(False)


def test_in_the_test_settings_tasks_run_in_process(ping_task):
    assert app.conf.task_always_eager is True
    result = ping_task.delay()
    assert result.successful()
    assert result.get() == "pong"


@pytest.mark.redis
def test_a_task_goes_through_redis_to_a_real_worker_and_back(real_worker, ping_task):
    result = ping_task.delay()
    assert result.get(timeout=20) == "pong"
    assert result.backend.__class__.__name__ == "RedisBackend"
