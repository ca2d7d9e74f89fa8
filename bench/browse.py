"""Browse benchmark (issue 3): 100,000 items; /items/ (plain, filtered, searched: one common
word, two words, a word being typed, a word that matches nothing), one item
page and GET /api/v1/items/ under gunicorn on PostgreSQL, each beside the 24-row reference
view served by the same workers, as a ratio (DESIGN §7).

    python -m bench browse [--seconds=10] [--connections=16] [--load-only]

Environment: BENCH_DB (default bazaar_bench), BENCH_PG (server URL), BENCH_PORT (8765),
BENCH_ITEMS (100000), BENCH_WORKERS (4), BENCH_BROWSE_CACHE_SECONDS (the servers'
CATALOGUE_COUNT_CACHE_SECONDS, default 30; 0 measures every count and search ranking
uncached). Figures go to stdout and var/bench/browse.json.
"""

import argparse
import json
import os
import statistics

from bench import _server, _wrk

DB = os.environ.get("BENCH_DB", "bazaar_bench")
PORT = int(os.environ.get("BENCH_PORT", "8765"))
ITEMS = int(os.environ.get("BENCH_ITEMS", "100000"))
SELLERS = 40

AIM_RATIO = 0.50  # filtered browse vs the 24-row reference (DESIGN §7)
AIM_P99_MS = 100.0
AIM_SEARCH_RATIO = 0.35  # text search vs the same reference (DESIGN §7)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench browse")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--load-only", action="store_true", help="prepare the database and stop (bench.oscar)")
    args = parser.parse_args(argv)

    database_url = _server.ensure_database(DB)
    _server.setup_django(database_url)
    item_id = _load_items(ITEMS)
    _check_counters()
    if args.load_only:
        return 0

    scenarios = {
        "browse /items/": "/items/",
        "browse filtered (category + price)": "/items/?category=electronics&price_min=50&price_max=300",
        "browse by condition (new, like_new)": "/items/?condition=new&condition=like_new",
        "browse text search": "/items/?q=guitar",
        "text search, two words": "/items/?q=acoustic+guitar",
        "text search, word being typed": "/items/?q=guit",
        "text search, no match": "/items/?q=zyzzogeton",
        "item page /items/<id>/": f"/items/{item_id}/",
        "API GET /api/v1/items/": "/api/v1/items/",
    }
    cache_seconds = os.environ.get("BENCH_BROWSE_CACHE_SECONDS", "30")
    print(
        f"settings: PostgreSQL {DB}, {ITEMS:,} items, gunicorn {_server.WORKERS} sync workers, DEBUG off, "
        f"wrk {args.connections} connections x {args.seconds} s per URL, browse caches {cache_seconds} s"
    )
    with _server.gunicorn(port=PORT, database_url=database_url) as base:
        urls = {"reference (24 rows, 1 query)": "/bench/reference/", "constant string": "/bench/constant/"}
        urls.update(scenarios)
        for path in urls.values():
            status = _server.fetch_status(base + path)
            if status != 200:
                raise RuntimeError(f"{path} answered {status}, not 200")
            _wrk.run_wrk(base + path, connections=args.connections, seconds=2)  # warm the workers
        run = lambda path: _wrk.run_wrk(base + path, connections=args.connections, seconds=args.seconds)  # noqa: E731
        before = run(urls["reference (24 rows, 1 query)"])
        constant = run(urls["constant string"])
        results = {name: run(path) for name, path in scenarios.items()}
        after = run(urls["reference (24 rows, 1 query)"])

    reference_rps = statistics.mean([before.requests_per_second, after.requests_per_second])
    print(
        f"\nreference (24 rows): {before.requests_per_second:.0f} req/s before, {after.requests_per_second:.0f} after"
    )
    print(f"constant string view: {constant.requests_per_second:.0f} req/s\n")
    header = f"{'scenario':38} {'req/s':>8} {'ratio':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}"
    print(header)
    print("-" * len(header))
    rows = []
    for name, result in [("reference (24 rows, 1 query)", before), *results.items()]:
        ratio = result.requests_per_second / reference_rps
        print(
            f"{name:38} {result.requests_per_second:8.0f} {ratio:6.0%} {result.p50_ms:7.1f} "
            f"{result.p99_ms:7.1f} {result.errors:6d}"
        )
        rows.append({"scenario": name, "rps": result.requests_per_second, "ratio": ratio, **_latency(result)})

    filtered = results["browse filtered (category + price)"]
    ratio = filtered.requests_per_second / reference_rps
    aim_met = ratio >= AIM_RATIO and filtered.p99_ms < AIM_P99_MS
    errors = sum(r.errors for r in results.values()) + before.errors + after.errors
    _check_counters()
    print(
        f"\naim (filtered browse >= {AIM_RATIO:.0%} of reference, p99 < {AIM_P99_MS:.0f} ms): "
        f"{'met' if aim_met else 'NOT met'} ({ratio:.0%}, p99 {filtered.p99_ms:.1f} ms)"
    )
    searches = {name: r for name, r in results.items() if name.startswith(("browse text search", "text search"))}
    slowest = min(searches, key=lambda name: searches[name].requests_per_second)
    search_ratio = searches[slowest].requests_per_second / reference_rps
    print(
        f"aim (every text search >= {AIM_SEARCH_RATIO:.0%} of reference): "
        f"{'met' if search_ratio >= AIM_SEARCH_RATIO else 'NOT met'} (slowest: {slowest}, {search_ratio:.0%})"
    )
    print(f"invariants: every response 200 ({errors} errors); 0 <= reserved <= quantity on every item: ok")
    _server.VAR.mkdir(parents=True, exist_ok=True)
    (_server.VAR / "browse.json").write_text(
        json.dumps(
            {
                "cores": os.cpu_count(),
                "items": ITEMS,
                "workers": _server.WORKERS,
                "connections": args.connections,
                "seconds": args.seconds,
                "browse_cache_seconds": int(cache_seconds),
                "reference_rps": reference_rps,
                "constant_rps": constant.requests_per_second,
                "results": rows,
                "aim_met": aim_met,
                "search_aim_met": search_ratio >= AIM_SEARCH_RATIO,
            },
            indent=2,
        )
    )
    return 0 if errors == 0 else 1


def _latency(result: _wrk.WrkResult) -> dict:
    return {"p50_ms": result.p50_ms, "p99_ms": result.p99_ms, "errors": result.errors}


def _load_items(wanted: int) -> int:
    """Top the bench database up to `wanted` active items; returns one active item's id."""
    from django.db import connection

    from accounts import services as accounts_services
    from catalogue import services as catalogue_services

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalogue_item")
        have = cursor.fetchone()[0]
    if have < wanted:
        seller_ids = []
        for n in range(1, SELLERS + 1):
            username = f"benchseller{n:02d}"
            user_id = accounts_services.find_user_id(username=username)
            if user_id is None:
                user_id = accounts_services.register_user(
                    username=username, email=f"{username}@bench.example", password="Quiet-harbour-lantern-77"
                ).user_id
            seller_ids.append(user_id)
        print(f"loading {wanted - have:,} items...", flush=True)
        catalogue_services.load_demo_catalogue(seller_ids=seller_ids, items=wanted - have, seed=have)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE catalogue_item")  # index-only counts need the visibility map
    if not _has_conditions():
        print("warning: these items were loaded before item conditions (in their titles): drop the bench database")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM catalogue_item WHERE status = 'active' ORDER BY id LIMIT 1 OFFSET %s", [wanted // 2]
        )
        return cursor.fetchone()[0]


def _has_conditions() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM catalogue_item WHERE condition <> 'good')")
        return cursor.fetchone()[0]


def _check_counters() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM catalogue_item WHERE reserved < 0 OR reserved > quantity")
        broken = cursor.fetchone()[0]
    if broken:
        raise AssertionError(f"{broken} items break 0 <= reserved <= quantity")
