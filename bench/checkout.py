"""Checkout benchmark (issue 4): N concurrent buyers doing add to cart, checkout and pay over
HTTP (gunicorn, PostgreSQL, Redis), then a hot-item run (many buyers, few units). After each
run it checks the invariants: no oversell, every balance equal to its ledger, money conserved.

    python -m bench checkout [--buyers=16] [--seconds=20] [--warmup-seconds=3] [--hot-buyers=64] [--hot-units=10]

Environment: BENCH_CHECKOUT_DB (default bazaar_bench_checkout), BENCH_PG (server URL),
BENCH_CHECKOUT_PORT (8766), BENCH_REDIS_URL (redis://127.0.0.1:6379/14, flushed after the
run: give the bench its own Redis database), BENCH_WORKERS (4). The reference is pgbench
(TPC-B-like, 8 clients) on the same PostgreSQL (DESIGN §7). Figures go to stdout and
var/bench/checkout.json.
"""

import argparse
import json
import logging
import os
import random
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal

from bench import _cpu, _flows, _server

DB = os.environ.get("BENCH_CHECKOUT_DB", "bazaar_bench_checkout")
PORT = int(os.environ.get("BENCH_CHECKOUT_PORT", "8766"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PASSWORD = "Quiet-harbour-lantern-77"
SELLERS = 10
STEADY_ITEMS = 200
STEPS = ("add", "checkout", "pay")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench checkout")
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--warmup-seconds", type=int, default=3)
    parser.add_argument("--hot-buyers", type=int, default=64)
    parser.add_argument("--hot-units", type=int, default=10)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    args = parser.parse_args(argv)

    database_url = _server.ensure_database(DB)
    _server.setup_django(database_url)
    # Only this process: the set-up below lists hundreds of items; the servers keep their logging.
    logging.getLogger("catalogue.services").setLevel(logging.WARNING)
    print(
        f"settings: {os.cpu_count()} cores, PostgreSQL {DB}, Redis broker+cache, gunicorn {_server.WORKERS} sync "
        f"workers, DEBUG off, no Celery worker (tasks queue in Redis); steady: {args.buyers} buyers x "
        f"{args.seconds} s over {STEADY_ITEMS} items after {args.warmup_seconds} s of warm-up; "
        f"hot: {args.hot_buyers} buyers for {args.hot_units} units",
        flush=True,
    )
    reference_tps = _flows.pgbench_tps(clients=8, seconds=args.pgbench_seconds)
    print(f"reference: pgbench TPC-B-like, 8 clients: {reference_tps:.0f} tps", flush=True)

    sellers = _accounts("benchseller", SELLERS)
    steady_buyers = _accounts("benchbuyer", args.buyers)
    hot_buyers = _accounts("benchhot", args.hot_buyers, offset=10_000)
    extra_env = {"REDIS_URL": REDIS_URL, "AUTH_THROTTLE_RATE": "100000/min"}
    results: dict = {"reference_pgbench_tps": reference_tps, "settings": vars(args)}
    failures = 0
    with _server.gunicorn(port=PORT, database_url=database_url, **extra_env) as base:
        steady_items = _items(sellers, count=STEADY_ITEMS, quantity=1_000_000)
        before = _money_snapshot()
        if args.warmup_seconds:
            # Unmeasured, as browse warms up with wrk: each worker's first requests import
            # the URLconf, connect to PostgreSQL and Redis and load Celery's transport
            # (about 12 ms per purchase of a 15 s run, seen with py-spy). Its purchases
            # count in the invariants.
            _steady_run(base, steady_buyers, steady_items, seconds=args.warmup_seconds)
        cpu_before = _cpu.snapshot(port=PORT, database=DB)
        with _cpu.WaitSampler(database_url, DB) as waits:
            steady = _steady_run(base, steady_buyers, steady_items, seconds=args.seconds)
        steady["cpu_seconds"] = _cpu.cpu_split(cpu_before, _cpu.snapshot(port=PORT, database=DB))
        steady["backend_states"] = waits.shares()
        steady["purchases_per_s_vs_pgbench"] = steady["purchases_per_s"] / reference_tps
        steady["invariants"] = _check_invariants(steady_items, before)
        _report("steady", steady)
        results["steady"] = steady

        hot_item = _items(sellers[:1], count=1, quantity=args.hot_units)
        before = _money_snapshot()
        hot = _hot_run(base, hot_buyers, next(iter(hot_item)))
        hot["invariants"] = _check_invariants(hot_item, before)
        hot["exactly_units_sold"] = hot["outcomes"].get("paid", 0) == args.hot_units
        _report("hot item", hot)
        results["hot"] = hot
    for run in (steady, hot):
        failures += not all(run["invariants"].values()) or run["unexpected"] > 0
    failures += not hot["exactly_units_sold"]
    _flush_redis()
    _server.VAR.mkdir(parents=True, exist_ok=True)
    (_server.VAR / "checkout.json").write_text(json.dumps(results, indent=2, default=str))
    print("\ninvariants:", "all held" if not failures else f"{failures} run(s) FAILED")
    return 1 if failures else 0


# --- Data --------------------------------------------------------------------------------


def _accounts(prefix: str, count: int, offset: int = 0) -> list[tuple[int, str]]:
    """(user id, JWT access token) for bench users, registered once, topped up, carts emptied."""
    from django.contrib.auth import get_user_model
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts import services as accounts_services
    from cart.models import CartLine
    from payments import services as payments_services

    users = []
    for n in range(offset + 1, offset + count + 1):
        username = f"{prefix}{n:05d}"
        user_id = accounts_services.find_user_id(username=username)
        if user_id is None:
            user_id = accounts_services.register_user(
                username=username, email=f"{username}@bench.example", password=PASSWORD
            ).user_id
        if payments_services.get_wallet(user_id=user_id).balance < Decimal("5000"):
            payments_services.top_up(user_id=user_id, amount=Decimal("10000"))
        users.append(user_id)
    CartLine.objects.filter(user_id__in=users).delete()
    User = get_user_model()  # noqa: N806
    return [(user.pk, str(AccessToken.for_user(user))) for user in User.objects.filter(pk__in=users).order_by("pk")]


def _items(sellers, *, count: int, quantity: int) -> dict[int, int]:
    """Fresh active items for one run: {item id: units at the start}."""
    from catalogue import services as catalogue_services
    from catalogue.models import Category

    slug = Category.objects.values_list("slug", flat=True).order_by("pk").first()
    if slug is None:
        slug = Category.objects.create(name="Bench", slug="bench").slug
    rng = random.Random(count)
    items = {}
    for n in range(count):
        snapshot = catalogue_services.create_item(
            seller_id=sellers[n % len(sellers)][0],
            title=f"Bench thing {n}",
            category_slug=slug,
            price=Decimal(rng.randint(100, 500)) / 100,
            quantity=quantity,
        )
        items[snapshot.item_id] = quantity
    return items


# --- Runs --------------------------------------------------------------------------------


def _purchase(client: _flows.JsonClient, item_id: int, timings: dict, outcomes: Counter) -> None:
    status, _, ms = client.post("/api/v1/cart/lines/", {"item_id": item_id, "quantity": 1})
    timings["add"].append(ms)
    if status != 201:
        outcomes["add refused" if status == 409 else f"add {status}"] += 1
        return
    status, order, ms = client.post("/api/v1/orders/", headers={"Idempotency-Key": uuid.uuid4().hex})
    timings["checkout"].append(ms)
    if status != 201:
        outcomes[f"checkout {status}"] += 1
        return
    if order["status"] != "awaiting_payment":
        outcomes[order["status"]] += 1
        _remove(client, item_id)  # a failed checkout keeps the cart: empty it for the next try
        return
    status, paid, ms = client.post(f"/api/v1/orders/{order['id']}/pay/")
    timings["pay"].append(ms)
    outcomes["paid" if status == 200 and paid["status"] == "paid" else f"pay {status}"] += 1


def _remove(client, item_id: int) -> None:
    client.request("DELETE", f"/api/v1/cart/lines/{item_id}/")


def _steady_run(base: str, buyers, items: dict[int, int], *, seconds: int) -> dict:
    item_ids = list(items)
    timings = {step: [] for step in STEPS}
    outcomes: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(buyers) + 1)
    deadline = [0.0]

    def buyer(index: int) -> None:
        user_id, token = buyers[index]
        client = _flows.JsonClient(base, token)
        rng = random.Random(user_id)
        mine, counted = {step: [] for step in STEPS}, Counter()
        barrier.wait()
        while time.monotonic() < deadline[0]:
            _purchase(client, rng.choice(item_ids), mine, counted)
        client.close()
        with lock:
            for step in STEPS:
                timings[step].extend(mine[step])
            outcomes.update(counted)

    threads = [threading.Thread(target=buyer, args=(i,)) for i in range(len(buyers))]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + seconds
    started = time.monotonic()
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return _result(timings, outcomes, elapsed, expected={"paid"})


def _hot_run(base: str, buyers, item_id: int) -> dict:
    timings = {step: [] for step in STEPS}
    outcomes: Counter = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(buyers))
    started = [0.0]

    def buyer(index: int) -> None:
        client = _flows.JsonClient(base, buyers[index][1])
        mine, counted = {step: [] for step in STEPS}, Counter()
        barrier.wait()
        if index == 0:
            started[0] = time.monotonic()
        _purchase(client, item_id, mine, counted)
        client.close()
        with lock:
            for step in STEPS:
                timings[step].extend(mine[step])
            outcomes.update(counted)

    threads = [threading.Thread(target=buyer, args=(i,)) for i in range(len(buyers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started[0]
    return _result(timings, outcomes, elapsed, expected={"paid", "failed", "add refused"})


def _result(timings: dict, outcomes: Counter, elapsed: float, *, expected: set[str]) -> dict:
    return {
        "seconds": round(elapsed, 2),
        "purchases": outcomes.get("paid", 0),
        "purchases_per_s": outcomes.get("paid", 0) / elapsed if elapsed else 0.0,
        "outcomes": dict(outcomes),
        "unexpected": sum(n for name, n in outcomes.items() if name not in expected),
        "steps": {step: _flows.summary(timings[step]) for step in STEPS},
    }


# --- Invariants --------------------------------------------------------------------------


def _money_snapshot() -> dict[int, Decimal]:
    from payments.models import Wallet

    return dict(Wallet.objects.values_list("pk", "balance"))


def _check_invariants(items: dict[int, int], balances_before: dict[int, Decimal]) -> dict[str, bool]:
    """No oversell, balances equal ledgers, money conserved, escrow matches the parcels."""
    from django.db.models import Sum

    from catalogue.models import Item
    from orders import services as orders_services
    from orders.models import OrderLine
    from payments import services as payments_services
    from payments.models import Wallet

    rows = {pk: (quantity, reserved, sold) for pk, quantity, reserved, sold in
            Item.objects.filter(pk__in=items).values_list("pk", "quantity", "reserved", "sold")}  # fmt: skip
    paid = dict(
        OrderLine.objects.filter(item_id__in=items, order__status="paid")
        .values("item_id").annotate(n=Sum("quantity")).values_list("item_id", "n")
    )  # fmt: skip
    held = dict(
        OrderLine.objects.filter(item_id__in=items, order__status="awaiting_payment")
        .values("item_id").annotate(n=Sum("quantity")).values_list("item_id", "n")
    )  # fmt: skip
    no_oversell = all(
        0 <= reserved <= quantity
        and quantity + sold == items[pk]
        and sold == paid.get(pk, 0)
        and reserved == held.get(pk, 0)
        for pk, (quantity, reserved, sold) in rows.items()
    )
    audit = payments_services.audit_ledger()
    after = dict(Wallet.objects.values_list("pk", "balance"))
    deltas = [after[pk] - balances_before.get(pk, Decimal("0")) for pk in after]
    paid_total = sum(
        (line.unit_price * line.quantity for line in OrderLine.objects.filter(item_id__in=items, order__status="paid")),
        Decimal("0"),
    )
    debited = sum((-d for d in deltas if d < 0), Decimal("0"))
    credited = sum((d for d in deltas if d > 0), Decimal("0"))
    checks = {
        "no oversell (per item: start = on hand + sold, sold = paid lines, reserved = unpaid lines)": no_oversell,
        "every balance equals its ledger, none negative": not audit.mismatched_wallet_ids
        and not audit.negative_wallet_ids,
        "money conserved (balances sum to 0; buyers' debits = escrow's credits = paid orders' total)": (
            audit.total_balance == 0 and debited == credited == paid_total
        ),
        "escrow holds exactly the unsettled parcels (escrow balance = open holds = parcels' totals)": (
            audit.escrow_balance == audit.held_total == orders_services.get_unsettled_parcels_total()
        ),
    }
    return checks


def _report(name: str, run: dict) -> None:
    print(f"\n-- {name}: {run['purchases']} purchases in {run['seconds']} s = {run['purchases_per_s']:.1f} purchases/s")
    if "purchases_per_s_vs_pgbench" in run:
        print(f"   ratio to pgbench tps: {run['purchases_per_s_vs_pgbench']:.2%}")
    print(f"   outcomes: {run['outcomes']}  (unexpected: {run['unexpected']})")
    for step, figures in run["steps"].items():
        print(f"   {step:9} n={figures['n']:6d}  p50 {figures['p50_ms']} ms  p99 {figures['p99_ms']} ms")
    if run.get("cpu_seconds") and run["purchases"]:
        # Where the cores went during the run (bench._cpu): ms of CPU per completed purchase.
        cpu = run["cpu_seconds"]
        print(
            f"   CPU: machine busy {cpu['machine busy'] / cpu['machine total']:.0%} of {cpu['machine total']:.0f} "
            "core-seconds; per purchase: "
            + ", ".join(
                f"{name} {seconds / run['purchases'] * 1000:.1f} ms"
                for name, seconds in cpu.items()
                if name not in ("machine busy", "machine total")
            )
        )
    if run.get("backend_states"):
        states = ", ".join(f"{name} {share:.0%}" for name, share in run["backend_states"].items() if share >= 0.005)
        print(f"   PostgreSQL backends (pg_stat_activity every 20 ms): {states}")
    for check, held in run["invariants"].items():
        print(f"   [{'ok' if held else 'FAILED'}] {check}")


def _flush_redis() -> None:
    # The queued notification and invoice tasks of the run: the bench's own Redis database.
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
