"""The request id crosses into a live worker: its log lines carry it (issue 7, part 2/6)."""

import json
import threading

import pytest

from shop.observability import tasks


@pytest.fixture
def json_worker(monkeypatch, request):
    """A live worker (conftest.celery_worker) logging JSON; returns its parsed stdout lines."""
    monkeypatch.setenv("LOG_FORMAT", "json")
    process = request.getfixturevalue("celery_worker")
    lines: list[dict] = []

    def read() -> None:
        for raw in process.stdout:
            try:
                lines.append(json.loads(raw))
            except ValueError:
                lines.append({"unparsed": raw})

    threading.Thread(target=read, daemon=True).start()
    return lines


@pytest.mark.worker
@pytest.mark.urls("shop.tests.urls")
def test_task_queued_by_a_request_logs_the_same_request_id(client_as, alice, json_worker, eventually):
    response = client_as(alice).get("/queue-ping/", HTTP_X_REQUEST_ID="req-into-worker-42")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "req-into-worker-42"

    def task_lines():
        return [line for line in json_worker if line.get("task_name") == "shop.observability.tasks.ping_task"]

    assert eventually(lambda: any(line.get("logger") == "shop.task" for line in task_lines()), timeout=30)
    pong, finished = task_lines()
    assert (pong["logger"], pong["message"], pong["request_id"]) == (
        "shop.observability.tasks",
        "pong",
        "req-into-worker-42",
    )
    assert finished["message"] == "shop.observability.tasks.ping_task SUCCESS"
    assert finished["request_id"] == "req-into-worker-42"
    assert finished["state"] == "SUCCESS"
    assert finished["task_id"] == pong["task_id"]
    assert finished["duration_ms"] >= 0
    assert finished["user_id"] == pong["user_id"] == alice.user_id
    # Every line the worker logged is JSON (the start-up banner is a print, before
    # "ready."; compose runs the worker with --quiet), and the per-task line is the only one per task:
    # Celery's own "received"/"succeeded" lines are off (settings.LOGGING).
    ready = next(i for i, line in enumerate(json_worker) if line.get("message", "").endswith(" ready."))
    assert [line for line in json_worker[ready:] if "unparsed" in line] == []
    assert not any("succeeded" in line.get("message", "") for line in json_worker)


@pytest.mark.worker
def test_task_queued_outside_a_request_has_no_request_id(json_worker, eventually):
    tasks.ping_task.delay()

    def finished():
        return [line for line in json_worker if line.get("logger") == "shop.task"]

    assert eventually(lambda: finished() != [], timeout=30)
    [line] = finished()
    assert "request_id" not in line
    assert line["state"] == "SUCCESS"
