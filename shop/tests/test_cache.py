"""The Redis cache backend that reuses its client (shop.common.cache), on a real Redis."""

import os
import threading

import pytest
from django.conf import settings

from shop.common.cache import RedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real Redis)")


@pytest.fixture
def cache():
    backend = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"cache-test-{os.getpid()}"})
    yield backend
    backend.delete_many(["page", "hits"])


def test_every_call_uses_one_client_and_round_trips(cache):
    cache.set("page", {"ids": [3, 1, 2]}, timeout=30)

    assert cache.get("page") == {"ids": [3, 1, 2]}
    assert cache._cache.get_client(write=False) is cache._cache.get_client(write=True)


def test_threads_share_the_client_without_losing_a_write(cache):
    cache.set("hits", 0, timeout=30)

    def hit():
        for _ in range(200):
            cache.incr("hits")

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert cache.get("hits") == 1600


def test_a_forked_child_reconnects_and_leaves_the_parent_connection_working(cache):
    cache.set("page", "before the fork", timeout=30)
    child = os.fork()
    if child == 0:  # the child: the inherited pool must open its own connection
        ok = cache.get("page") == "before the fork" and cache.set("hits", 7, timeout=30) is None
        os._exit(0 if ok else 1)
    _, status = os.waitpid(child, 0)

    assert os.waitstatus_to_exitcode(status) == 0
    assert (cache.get("page"), cache.get("hits")) == ("before the fork", 7)
