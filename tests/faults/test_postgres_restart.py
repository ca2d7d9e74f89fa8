"""PostgreSQL crashes and comes back under load (issue 9, part 1).

A private cluster (initdb into a temporary directory, its own port) is stopped with
`-m immediate` (a crash: no checkpoint, recovery from the WAL on start) while buyers
check out, pay, cancel and top up through gunicorn. During the outage every answer must
be a clean 503 JSON (pages: a 503 page), never a 500 or a dropped connection; afterwards
the shop must answer again by itself, and no order, stock counter or balance may be
inconsistent, nor any acknowledged order lost.
"""

import random
import threading
import time
import uuid
from collections import Counter

import pytest
import requests

from tests.faults import harness

pytestmark = pytest.mark.faults

BUYERS = 6
SELLERS = 2
ITEMS = 6
QUANTITY = 40
LOAD_BEFORE = 4  # seconds of load before the crash
OUTAGE = 4  # seconds the database stays down
LOAD_AFTER = 10  # seconds of load after it is back
ALLOWED = {200, 201, 202, 400, 409, 503}


@pytest.fixture
def private_postgres():
    server = harness.PrivatePostgres()
    reason = server.missing()
    if reason:
        pytest.skip(reason)
    try:
        server.init()
        yield server
    finally:
        server.destroy()


class Load:
    """Buyers in threads: add to cart, checkout, then pay (mostly), cancel or top up."""

    def __init__(self, buyers: list[harness.Api], item_ids: list[int]) -> None:
        self.buyers = buyers
        self.item_ids = item_ids
        self.statuses: Counter[int] = Counter()
        self.bad: list[str] = []  # 5xx other than a clean 503, or a broken connection
        self.acknowledged: dict[int, str] = {}  # order id -> status the API confirmed
        self.requests = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()

    def _call(self, api: harness.Api, method: str, path: str, **kwargs) -> requests.Response | None:
        try:
            response = api.call(method, path, timeout=20, **kwargs)
        except requests.RequestException as exc:
            with self.lock:
                self.requests += 1
                self.bad.append(f"{method} {path}: {exc!r}")
            return None
        with self.lock:
            self.requests += 1
            self.statuses[response.status_code] += 1
            if response.status_code not in ALLOWED:
                self.bad.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
            elif response.status_code == 503:
                body = response.json()
                if body.get("code") != "service_unavailable" or "Retry-After" not in response.headers:
                    self.bad.append(f"{method} {path}: 503 without the JSON body or Retry-After: {body}")
        return response

    def run_buyer(self, index: int) -> None:
        api = self.buyers[index]
        rng = random.Random(index)
        while not self.stop.is_set():
            item_id = rng.choice(self.item_ids)
            if self._call(api, "POST", "cart/lines/", json={"item_id": item_id, "quantity": 1}) is None:
                continue
            order = self._call(api, "POST", "orders/", headers={"Idempotency-Key": uuid.uuid4().hex})
            if order is None or order.status_code != 201:
                continue
            order_id = order.json()["id"]
            with self.lock:
                self.acknowledged[order_id] = order.json()["status"]
            roll = rng.random()
            if roll < 0.7:
                paid = self._call(api, "POST", f"orders/{order_id}/pay/")
                if paid is not None and paid.status_code == 200:
                    with self.lock:
                        self.acknowledged[order_id] = paid.json()["status"]
            elif roll < 0.85:
                self._call(api, "POST", f"orders/{order_id}/cancel/")
            else:
                self._call(api, "POST", "wallet/top-up/", json={"amount": "5.00"})
            self._call(api, "GET", "wallet/")

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.run_buyer, args=(i,), daemon=True) for i in range(len(self.buyers))]
        for thread in threads:
            thread.start()
        return threads


def test_postgres_crash_under_load_gives_clean_503s_and_loses_nothing(private_postgres, redis_server, make_stack):
    stack = make_stack(database_url=private_postgres.url, redis_url=redis_server.url)
    stack.web()
    tag = uuid.uuid4().hex[:6]
    sellers = [harness.register(stack, f"seller{i}_{tag}") for i in range(SELLERS)]
    buyers = [harness.register(stack, f"buyer{i}_{tag}") for i in range(BUYERS)]
    item_ids = [
        harness.sell(sellers[i % SELLERS], title=f"Thing {i}", price=f"{3 + i}.50", quantity=QUANTITY)
        for i in range(ITEMS)
    ]

    load = Load(buyers, item_ids)
    threads = load.start()
    time.sleep(LOAD_BEFORE)
    private_postgres.stop("immediate")
    down_at = time.monotonic()
    time.sleep(1)
    page = requests.get(f"{stack.base_url}/items/", timeout=20)
    api_down = requests.get(f"{stack.base_url}/api/v1/items/", timeout=20)
    time.sleep(max(0.0, OUTAGE - (time.monotonic() - down_at)))
    private_postgres.start()
    up_at = time.monotonic()

    def answers_again():
        return buyers[0].get("wallet/", timeout=5).status_code == 200

    harness.wait_for(answers_again, timeout=30, interval=0.2, what="the API to answer after the restart")
    recovered = time.monotonic() - up_at
    time.sleep(LOAD_AFTER)
    load.stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)

    # During the outage: clean 503s for a page and for the API, never a 500.
    assert page.status_code == 503, page.text[:300]
    assert "text/html" in page.headers["Content-Type"]
    assert page.headers["Retry-After"] == "5"
    assert api_down.status_code == 503, api_down.text[:300]
    assert api_down.json() == {
        "detail": "The service is briefly unavailable, please retry.",
        "code": "service_unavailable",
    }
    assert load.bad == []
    assert load.statuses[503] > 0, "the outage was not seen by any request"
    assert load.statuses[201] > 0 and load.statuses[200] > 0
    # After it: everything consistent, nothing the API acknowledged lost.
    report = stack.probe(
        "consistency",
        initial_quantities={str(i): QUANTITY for i in item_ids},
        acknowledged={str(k): v for k, v in load.acknowledged.items()},
    )
    assert report["money_consistent"] is True, report
    assert report["total_balance"] == "0.00"
    assert report["stock_errors"] == []
    assert report["charge_errors"] == []
    assert report["paid_without_one_invoice"] == []
    assert report["acknowledged_but_lost"] == []
    assert "new" not in report["orders_by_status"]
    harness.record(
        "postgres_crash_under_load",
        survived=True,
        requests=load.requests,
        statuses={str(k): v for k, v in sorted(load.statuses.items())},
        five_hundreds=sum(v for k, v in load.statuses.items() if k >= 500 and k != 503) + len(load.bad),
        recovered_after_restart_s=round(recovered, 2),
        orders_checked=report["orders_checked"],
        orders_by_status=report["orders_by_status"],
        wallets_checked=report["wallets_checked"],
        items_checked=report["items_checked"],
        lost=len(report["acknowledged_but_lost"]),
    )
