"""Request ids and the one JSON log line per request (issue 7, part 2)."""

import json
import logging
import sys
from decimal import Decimal

import pytest
from django.http import HttpRequest

from shop.observability import context, tasks
from shop.observability.logging import ContextFilter, JsonFormatter, TextFormatter


def _request_lines(lines):
    return [line for line in lines if line["logger"] == "shop.request"]


def test_request_id_from_the_client_is_echoed_and_logged(client, json_log):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123.XYZ_9")

    assert response.status_code == 200
    assert response["X-Request-ID"] == "abc-123.XYZ_9"
    [line] = _request_lines(json_log())
    assert line["request_id"] == "abc-123.XYZ_9"
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert line["message"] == "GET /healthz 200"
    assert isinstance(line["duration_ms"], float)
    assert "user_id" not in line  # anonymous


@pytest.mark.parametrize(
    "sent",
    ["", "a" * 129, "has space", "semi;colon", "ünïcode", "new\nline"],
    ids=["empty", "too-long", "space", "semicolon", "unicode", "newline"],
)
def test_invalid_request_id_is_replaced_by_a_fresh_one(client, json_log, sent):
    response = client.get("/healthz", headers={"X-Request-ID": sent})

    generated = response["X-Request-ID"]
    assert generated != sent
    assert len(generated) == 32 and int(generated, 16) >= 0  # uuid4 hex
    [line] = _request_lines(json_log())
    assert line["request_id"] == generated


def test_longest_valid_request_id_is_kept(client):
    sent = "a" * 128
    assert client.get("/healthz", HTTP_X_REQUEST_ID=sent)["X-Request-ID"] == sent


def test_each_request_without_header_gets_its_own_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first != second


def test_log_line_carries_the_authenticated_user_id_api(api_as, alice, json_log):
    response = api_as(alice).get("/api/v1/me/", HTTP_X_REQUEST_ID="req-me")

    assert response.status_code == 200
    [line] = _request_lines(json_log())
    assert line["user_id"] == alice.user_id
    assert line["request_id"] == "req-me"
    assert line["status"] == 200


def test_log_line_carries_the_session_user_id(client_as, alice, json_log):
    response = client_as(alice).get("/api/v1/me/", HTTP_X_REQUEST_ID="req-session")

    assert response.status_code == 200
    [line] = _request_lines(json_log())
    assert line["user_id"] == alice.user_id


def test_refused_request_is_logged_with_its_status(client, json_log):
    response = client.get("/api/v1/me/", HTTP_X_REQUEST_ID="req-401")

    assert response.status_code == 401
    assert response["X-Request-ID"] == "req-401"
    [line] = _request_lines(json_log())
    assert (line["status"], line["request_id"]) == (401, "req-401")


def test_every_line_during_a_request_carries_its_id(client, json_log):
    """Lines written by other loggers while the request runs (here Django's 404 warning)."""
    client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-404")

    lines = json_log()
    assert {line["logger"] for line in lines} >= {"django.request", "shop.request"}
    assert {line["request_id"] for line in lines} == {"req-404"}


def test_context_is_gone_after_the_request(client, json_log):
    client.get("/healthz", HTTP_X_REQUEST_ID="req-done")
    logging.getLogger("shop.after").warning("later")

    later = [line for line in json_log() if line["logger"] == "shop.after"]
    assert later == [
        {
            "time": later[0]["time"],
            "level": "WARNING",
            "logger": "shop.after",
            "message": "later",
            "pid": later[0]["pid"],
        }
    ]


@pytest.mark.urls("shop.tests.urls")
def test_eager_task_queued_by_a_request_logs_the_request_id(client, json_log):
    response = client.get("/queue-ping/", HTTP_X_REQUEST_ID="req-eager")

    assert response.status_code == 200
    lines = json_log()
    [pong] = [line for line in lines if line["message"] == "pong"]
    assert pong["request_id"] == "req-eager"
    assert pong["task_name"] == "shop.observability.tasks.ping_task"
    [task_line] = [line for line in lines if line["logger"] == "shop.task"]
    assert task_line["request_id"] == "req-eager"
    assert task_line["state"] == "SUCCESS"
    assert task_line["message"] == "shop.observability.tasks.ping_task SUCCESS"


def test_ping_task_returns_no_request_id_outside_a_request():
    assert tasks.ping_task.apply().result is None


def test_json_formatter_writes_extras_and_exceptions():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("t").makeRecord(
            "t",
            logging.ERROR,
            __file__,
            1,
            "failed %s",
            ("x",),
            exc_info=sys.exc_info(),
            extra={"order_id": 7, "amount": Decimal("1.50")},
        )
    ContextFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))

    assert line["message"] == "failed x"
    assert line["order_id"] == 7
    assert line["amount"] == "1.50"
    assert line["exc_info"].startswith("Traceback") and "ValueError: boom" in line["exc_info"]


def test_text_formatter_appends_the_context():
    tokens = context.bind_request(HttpRequest(), request_id="r-1")
    try:
        record = logging.makeLogRecord({"name": "t", "levelno": 20, "levelname": "INFO", "msg": "hi"})
        ContextFilter().filter(record)
    finally:
        context.unbind_request(tokens)
    assert TextFormatter().format(record).endswith("INFO t hi [request_id=r-1]")
