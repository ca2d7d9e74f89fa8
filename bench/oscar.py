"""Peer benchmark (issue 16): django-oscar, built in its own environment under var/bench/,
with Bazaar's browse catalogue (the same 100,000 items, categories, prices and stock),
served and loaded the same way, measured in one run beside Bazaar (DESIGN §7).

    python -m bench oscar [--seconds=10] [--connections=16] [--buyers=16] [--purchase-seconds=20]

Pages: wrk on Bazaar and Oscar in turn, page by page (catalogue list, category, product),
Oscar's catalogue and category from the database (no search index, see
oscar_project/oscarbench/search/). Search: a few single requests on each side, timed, not
loaded (Oscar's search without Solr or Elasticsearch is haystack's ORM "simple" backend,
seconds per request; docs/benchmarks.md). Purchases: bench.checkout's steady run on Bazaar,
then Oscar's own checkout (basket → checkout → preview → place order, dummy payment) with
as many buyers.
Environment: BENCH_OSCAR_DB (bench_oscar), BENCH_OSCAR_CHECKOUT_DB (bench_oscar_checkout),
BENCH_OSCAR_REDIS_URL (redis://127.0.0.1:6379/5, flushed after the run), BENCH_WORKERS (4),
plus browse's and checkout's. If Oscar cannot be built, the scenario says why and skips.
Figures go to stdout and var/bench/oscar.json.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter

from bench import _flows, _oscar_env, _server, _wrk, browse, checkout

OSCAR_DB = os.environ.get("BENCH_OSCAR_DB", "bench_oscar")
OSCAR_CHECKOUT_DB = os.environ.get("BENCH_OSCAR_CHECKOUT_DB", "bench_oscar_checkout")
BAZAAR_PORT = int(os.environ.get("BENCH_OSCAR_BAZAAR_PORT", "8767"))
OSCAR_PORT = int(os.environ.get("BENCH_OSCAR_PORT", "8768"))
CATEGORY = "electronics"  # a top-level category: both shops list it with its subcategories
QUERY = "guitar"
SEARCH_REQUESTS = 3
SEARCH_TIMEOUT = 120  # seconds for one search request
AIM_BROWSE = 3.0
AIM_PURCHASE = 5.0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench oscar")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--buyers", type=int, default=16)
    parser.add_argument("--purchase-seconds", type=int, default=20)
    args, _ = parser.parse_known_args(argv)  # `python -m bench` passes every scenario's flags
    try:
        python = _oscar_env.build()
        peer = _oscar_env.version(python)
    except _oscar_env.OscarUnavailable as exc:
        print(f"skipped: {exc}")
        return 0
    print(
        f"settings: {peer} (own venv), PostgreSQL, gunicorn {_server.WORKERS} sync workers each, DEBUG off; "
        f"pages: wrk {args.connections} connections x {args.seconds} s per URL, Bazaar and Oscar in turn; "
        f"purchases: {args.buyers} buyers x {args.purchase_seconds} s each side",
        flush=True,
    )
    try:
        bazaar_url, oscar_url, oscar_checkout_url = _prepare(python)
        pages, search = _pages(python, bazaar_url, oscar_url, args)
        purchases = _purchases(python, oscar_checkout_url, args)
    except _oscar_env.OscarUnavailable as exc:
        print(f"skipped: {exc}")
        return 0
    return _report(peer, pages, search, purchases, args)


# --- Data --------------------------------------------------------------------------------


def _prepare(python) -> tuple[str, str, str]:
    """Bazaar's browse data (by bench.browse), exported into Oscar; Django set up for checkout."""
    subprocess.run([sys.executable, "-m", "bench", "browse", "--load-only"], check=True, stdout=subprocess.DEVNULL)
    bazaar_url = f"{_server.DEFAULT_PG}/{browse.DB}"
    csv_path, tree_path = _export_catalogue(bazaar_url)
    oscar_url = _oscar_database(python, OSCAR_DB)
    print(_oscar_env.load(python, oscar_url, "catalogue", str(csv_path), str(tree_path)).strip(), flush=True)
    oscar_checkout_url = _oscar_database(python, OSCAR_CHECKOUT_DB)
    # This process talks to Bazaar's checkout database, as bench.checkout does.
    _server.setup_django(_server.ensure_database(checkout.DB))
    return bazaar_url, oscar_url, oscar_checkout_url


def _export_catalogue(bazaar_url: str):
    """Bazaar's items and category tree as files Oscar's loader reads: the same rows, not a
    second run of the generator, so titles, prices, categories and stock match exactly."""
    import psycopg2

    out = _oscar_env.OSCAR_VAR
    out.mkdir(parents=True, exist_ok=True)
    connection = psycopg2.connect(bazaar_url)
    with connection.cursor() as cursor, (out / "catalogue.csv").open("w") as f:
        cursor.copy_expert(
            "COPY (SELECT i.id, i.title, i.description, i.price, i.quantity, i.reserved, i.status, i.seller_id, "
            "c.slug AS category FROM catalogue_item i JOIN catalogue_category c ON c.id = i.category_id "
            "ORDER BY i.id) TO STDOUT WITH CSV HEADER",
            f,
        )
        cursor.execute(
            "SELECT c.slug, c.name, p.slug, c.position FROM catalogue_category c "
            "LEFT JOIN catalogue_category p ON p.id = c.parent_id ORDER BY c.id"
        )
        tree = [{"slug": s, "name": n, "parent": p, "position": pos} for s, n, p, pos in cursor.fetchall()]
    connection.close()
    (out / "tree.json").write_text(json.dumps(tree))
    return out / "catalogue.csv", out / "tree.json"


def _oscar_database(python, name: str) -> str:
    import psycopg2

    admin = psycopg2.connect(f"{_server.DEFAULT_PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    url = f"{_server.DEFAULT_PG}/{name}"
    _oscar_env.manage(python, url, "migrate", "--noinput", "-v", "0")
    return url


def _scalar(url: str, sql: str, params=()):
    import psycopg2

    connection = psycopg2.connect(url)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        value = cursor.fetchone()[0]
    connection.close()
    return value


# --- Pages -------------------------------------------------------------------------------


def _urls(bazaar_url: str, oscar_url: str, oscar_base: str) -> dict[str, tuple[str, str]]:
    """{page: (Bazaar path, Oscar path)}: the same category, item and search word."""
    item_id = _scalar(
        bazaar_url,
        "SELECT id FROM catalogue_item WHERE status = 'active' ORDER BY id LIMIT 1 OFFSET %s",
        [browse.ITEMS // 2],
    )
    product_id = _scalar(oscar_url, "SELECT id FROM catalogue_product WHERE upc = %s", [f"bz-{item_id}"])
    category_id = _scalar(oscar_url, "SELECT id FROM catalogue_category WHERE slug = %s", [CATEGORY])
    # Oscar redirects any slug to the canonical URL: ask it once, as a browser would.
    return {
        "catalogue list": ("/items/", "/catalogue/"),
        "category page": (
            f"/items/?category={CATEGORY}",
            _canonical(oscar_base, f"/catalogue/category/x_{category_id}/"),
        ),
        "product page": (f"/items/{item_id}/", _canonical(oscar_base, f"/catalogue/x_{product_id}/")),
    }


def _search_paths() -> tuple[str, str]:
    return f"/items/?q={QUERY}", f"/search/?q={QUERY}"


def _canonical(base: str, path: str) -> str:
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return response.url.removeprefix(base)


def _pages(python, bazaar_url: str, oscar_url: str, args) -> tuple[dict, dict]:
    results = {}
    with (
        _server.gunicorn(port=BAZAAR_PORT, database_url=bazaar_url) as bazaar,
        _oscar_env.serve(python, oscar_url, port=OSCAR_PORT, redis_url="") as oscar,
    ):
        urls = _urls(bazaar_url, oscar_url, oscar)
        for base, index in ((bazaar, 0), (oscar, 1)):
            for paths in urls.values():
                status = _status(base + paths[index])
                if status != 200 and index:
                    raise _oscar_env.OscarUnavailable(f"Oscar's {paths[index]} answered {status}, not 200")
                if status != 200:
                    raise RuntimeError(f"{base}{paths[index]} answered {status}, not 200")
                _wrk.run_wrk(base + paths[index], connections=args.connections, seconds=2)  # warm the workers
        for page, (bazaar_path, oscar_path) in urls.items():
            # Page by page, in turn, so a burst of foreign load hits both sides alike.
            results[page] = {
                "bazaar": _wrk.run_wrk(bazaar + bazaar_path, connections=args.connections, seconds=args.seconds),
                "oscar": _wrk.run_wrk(oscar + oscar_path, connections=args.connections, seconds=args.seconds),
                "paths": (bazaar_path, oscar_path),
            }
        search = {"paths": _search_paths(), "bazaar": _timed(bazaar + _search_paths()[0]),
                  "oscar": _timed(oscar + _search_paths()[1])}  # fmt: skip
    return results, search


def _status(url: str) -> int:
    """The answer's status; as long a wait as a search may take (bench._server waits 10 s, and
    a loaded machine makes Oscar's search and first pages slower than that)."""
    try:
        with urllib.request.urlopen(url, timeout=SEARCH_TIMEOUT) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _timed(url: str, count: int = SEARCH_REQUESTS) -> dict:
    """One request at a time, `count` times, after one untimed: milliseconds each.

    Not a load figure: haystack's simple backend takes seconds per search (it reads every
    matching product into Python), so 16 wrk connections would only measure wrk's timeout."""
    _status(url)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=SEARCH_TIMEOUT) as response:
            body = response.read().decode("utf-8", "replace")
        times.append(round((time.perf_counter() - started) * 1000))
    found = re.search(r"<strong>([\d,]+)</strong>\s*results?", body)  # Oscar's result count
    return {"ms": times, "bytes": len(body), "results": found.group(1) if found else None}


# --- Purchases ---------------------------------------------------------------------------


def _purchases(python, oscar_checkout_url: str, args) -> dict:
    extra_env = {"REDIS_URL": _oscar_env.REDIS_URL, "AUTH_THROTTLE_RATE": "100000/min"}
    sellers = checkout._accounts("benchseller", checkout.SELLERS)
    buyers = checkout._accounts("benchbuyer", args.buyers)
    with _server.gunicorn(port=BAZAAR_PORT, database_url=_server.ensure_database(checkout.DB), **extra_env) as base:
        items = checkout._items(sellers, count=checkout.STEADY_ITEMS, quantity=1_000_000)
        before = checkout._money_snapshot()
        bazaar = checkout._steady_run(base, buyers, items, seconds=args.purchase_seconds)
        bazaar["invariants"] = checkout._check_invariants(items, before)
    product_ids = json.loads(
        _oscar_env.load(python, oscar_checkout_url, "items", str(checkout.STEADY_ITEMS), "1000000")
    )["product_ids"]
    sessions = json.loads(_oscar_env.load(python, oscar_checkout_url, "buyers", str(args.buyers)))["sessions"]
    orders_before = _scalar(oscar_checkout_url, "SELECT count(*) FROM order_order")
    with _oscar_env.serve(python, oscar_checkout_url, port=OSCAR_PORT) as base:
        oscar = _oscar_run(base, sessions, product_ids, seconds=args.purchase_seconds)
    oscar["invariants"] = _oscar_invariants(oscar_checkout_url, product_ids, orders_before, oscar)
    _flush_redis()
    return {"bazaar": bazaar, "oscar": oscar}


def _oscar_run(base: str, sessions: list[str], product_ids: list[int], *, seconds: int) -> dict:
    """bench.checkout's steady run, with Oscar's flow: each buyer loops until the deadline."""
    from bench import _oscar_flow

    timings = {step: [] for step in _oscar_flow.STEPS}
    outcomes: Counter = Counter()
    requests = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(len(sessions) + 1)
    deadline = [0.0]

    def buyer(session_key: str) -> None:
        client = _oscar_flow.OscarClient(base, session_key)
        rng = random.Random(session_key)
        mine, counted = {step: [] for step in _oscar_flow.STEPS}, Counter()
        barrier.wait()
        while time.monotonic() < deadline[0]:
            counted[client.purchase(rng.choice(product_ids), mine)] += 1
        client.close()
        with lock:
            for step in _oscar_flow.STEPS:
                timings[step].extend(mine[step])
            outcomes.update(counted)
            requests[0] += client.requests

    threads = [threading.Thread(target=buyer, args=(key,)) for key in sessions]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + seconds
    started = time.monotonic()
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    placed = outcomes.get("placed", 0)
    return {
        "seconds": round(elapsed, 2),
        "purchases": placed,
        "purchases_per_s": placed / elapsed if elapsed else 0.0,
        "outcomes": dict(outcomes),
        "unexpected": sum(n for name, n in outcomes.items() if name != "placed"),
        "requests_per_purchase": requests[0] / placed if placed else None,
        "steps": {step: _flows.summary(timings[step]) for step in _oscar_flow.STEPS},
    }


def _oscar_invariants(url: str, product_ids: list[int], orders_before: int, run: dict) -> dict[str, bool]:
    """Every placed order is in the database once; stock allocated equals units ordered."""
    orders = _scalar(url, "SELECT count(*) FROM order_order") - orders_before
    mismatched = _scalar(
        url,
        "SELECT count(*) FROM partner_stockrecord s LEFT JOIN (SELECT stockrecord_id, sum(quantity) AS n "
        "FROM order_line GROUP BY stockrecord_id) l ON l.stockrecord_id = s.id "
        "WHERE s.product_id = ANY(%s) AND (coalesce(s.num_allocated, 0) <> coalesce(l.n, 0) "
        "OR s.num_allocated > s.num_in_stock)",
        [product_ids],
    )
    return {
        "orders in the database = orders the buyers saw placed": orders == run["purchases"],
        "per product: allocated = units in orders, allocated <= in stock": mismatched == 0,
    }


def _flush_redis() -> None:
    # The run's queued Bazaar tasks and both shops' cache keys: the scenario's own database.
    import redis

    redis.Redis.from_url(_oscar_env.REDIS_URL).flushdb()


# --- Report ------------------------------------------------------------------------------


def _report(peer: str, pages: dict, search: dict, purchases: dict, args) -> int:
    print(f"\n{'page':22} {'Bazaar req/s':>12} {'Oscar req/s':>12} {'ratio':>6}   p99 ms Bazaar / Oscar")
    rows, errors = [], 0
    for page, result in pages.items():
        ours, theirs = result["bazaar"], result["oscar"]
        ratio = ours.ratio_to(theirs)
        errors += ours.errors + theirs.errors
        print(
            f"{page:22} {ours.requests_per_second:12.0f} {theirs.requests_per_second:12.0f} {ratio:5.1f}x"
            f"   {ours.p99_ms:.0f} / {theirs.p99_ms:.0f}"
        )
        rows.append({"page": page, "paths": result["paths"], "ratio": ratio,
                     "bazaar": _figures(ours), "oscar": _figures(theirs)})  # fmt: skip
    browse_ratio = rows[0]["ratio"]
    print(
        f"search '{QUERY}', one request at a time (not loaded), ms: Bazaar {search['bazaar']['ms']}, "
        f"Oscar (haystack simple backend, {search['oscar']['results']} results) {search['oscar']['ms']}"
    )
    ours, theirs = purchases["bazaar"], purchases["oscar"]
    purchase_ratio = ours["purchases_per_s"] / theirs["purchases_per_s"] if theirs["purchases_per_s"] else 0.0
    print(
        f"\npurchases/s: Bazaar {ours['purchases_per_s']:.1f} (3 requests each), Oscar {theirs['purchases_per_s']:.1f} "
        f"orders/s ({theirs['requests_per_purchase'] or 0:.0f} requests each): {purchase_ratio:.1f}x"
    )
    print(f"   Bazaar outcomes {ours['outcomes']}; Oscar outcomes {theirs['outcomes']}")
    for name, run in (("Bazaar", ours), ("Oscar", theirs)):
        steps = ", ".join(f"{s} {f['p50_ms']}/{f['p99_ms']}" for s, f in run["steps"].items())
        print(f"   {name} p50/p99 ms: {steps}")
    browse_met, purchase_met = browse_ratio >= AIM_BROWSE, purchase_ratio >= AIM_PURCHASE
    print(f"\naim (Bazaar catalogue list >= {AIM_BROWSE:.0f}x Oscar's): {'met' if browse_met else 'NOT met'} "
          f"({browse_ratio:.1f}x)")  # fmt: skip
    print(f"aim (Bazaar purchases/s >= {AIM_PURCHASE:.0f}x Oscar's orders/s): {'met' if purchase_met else 'NOT met'} "
          f"({purchase_ratio:.1f}x)")  # fmt: skip
    checks = {**ours["invariants"], **theirs["invariants"]}
    for check, held in checks.items():
        print(f"   [{'ok' if held else 'FAILED'}] {check}")
    print(f"   every page answered 200 ({errors} errors)")
    _server.VAR.mkdir(parents=True, exist_ok=True)
    (_server.VAR / "oscar.json").write_text(json.dumps(
        {"peer": peer, "cores": os.cpu_count(), "workers": _server.WORKERS, "settings": vars(args), "pages": rows,
         "search": search, "browse_ratio": browse_ratio, "purchase_ratio": purchase_ratio, "purchases": purchases},
        indent=2, default=str,
    ))  # fmt: skip
    failed = errors or not all(checks.values()) or ours["unexpected"] or theirs["unexpected"]
    return 1 if failed else 0


def _figures(result: _wrk.WrkResult) -> dict:
    return {"rps": result.requests_per_second, "p50_ms": result.p50_ms, "p99_ms": result.p99_ms,
            "errors": result.errors}  # fmt: skip
