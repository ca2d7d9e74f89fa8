"""The transactional outbox under faults (issue 17): the broker gone while 100 orders are
paid, and the worker killed -9 in the middle of the relay's batch. Either way every buyer
and seller notification, every e-mail and every invoice ends up existing exactly once.
"""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults import harness

pytestmark = pytest.mark.faults

ORDERS = 100
BUYERS = 10
# The relay runs from beat every 2 s here; a consumer silent for 10 s is handed its
# message again (OUTBOX_LEASE_SECONDS), which is what recovers from a killed worker.
OUTBOX = {"OUTBOX_RELAY_SECONDS": 2, "OUTBOX_LEASE_SECONDS": 10, "OUTBOX_BROKER_RETRY_SECONDS": 1}


def _orders_awaiting_payment(stack: harness.Stack, *, count: int) -> tuple[dict[int, harness.Api], list[int]]:
    """`count` orders of one unit each, from BUYERS buyers, all from one seller."""
    tag = uuid.uuid4().hex[:8]
    seller = harness.register(stack, f"seller_{tag}")
    item_id = harness.sell(seller, title="Postcard", price="5.00", quantity=count)
    buyers = [harness.register(stack, f"buyer{n}_{tag}") for n in range(BUYERS)]
    owner: dict[int, harness.Api] = {}
    for n in range(count):
        buyer = buyers[n % BUYERS]
        owner[harness.buy(buyer, item_id=item_id)["id"]] = buyer
    return owner, list(owner)


def _pay_all(owner: dict[int, harness.Api]) -> list[int]:
    def pay(order_id: int) -> int:
        return owner[order_id].post(f"orders/{order_id}/pay/", timeout=60).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(pay, owner))


def _all_consequences_exactly_once(stack: harness.Stack, order_ids: list[int]):
    def done():
        state = stack.probe("consequences", order_ids=order_ids)
        complete = (
            state["buyer_notified_orders"] == len(order_ids)
            and state["seller_notified_orders"] == len(order_ids)
            and state["emails"] == {"sent": 2 * len(order_ids)}
            and state["invoices"] == {"ready": len(order_ids)}
            and not state["outbox"].get("pending")
        )
        return state if complete else None

    return done


def test_payments_with_the_broker_down_have_every_consequence_once_redis_is_back(
    make_stack, redis_server, faults_database_url
):
    stack = make_stack(database_url=faults_database_url, redis_url=redis_server.url, **OUTBOX)
    stack.web()
    stack.worker()
    stack.beat()
    owner, order_ids = _orders_awaiting_payment(stack, count=ORDERS)

    redis_server.stop()  # every queued message is gone with it (no persistence)
    started = time.monotonic()
    statuses = _pay_all(owner)
    pay_seconds = time.monotonic() - started
    assert statuses == [200] * ORDERS
    state = stack.probe("consequences", order_ids=order_ids)
    assert state["paid_notifications"] == 0  # nothing could be delivered yet...
    assert state["outbox"]["pending"] >= 2 * ORDERS  # ...and nothing was lost: it waits in the outbox

    redis_server.start()
    back_at = time.monotonic()
    state = harness.wait_for(
        _all_consequences_exactly_once(stack, order_ids), timeout=240, interval=2, what="every consequence"
    )
    recovered = time.monotonic() - back_at

    assert state["paid_notifications"] == 2 * ORDERS  # one buyer and one seller notification each
    assert state["duplicated_notifications"] == 0
    assert state["email_attempts_over_one"] == 0
    assert stack.probe("consistency")["money_consistent"]
    harness.record(
        "outbox_redis_down_100_payments",
        survived=True,
        pay_seconds_for_100_with_broker_down=round(pay_seconds, 1),
        all_delivered_after_s=round(recovered, 1),
        lost=0,
        duplicated=0,
    )


def test_a_worker_killed_in_the_middle_of_the_relay_batch_loses_and_repeats_nothing(
    make_stack, redis_server, faults_database_url, tmp_path
):
    stack = make_stack(database_url=faults_database_url, redis_url=redis_server.url, **OUTBOX)
    stack.web()
    owner, order_ids = _orders_awaiting_payment(stack, count=ORDERS)
    assert _pay_all(owner) == [200] * ORDERS  # no worker yet: the whole batch waits

    marker = tmp_path / "notify-started"
    slow = stack.worker(slow_render_seconds=2, marker=marker, slow_notify=True)
    stack.beat()
    harness.wait_for(marker.exists, timeout=60, what="the worker to start on the relay's batch")
    time.sleep(3)  # a notification or two done, the rest of the batch dispatched and waiting
    slow.kill9()
    killed_at = time.monotonic()
    partial = stack.probe("consequences", order_ids=order_ids)
    assert partial["buyer_notified_orders"] < ORDERS

    stack.worker()  # a plain worker, as after a restart
    state = harness.wait_for(
        _all_consequences_exactly_once(stack, order_ids), timeout=300, interval=2, what="every consequence"
    )
    recovered = time.monotonic() - killed_at

    assert state["paid_notifications"] == 2 * ORDERS
    assert state["duplicated_notifications"] == 0
    assert stack.probe("consistency")["money_consistent"]
    harness.record(
        "outbox_worker_kill9_mid_batch",
        survived=True,
        delivered_before_kill=partial["buyer_notified_orders"],
        all_delivered_after_s=round(recovered, 1),
        lost=0,
        duplicated=0,
    )
