"""Fixtures for the fault tests: a private Redis, the stack of real processes, the database.

They start and break real servers (about four minutes in all), so they run with
`make faults` (and in .ci/run), not in `make test`: without BAZAAR_FAULTS=1 they are
skipped with that reason.
"""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.faults import harness

FAULTS_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    if os.environ.get("BAZAAR_FAULTS") == "1":
        return
    skip = pytest.mark.skip(reason="fault tests start and break real servers (minutes): run `make faults`")
    for item in items:
        if FAULTS_DIR in Path(str(item.fspath)).parents:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.fault_failed = report.failed


@pytest.fixture(scope="session")
def faults_database_url() -> str:
    """FAULTS_DATABASE_URL, else DATABASE_URL: a PostgreSQL database the processes share.

    Not pytest-django's test database: the web server, worker and beat are separate
    processes and must see each other's commits. Migrated once per session.
    """
    url = os.environ.get("FAULTS_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("fault tests need FAULTS_DATABASE_URL or DATABASE_URL pointing at PostgreSQL")
    return url


@pytest.fixture
def redis_server(tmp_path) -> Iterator[harness.PrivateRedis]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server not installed: the broker faults need a Redis of their own")
    server = harness.PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


_migrated: set[str] = set()


@pytest.fixture
def make_stack(request, tmp_path) -> Iterator[Callable[..., harness.Stack]]:
    """Build a Stack (web/worker/beat on one database and broker); all stopped at the end.

    When the test failed, every process's log is printed (pytest shows it with the failure).
    """
    stacks: list[harness.Stack] = []

    def make(*, database_url: str, redis_url: str, **settings: object) -> harness.Stack:
        stack = harness.Stack(tmp=tmp_path, database_url=database_url, redis_url=redis_url, **settings)
        if database_url not in _migrated:
            stack.migrate()
            _migrated.add(database_url)
        stack.probe("setup_category")
        stacks.append(stack)
        return stack

    try:
        yield make
    finally:
        for stack in stacks:
            stack.stop_all()
            if getattr(request.node, "fault_failed", False):
                print(stack.logs())
