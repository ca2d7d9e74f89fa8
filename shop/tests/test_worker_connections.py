"""Worker tasks keep their database connection as web requests do (CONN_MAX_AGE).

Celery's Django fixup would close every connection around every task; with
CELERY_DB_REUSE_MAX set it no longer does, and shop.celery closes only the broken or
aged ones. PostgreSQL only: Django ignores close() on SQLite's in-memory test database.
"""

import time
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection

from shop.celery import app, close_unusable_connections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def worker_task(*, eager: bool = False) -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


@pytest.fixture
def kept_connection(monkeypatch):
    """A fresh connection that CONN_MAX_AGE allows to be kept for a minute."""
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    connection.ensure_connection()
    return connection.connection


def test_a_task_keeps_a_healthy_connection(kept_connection):
    close_unusable_connections(sender=worker_task())

    assert connection.connection is kept_connection


def test_a_task_drops_a_connection_past_its_age(kept_connection):
    connection.close_at = time.monotonic() - 1

    close_unusable_connections(sender=worker_task())

    assert connection.connection is None


def test_an_eager_task_leaves_its_callers_connection_alone(kept_connection):
    connection.close_at = time.monotonic() - 1

    close_unusable_connections(sender=worker_task(eager=True))

    assert connection.connection is kept_connection


def test_celery_no_longer_closes_connections_around_every_task():
    assert settings.CELERY_DB_REUSE_MAX >= 100
    assert app.conf.get("CELERY_DB_REUSE_MAX") == settings.CELERY_DB_REUSE_MAX
