"""Where a purchase's time goes (issue 16): the checkout bench's three requests, in-process.

    python -m bench purchase_profile [--purchases=300] [--warmup=30] [--cprofile=add|checkout|pay]

Not part of `make bench` (it measures no throughput). It serves the bench's requests
(`POST cart/lines/`, `POST orders/`, `POST orders/{id}/pay/`, a JWT per buyer) to Django's
WSGI handler in this process, with the production profile the checkout bench gives
gunicorn (bench._server.server_env: DEBUG off, JSON logs, PostgreSQL, Redis cache and
broker), one request at a time, so nothing waits for a lock or a CPU. Per request it
records wall and CPU time, and splits the wall time into exclusive phases by timing each
middleware layer, DRF's steps, the service call, SQL (every statement, by kind), commits,
Redis round trips, Celery publishes, logging and the connection health check: each
phase's own time, its callees' time subtracted, so the phases add up to the request.

Environment: BENCH_PROFILE_DB (default bazaar_bench_profile), BENCH_PG, BENCH_REDIS_URL
(redis://127.0.0.1:6379/14, flushed at the end, as the checkout bench does). With
--cprofile=STEP the step's requests also run under cProfile and the top functions by own
time are printed (the timers stay on; cProfile slows Python code, not SQL).
"""

import argparse
import cProfile
import functools
import io
import os
import pstats
import re
import statistics
import time
import uuid
from collections import Counter, defaultdict

from bench import _server

DB = os.environ.get("BENCH_PROFILE_DB", "bazaar_bench_profile")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
STEPS = ("add", "checkout", "pay")
REQUEST = "request (other)"


# --- Exclusive-time timers ---------------------------------------------------------------


class Phases:
    """Nested timers: each phase records its own time, its callees' subtracted."""

    def __init__(self) -> None:
        # [label, wall started, CPU started, wall in callees, CPU in callees]
        self.stack: list[list] = []
        self.own: Counter = Counter()
        self.own_cpu: Counter = Counter()
        self.calls: Counter = Counter()

    def enter(self, label: str) -> None:
        self.stack.append([label, time.perf_counter(), time.thread_time(), 0.0, 0.0])

    def leave(self) -> None:
        cpu, now = time.thread_time(), time.perf_counter()
        label, started, cpu_started, children, children_cpu = self.stack.pop()
        spent, spent_cpu = now - started, cpu - cpu_started
        self.own[label] += spent - children
        self.own_cpu[label] += spent_cpu - children_cpu
        self.calls[label] += 1
        if self.stack:
            self.stack[-1][3] += spent
            self.stack[-1][4] += spent_cpu

    def reset(self) -> None:
        self.own, self.own_cpu, self.calls = Counter(), Counter(), Counter()


PHASES = Phases()


def _timed(label: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        PHASES.enter(label)
        try:
            return function(*args, **kwargs)
        finally:
            PHASES.leave()

    wrapper.__bench_timed__ = True
    return wrapper


def _wrap(owner, name: str, label: str) -> None:
    function = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name)
    if function is None or getattr(function, "__bench_timed__", False):
        return
    if isinstance(function, property):
        setattr(owner, name, property(_timed(label, function.fget), function.fset, function.fdel))
    elif isinstance(function, (staticmethod, classmethod)):
        setattr(owner, name, type(function)(_timed(label, function.__func__)))
    else:
        setattr(owner, name, _timed(label, function))


def _instrument() -> None:
    """Wrap what a purchase runs through; called before the WSGI handler is built."""
    import logging

    import redis.connection
    from celery.app.task import Task
    from django.conf import settings
    from django.core.handlers.base import BaseHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.postgresql.base import DatabaseWrapper
    from django.urls.resolvers import URLResolver
    from django.utils.deprecation import MiddlewareMixin
    from django.utils.module_loading import import_string
    from rest_framework import serializers
    from rest_framework.negotiation import DefaultContentNegotiation
    from rest_framework.parsers import JSONParser
    from rest_framework.renderers import JSONRenderer
    from rest_framework.views import APIView

    import cart.services
    import orders.services

    _wrap(WSGIHandler, "__call__", "django WSGI handler (request, signals)")
    _wrap(BaseHandler, "_get_response", "django view dispatch")
    _wrap(URLResolver, "resolve", "url resolve")
    _wrap(MiddlewareMixin, "__call__", "middleware glue (MiddlewareMixin)")
    _wrap(APIView, "dispatch", "drf dispatch")
    for path in settings.MIDDLEWARE:
        cls = import_string(path)
        label = "mw " + cls.__name__
        for name in ("__call__", "process_request", "process_view", "process_response", "process_exception"):
            if name in cls.__dict__:
                _wrap(cls, name, label)
    _wrap(APIView, "perform_authentication", "drf authentication (JWT, user row)")
    _wrap(APIView, "check_permissions", "drf permissions")
    _wrap(APIView, "check_throttles", "drf throttles")
    _wrap(APIView, "perform_content_negotiation", "drf negotiation")
    _wrap(APIView, "finalize_response", "drf finalize")
    _wrap(APIView, "initialize_request", "drf request wrapper")
    _wrap(JSONParser, "parse", "drf parse JSON")
    _wrap(JSONRenderer, "render", "drf render JSON")
    _wrap(serializers.Serializer, "is_valid", "serializer input")
    _wrap(serializers.Serializer, "data", "serializer output")
    _wrap(DefaultContentNegotiation, "select_renderer", "drf negotiation")
    _wrap(cart.services, "add_to_cart", "service (Python)")
    _wrap(orders.services, "place_order", "service (Python)")
    _wrap(orders.services, "pay_order", "service (Python)")
    _wrap(Task, "apply_async", "celery publish (on commit)")
    _wrap(redis.connection.AbstractConnection, "send_packed_command", "redis round trips")
    _wrap(redis.connection.AbstractConnection, "read_response", "redis round trips")
    _wrap(redis.connection.AbstractConnection, "connect", "redis round trips")
    _wrap(logging.Handler, "handle", "logging (filter, format, write)")
    _wrap(BaseDatabaseWrapper, "commit", "sql COMMIT")
    _wrap(BaseDatabaseWrapper, "rollback", "sql ROLLBACK")
    _wrap(DatabaseWrapper, "is_usable", "db health check (SELECT 1)")
    _wrap(BaseDatabaseWrapper, "connect", "db connect")


_KINDS = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT|SELECT|INSERT|UPDATE|DELETE)", re.I)


class StatementLog:
    """A connection.execute_wrapper: every statement's time, under a phase of its own."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, float]] = []

    def __call__(self, execute, sql, params, many, context):
        PHASES.enter("sql statements")
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, time.perf_counter() - started))
            PHASES.leave()


def _shape(sql: str) -> str:
    """A statement without its literals: its kind and table, FOR UPDATE noted."""
    kind = _KINDS.match(sql)
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
    words = [kind.group(1).upper() if kind else sql.split()[0].upper()]
    if table:
        words.append(table.group(1))
    if "FOR UPDATE" in sql:
        words.append("FOR UPDATE")
    return " ".join(words)


# --- Requests ----------------------------------------------------------------------------


def _environ(method: str, path: str, token: str, body: bytes = b"", headers: dict | None = None) -> dict:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def _cpu_seconds(pid: int | None) -> float:
    """CPU time a process (PostgreSQL backend) has used, from the scheduler's ns counter."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/schedstat") as stats:
            return int(stats.read().split()[0]) / 1e9
    except OSError:  # not Linux, or another machine's server
        return 0.0


def _backend_pid(connection) -> int | None:
    raw = connection.connection
    return raw.get_backend_pid() if raw is not None else None


def _call(application, environ: dict) -> tuple[int, bytes]:
    status = []
    chunks = application(environ, lambda s, h, exc_info=None: status.append(s))
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()  # request_finished: Django closes obsolete connections here
    return int(status[0].split()[0]), body


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench purchase_profile")
    parser.add_argument("--purchases", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--cprofile", choices=STEPS, default=None)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--cprofile-out", default=None, help="also save the cProfile stats to this file")
    args = parser.parse_args(argv)

    # The environment the checkout bench gives gunicorn (bench.checkout, extra_env).
    os.environ.update({"REDIS_URL": REDIS_URL, "AUTH_THROTTLE_RATE": "100000/min"})
    database_url = _server.ensure_database(DB)
    _server.setup_django(database_url)

    import json
    import logging

    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from bench import checkout

    logging.getLogger("catalogue.services").setLevel(logging.WARNING)
    sellers = checkout._accounts("benchseller", 2)
    ((buyer_id, token),) = checkout._accounts("benchbuyer", 1)
    items = list(checkout._items(sellers, count=50, quantity=1_000_000))
    _instrument()
    application = WSGIHandler()
    # The per-request JSON lines would swamp the figures: to a buffer that is then dropped
    # (the formatting and the write are still done and timed).
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(io.StringIO())

    statements = StatementLog()
    wall: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    backend_cpu: dict[str, list[float]] = defaultdict(list)
    own: dict[str, Counter] = {step: Counter() for step in STEPS}
    own_cpu: dict[str, Counter] = {step: Counter() for step in STEPS}
    shapes: dict[str, Counter] = {step: Counter() for step in STEPS}
    shape_time: dict[str, Counter] = {step: Counter() for step in STEPS}
    commits: dict[str, int] = Counter()
    profiler = cProfile.Profile() if args.cprofile else None

    def run(step: str, environ: dict, measured: bool) -> dict | None:
        statements.statements.clear()
        PHASES.reset()
        profile = profiler if measured and step == args.cprofile else None
        pid = _backend_pid(connection)
        backend_started = _cpu_seconds(pid)
        cpu_started, started = time.thread_time(), time.perf_counter()
        if profile:
            profile.enable()
        PHASES.enter(REQUEST)
        with connection.execute_wrapper(statements):
            status, body = _call(application, environ)
        PHASES.leave()
        if profile:
            profile.disable()
        elapsed, cpu_spent = time.perf_counter() - started, time.thread_time() - cpu_started
        # A connection opened during the request (the first, or after CONN_MAX_AGE) is not counted.
        backend = _cpu_seconds(pid) - backend_started if pid == _backend_pid(connection) else None
        if status not in (200, 201):
            raise RuntimeError(f"{step}: {status} {body[:300]!r}")
        if measured:
            wall[step].append(elapsed)
            cpu[step].append(cpu_spent)
            if backend is not None:
                backend_cpu[step].append(backend)
            own[step].update(PHASES.own)
            own_cpu[step].update(PHASES.own_cpu)
            commits[step] += PHASES.calls["sql COMMIT"]
            for sql, seconds in statements.statements:
                shapes[step][_shape(sql)] += 1
                shape_time[step][_shape(sql)] += seconds
        return json.loads(body) if body else None

    for n in range(args.warmup + args.purchases):
        measured = n >= args.warmup
        item_id = items[n % len(items)]
        body = json.dumps({"item_id": item_id, "quantity": 1}).encode()
        run("add", _environ("POST", "/api/v1/cart/lines/", token, body), measured)
        order = run(
            "checkout",
            _environ("POST", "/api/v1/orders/", token, headers={"Idempotency-Key": uuid.uuid4().hex}),
            measured,
        )
        if order["status"] != "awaiting_payment":
            raise RuntimeError(f"checkout ended {order['status']}")
        run("pay", _environ("POST", f"/api/v1/orders/{order['id']}/pay/", token), measured)

    _report(args, wall, cpu, backend_cpu, own, own_cpu, shapes, shape_time, commits)
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
        print(f"\n-- cProfile, {args.cprofile}, top {args.top} by own time ({args.purchases} requests)")
        print(out.getvalue())
        if args.cprofile_out:
            profiler.dump_stats(args.cprofile_out)
    checkout._flush_redis()
    return 0


def _report(args, wall, cpu, backend_cpu, own, own_cpu, shapes, shape_time, commits) -> None:
    n = args.purchases
    print(f"{n} purchases after {args.warmup} warm-up ones, one request at a time, in-process (WSGIHandler)")
    print("ms per request; CPU: this (Django) thread, and the PostgreSQL backend serving it")
    print(f"{'step':9} {'wall p50':>9} {'mean':>7} {'CPU':>7} {'PG CPU':>7} {'statements':>11} {'SQL wall':>9}")
    for step in STEPS:
        sql_ms = own[step]["sql statements"] / n * 1000
        print(
            f"{step:9} {statistics.median(wall[step]) * 1000:8.2f}  {statistics.fmean(wall[step]) * 1000:6.2f} "
            f"{statistics.fmean(cpu[step]) * 1000:7.2f} {statistics.fmean(backend_cpu[step]) * 1000:7.2f} "
            f"{sum(shapes[step].values()) / n:10.1f} {sql_ms:9.2f}"
        )
    total_wall = sum(statistics.fmean(wall[s]) for s in STEPS) * 1000
    total_cpu = sum(statistics.fmean(cpu[s]) for s in STEPS) * 1000
    total_pg = sum(statistics.fmean(backend_cpu[s]) for s in STEPS) * 1000
    total_statements = sum(sum(shapes[s].values()) for s in STEPS) / n
    print(f"purchase  {'':8}  {total_wall:6.2f} {total_cpu:7.2f} {total_pg:7.2f} {total_statements:10.1f}")

    labels = sorted({label for step in STEPS for label in own[step]}, key=lambda la: -sum(own[s][la] for s in STEPS))
    print("\nexclusive time per phase, ms per request (mean): wall / CPU of this thread")
    print(f"{'phase':40} " + " ".join(f"{s:>13}" for s in STEPS) + f" {'purchase':>13} {'share':>6}")
    for label in labels:
        per = [own[s][label] / n * 1000 for s in STEPS]
        per_cpu = [own_cpu[s][label] / n * 1000 for s in STEPS]
        cells = " ".join(f"{w:6.2f} /{c:5.2f}" for w, c in zip(per, per_cpu, strict=True))
        print(f"{label:40} {cells} {sum(per):6.2f} /{sum(per_cpu):5.2f} {sum(per) / total_wall:6.1%}")

    print("\nstatements per request (mean count, mean ms), commits per request")
    for step in STEPS:
        print(f"  {step}: {commits[step] / n:.1f} commit(s)")
        for shape, count in sorted(shapes[step].items(), key=lambda kv: -kv[1]):
            print(f"    {count / n:5.1f} x {shape:48} {shape_time[step][shape] / n * 1000:6.2f} ms")
