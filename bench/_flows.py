"""Helpers for flow benchmarks: a keep-alive JSON client, latency summaries, pgbench.

client = JsonClient(base, token)          # one per thread
status, body, ms = client.post("/api/v1/orders/", headers={"Idempotency-Key": key})
summary(latencies_ms) -> {"n", "p50_ms", "p99_ms"}
pgbench_tps(clients=8, seconds=10) -> float   # DESIGN §7 write-path reference
"""

import http.client
import json
import os
import re
import subprocess
import time
from urllib.parse import urlsplit

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PGBENCH_DB = os.environ.get("BENCH_PGBENCH_DB", "bazaar_pgbench")


class JsonClient:
    """A tiny HTTP/1.1 JSON client on one connection (reopened when the server closes it)."""

    def __init__(self, base: str, token: str) -> None:
        parts = urlsplit(base)
        self._connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def request(self, method: str, path: str, payload=None, headers=None) -> tuple[int, dict | None, float]:
        body = json.dumps(payload) if payload is not None else None
        started = time.perf_counter()
        try:
            self._connection.request(method, path, body=body, headers={**self._headers, **(headers or {})})
            response = self._connection.getresponse()
            raw = response.read()
        except (http.client.HTTPException, ConnectionError):
            # gunicorn's sync workers close the connection after each answer: retry on a new one.
            self._connection.close()
            self._connection.request(method, path, body=body, headers={**self._headers, **(headers or {})})
            response = self._connection.getresponse()
            raw = response.read()
        elapsed_ms = (time.perf_counter() - started) * 1000
        data = (
            json.loads(raw) if raw and response.headers.get("Content-Type", "").startswith("application/json") else None
        )
        return response.status, data, elapsed_ms

    def post(self, path: str, payload=None, headers=None):
        return self.request("POST", path, payload, headers)

    def close(self) -> None:
        self._connection.close()


def summary(latencies_ms: list[float]) -> dict:
    if not latencies_ms:
        return {"n": 0, "p50_ms": None, "p99_ms": None}
    ordered = sorted(latencies_ms)

    def pick(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"n": len(ordered), "p50_ms": pick(0.50), "p99_ms": pick(0.99)}


def pgbench_tps(*, clients: int = 8, seconds: int = 10) -> float:
    """TPC-B-like pgbench on the same PostgreSQL (the write-path reference of DESIGN §7)."""
    import psycopg2

    admin = psycopg2.connect(f"{PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PGBENCH_DB])
        fresh = cursor.fetchone() is None
        if fresh:
            cursor.execute(f'CREATE DATABASE "{PGBENCH_DB}"')
    admin.close()
    url = f"{PG}/{PGBENCH_DB}"
    if fresh:
        subprocess.run(["pgbench", "-i", "-q", "-s", "1", url], check=True, capture_output=True)
    out = subprocess.run(
        ["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"tps = ([0-9.]+)", out)
    if match is None:
        raise RuntimeError(f"pgbench printed no tps:\n{out}")
    return float(match.group(1))
