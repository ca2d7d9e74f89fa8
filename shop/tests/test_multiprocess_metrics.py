"""/metrics under gunicorn with several workers, and the worker's own /metrics (issue 7, part 1).

Real processes: gunicorn with docker/gunicorn.conf.py, and a live Celery worker.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from shop.observability import tasks

ROOT = Path(__file__).resolve().parents[2]
HEALTHZ = "django_http_responses_total_by_status_view_method_total"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, dict, str]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read().decode()


def _sample(text: str, name: str, **labels) -> float:
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


class _Lines:
    """Collects a process's stdout lines in a thread (parsed JSON where they are JSON)."""

    def __init__(self, stream) -> None:
        self.items: list[dict] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream) -> None:
        for raw in stream:
            try:
                self.items.append(json.loads(raw))
            except ValueError:
                self.items.append({"unparsed": raw})


@pytest.fixture
def gunicorn(tmp_path):
    port = _free_port()
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    (multiproc / "counter_999999.db").write_bytes(b"stale")  # a previous run's leftovers
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shop.settings",
        "DJANGO_DEBUG": "true",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "3",
        "LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "docker/gunicorn.conf.py", "shop.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = _Lines(process.stdout)
    base = f"http://127.0.0.1:{port}"
    try:
        yield base, lines, multiproc
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _request_lines(lines: _Lines) -> list[dict]:
    return [line for line in lines.items if line.get("logger") == "shop.request" and line["path"] == "/healthz"]


def test_metrics_add_up_every_gunicorn_worker(gunicorn, eventually):
    base, lines, multiproc = gunicorn
    assert eventually(lambda: _try(f"{base}/healthz"), timeout=60)
    assert not (multiproc / "counter_999999.db").exists()  # on_starting cleared the folder

    # Concurrent requests until at least two workers have served some (their log lines
    # carry their pid), each with its own request id.
    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        while len({line["pid"] for line in _request_lines(lines)}) < 2 and sent < 400:
            ids = [f"req-{sent + i}" for i in range(40)]
            results = list(pool.map(lambda rid: _get(f"{base}/healthz", **{"X-Request-ID": rid}), ids))
            assert [headers["X-Request-ID"] for _, headers, _ in results] == ids
            sent += len(ids)
    assert eventually(
        lambda: len([line for line in _request_lines(lines) if line["request_id"].startswith("req-")]) == sent
    )
    served = [line for line in _request_lines(lines) if line["request_id"].startswith("req-")]
    pids = {line["pid"] for line in served}
    assert len(pids) >= 2
    assert sorted(line["request_id"] for line in served) == sorted(f"req-{i}" for i in range(sent))
    healthz_total = len(_request_lines(lines))  # ours plus the start-up probes

    _, _, text = _get(f"{base}/metrics")
    assert _sample(text, HEALTHZ, view="healthz", status="200") == healthz_total

    # A worker that dies takes no counts with it: gunicorn replaces it (child_exit marks
    # it dead) and its samples stay in the sum.
    victim = next(iter(pids))
    os.kill(victim, signal.SIGKILL)
    time.sleep(1)
    assert eventually(lambda: _try(f"{base}/healthz"), timeout=30)
    _, _, text = _get(f"{base}/metrics")
    assert _sample(text, HEALTHZ, view="healthz", status="200") == len(_request_lines(lines))
    assert _sample(text, HEALTHZ, view="healthz", status="200") >= healthz_total + 1


def _try(url: str) -> bool:
    try:
        return _get(url)[0] == 200
    except OSError:
        return False


@pytest.fixture
def worker_metrics_port(monkeypatch):
    port = _free_port()
    monkeypatch.setenv("CELERY_METRICS_PORT", str(port))
    return port


@pytest.mark.worker
def test_the_worker_serves_its_task_metrics(worker_metrics_port, celery_worker, eventually):
    url = f"http://127.0.0.1:{worker_metrics_port}/metrics"
    assert eventually(lambda: _try(url), timeout=30)

    tasks.ping_task.delay()
    tasks.ping_task.delay()

    name = "shop.observability.tasks.ping_task"

    def done() -> float:
        return _sample(_get(url)[2], "bazaar_celery_tasks_total", task=name, state="success")

    assert eventually(lambda: done() == 2, timeout=30)
    text = _get(url)[2]
    assert _sample(text, "bazaar_celery_task_duration_seconds_count", task=name) == 2
    assert _sample(text, "bazaar_celery_tasks_total", task=name, state="failure") == 0
