"""Invoice benchmark (issue 5): PDF render time and invoices/s for ONE Celery worker process
through the real broker, beside the DESIGN §7 reference (xhtml2pdf alone rendering a
5-line invoice) measured in the same run.

    python -m bench invoices [--invoices=300] [--samples=200]

1. in-process: the reference and our template (payments.pdf), interleaved, p50/p99;
2. through the broker: N paid orders are settled for real (settle_order: transfers,
   gap-free number, snapshot; the render request written to the outbox) while no worker runs,
   then one `celery worker -P solo` process is started and drains the queue. The render
   time is what the worker measured per invoice (Invoice.render_seconds); invoices/s is
   N over the span from the first render's start to the last one's end.

Environment: BENCH_INVOICES_DB (default bazaar_bench_invoices), BENCH_PG (server URL),
REDIS_URL (the broker; without it Celery's filesystem broker is used, and said so).
Figures go to stdout and var/bench/invoices.json.
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from decimal import Decimal

from bench import _server
from shop.common.lines import SaleLine

DB = os.environ.get("BENCH_INVOICES_DB", "bazaar_bench_invoices")
AIM_P50_MS = 25.0
AIM_PER_SECOND = 30.0
# The reference as DESIGN §7 saw it when the aims were set. On a slower machine the bare
# reference alone can take longer than the 25 ms aim, so the run is also judged in the
# reference's units (DESIGN §7: figures are read as ratios to a reference of the same run).
DESIGN_REFERENCE_MS = 13.0
LINES = 5
BUYERS = 10

REFERENCE_HTML = (
    "<html><body><h1>Invoice INV-2026-000001</h1><table>"
    + "".join(f"<tr><td>Item {i}</td><td>2</td><td>10.00</td><td>20.00</td></tr>" for i in range(LINES))
    + "</table><p>Total 100.00</p></body></html>"
)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench invoices")
    parser.add_argument("--invoices", type=int, default=300)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args(argv)

    media = _server.VAR / "media"
    os.environ["MEDIA_ROOT"] = str(media)
    database_url = _server.ensure_database(DB)
    _server.setup_django(database_url)

    from django.conf import settings

    broker = "Redis" if settings.REDIS_URL else "filesystem (REDIS_URL unset)"
    print(
        f"settings: PostgreSQL {DB}, broker {broker}, one worker process (-P solo, prefetch 1, acks late), "
        f"{args.invoices} invoices of {LINES} lines, {args.samples} in-process samples, DEBUG off"
    )

    reference, ours = _in_process(samples=args.samples)
    ref_p50, our_p50 = _pct(reference, 50), _pct(ours, 50)
    print(f"\nin-process (ms)              {'p50':>7} {'p99':>7} {'ratio':>6}")
    print(f"reference: xhtml2pdf alone    {ref_p50:7.1f} {_pct(reference, 99):7.1f} {1:6.2f}")
    print(f"invoice template (pdf.py)     {our_p50:7.1f} {_pct(ours, 99):7.1f} {our_p50 / ref_p50:6.2f}")

    worker = _through_worker(database_url=database_url, media=str(media), count=args.invoices)
    w_p50 = worker["render_p50_ms"]
    print(f"\nthrough the broker, one worker process ({args.invoices} invoices)")
    print(f"render time per invoice (worker): p50 {w_p50:.1f} ms, p99 {worker['render_p99_ms']:.1f} ms")
    print(f"throughput: {worker['per_second']:.1f} invoices/s (first render start to last render end)")
    print(f"  task overhead per invoice (broker, DB, storage): {worker['overhead_ms']:.1f} ms")
    print(
        f"end to end: settled {args.invoices} orders in {worker['settle_seconds']:.1f} s; drained in "
        f"{worker['drain_seconds']:.1f} s after the worker started"
    )

    # The machine's speed drifts within minutes: the reference is sampled again right after
    # the worker has drained, and the worker is judged against the mean of both.
    reference_after, _ = _in_process(samples=max(args.samples // 2, 20))
    ref_around = statistics.mean([ref_p50, _pct(reference_after, 50)])
    print(
        f"reference p50 before / after the worker: {ref_p50:.1f} / {_pct(reference_after, 50):.1f} ms; "
        f"worker render p50 is {w_p50 / ref_around:.2f}x their mean"
    )
    aim_met = w_p50 < AIM_P50_MS and worker["per_second"] >= AIM_PER_SECOND
    print(
        f"\naim (p50 < {AIM_P50_MS:.0f} ms and >= {AIM_PER_SECOND:.0f} invoices/s per worker): "
        f"{'met' if aim_met else 'NOT met'}"
    )
    scale = DESIGN_REFERENCE_MS / ref_around
    scaled_p50, scaled_per_second = w_p50 * scale, worker["per_second"] / scale
    scaled_met = scaled_p50 < AIM_P50_MS and scaled_per_second >= AIM_PER_SECOND
    print(
        f"in the reference's units (this run's reference {ref_around:.1f} ms taken as DESIGN §7's "
        f"{DESIGN_REFERENCE_MS:.0f} ms): render p50 {scaled_p50:.1f} ms, {scaled_per_second:.1f} invoices/s: "
        f"{'met' if scaled_met else 'NOT met'}"
    )
    invariants = worker["invariants"]
    print("invariants: " + "; ".join(f"{name}: {'ok' if ok else 'FAILED'}" for name, ok in invariants.items()))

    _server.VAR.mkdir(parents=True, exist_ok=True)
    (_server.VAR / "invoices.json").write_text(
        json.dumps(
            {
                "cores": os.cpu_count(),
                "broker": broker,
                "invoices": args.invoices,
                "reference_p50_ms": ref_p50,
                "reference_p99_ms": _pct(reference, 99),
                "template_p50_ms": our_p50,
                "template_p99_ms": _pct(ours, 99),
                **{k: v for k, v in worker.items() if k != "invariants"},
                "invariants": invariants,
                "aim_met": aim_met,
                "scaled_to_design_reference": {
                    "render_p50_ms": scaled_p50,
                    "per_second": scaled_per_second,
                    "aim_met": scaled_met,
                },
            },
            indent=2,
        )
    )
    return 0 if all(invariants.values()) else 1


def _in_process(*, samples: int) -> tuple[list[float], list[float]]:
    """The reference and our render, interleaved so machine noise hits both alike."""
    from xhtml2pdf import pisa

    from payments import pdf

    snapshot = _sample_snapshot()
    for _ in range(5):  # warm both (imports, font metrics, template cache)
        pisa.CreatePDF(REFERENCE_HTML, dest=io.BytesIO())
        pdf.render_invoice_pdf(snapshot=snapshot)
    reference, ours = [], []
    for _ in range(samples):
        started = time.perf_counter()
        pisa.CreatePDF(REFERENCE_HTML, dest=io.BytesIO())
        reference.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        pdf.render_invoice_pdf(snapshot=snapshot)
        ours.append((time.perf_counter() - started) * 1000)
    return reference, ours


def _through_worker(*, database_url: str, media: str, count: int) -> dict:
    from django.conf import settings
    from django.utils import timezone
    from pypdf import PdfReader

    from accounts import services as accounts_services
    from payments import services as payments_services
    from payments.models import Invoice
    from shop.celery import app as celery_app

    run = uuid.uuid4().hex[:8]
    queue = f"bench-invoices-{run}"
    celery_app.conf.task_default_queue = queue

    def user(name: str) -> int:
        return accounts_services.register_user(
            username=f"{name}-{run}", email=f"{name}-{run}@bench.example", password="Quiet-harbour-lantern-77"
        ).user_id

    sellers = [user("inv-seller-a"), user("inv-seller-b")]
    buyers = [user(f"inv-buyer{n}") for n in range(BUYERS)]
    lines = [(1 + line % 3, Decimal("12.50") + line) for line in range(LINES)]
    order_total = sum(quantity * price for quantity, price in lines)
    orders_per_buyer = -(-count // BUYERS)
    for buyer_id in buyers:
        # One top-up is capped (DESIGN §2), so a long run tops up in steps.
        needed = order_total * orders_per_buyer
        while needed > 0:
            step = min(needed, settings.WALLET_TOP_UP_MAX)
            payments_services.top_up(user_id=buyer_id, amount=step)
            needed -= step

    # Settle while no worker runs: the render tasks wait in the broker, so the worker
    # is measured alone, draining a full queue.
    settle_started = time.perf_counter()
    invoice_ids = []
    for n in range(count):
        draft = payments_services.InvoiceDraft(
            order_id=int(time.time() * 1000) * 1000 + n,
            buyer_id=buyers[n % BUYERS],
            lines=tuple(
                SaleLine(
                    item_id=line + 1,
                    seller_id=sellers[line % 2],
                    title=f"Bench item {line + 1} of order {n}",
                    quantity=quantity,
                    unit_price=unit_price,
                )
                for line, (quantity, unit_price) in enumerate(lines)
            ),
            paid_at=timezone.now(),
        )
        invoice_ids.append(payments_services.settle_order(draft=draft).invoice_id)
    settle_seconds = time.perf_counter() - settle_started

    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "shop",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel",
            "WARNING",
            "-n",
            f"{queue}@%h",
        ],
        cwd=_server.ROOT,
        # The outbox relay runs in this worker and sends the render requests to the
        # default queue: make that the worker's own queue.
        env=_server.server_env(database_url, MEDIA_ROOT=media, CELERY_TASK_DEFAULT_QUEUE=queue),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answered = time.perf_counter()
        deadline = answered + max(120.0, count * 0.5)
        while time.perf_counter() < deadline:
            if Invoice.objects.filter(pk__in=invoice_ids, status="ready").count() == count:
                break
            time.sleep(0.2)
        drain_seconds = time.perf_counter() - answered
    finally:
        _server.stop(worker)

    rows = list(
        Invoice.objects.filter(pk__in=invoice_ids).values(
            "status", "sequence", "year", "render_seconds", "rendered_at", "pdf"
        )
    )
    ready = [r for r in rows if r["status"] == "ready"]
    renders = [r["render_seconds"] * 1000 for r in ready]
    if ready:
        first_start = min(r["rendered_at"] - timedelta(seconds=r["render_seconds"]) for r in ready)
        span = (max(r["rendered_at"] for r in ready) - first_start).total_seconds()
    else:
        span = float("inf")
    per_second = len(ready) / span if span else 0.0
    sequences = sorted(r["sequence"] for r in rows if r["year"] == rows[0]["year"])
    sample_ok = True
    for row in ready[:1] + ready[-1:]:
        with open(os.path.join(media, row["pdf"]), "rb") as handle:
            sample_ok &= len(PdfReader(handle).pages) == 1
    audit = payments_services.audit_ledger()
    return {
        "render_p50_ms": _pct(renders, 50) if renders else float("nan"),
        "render_p99_ms": _pct(renders, 99) if renders else float("nan"),
        "render_mean_ms": statistics.fmean(renders) if renders else float("nan"),
        "per_second": per_second,
        "overhead_ms": (1000 / per_second - statistics.fmean(renders)) if renders and per_second else float("nan"),
        "settle_seconds": settle_seconds,
        "drain_seconds": drain_seconds,
        "invariants": {
            f"all {count} invoices ready": len(ready) == count,
            "numbers unique and gap-free": sequences == list(range(sequences[0], sequences[0] + len(sequences))),
            "first and last PDF parse (pypdf)": sample_ok,
            "ledger consistent (balances = ledger, none negative, sum zero)": audit.consistent,
        },
    }


def _sample_snapshot() -> dict:
    lines = [
        {
            "item_id": n,
            "seller_id": 2 + n % 2,
            "seller_username": ("bob", "carol")[n % 2],
            "title": f"Bench item {n}",
            "quantity": 1 + n % 3,
            "unit_price": "12.50",
            "line_total": str(Decimal("12.50") * (1 + n % 3)),
        }
        for n in range(1, LINES + 1)
    ]
    return {
        "number": "INV-2026-000001",
        "order_id": 1,
        "paid_at": "2026-01-01T12:00:00+00:00",
        "buyer": {"user_id": 1, "username": "alice", "email": "alice@example.com", "name": "Alice"},
        "sellers": [
            {"user_id": 2, "username": "bob", "email": "bob@example.com", "name": "Bob", "total": "50.00"},
            {"user_id": 3, "username": "carol", "email": "carol@example.com", "name": "Carol", "total": "37.50"},
        ],
        "lines": lines,
        "total": "87.50",
    }


def _pct(values: list[float], percentile: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percentile / 100 * (len(ordered) - 1)))]
