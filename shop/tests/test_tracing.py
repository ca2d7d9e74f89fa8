"""Tracing: spans when on (in-memory exporter), nothing imported when off (issue 7, part 3/6)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from shop.observability import tracing

ROOT = Path(__file__).resolve().parents[2]

# Imports the web and worker entry points the way gunicorn and celery do, then reports.
PROBE = """
import json, sys
import shop.wsgi, shop.celery
from django.conf import settings
print(json.dumps({
    "otel": sorted(m for m in sys.modules if m.startswith("opentelemetry")),
    "middleware": [m for m in settings.MIDDLEWARE if "opentelemetry" in m],
}))
"""


def _probe(**env) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    environment.update(DJANGO_SETTINGS_MODULE="shop.settings_test", **env)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_tracing_off_imports_nothing_and_adds_no_middleware():
    assert _probe() == {"otel": [], "middleware": []}


def test_tracing_on_when_the_endpoint_is_set():
    # Nothing listens there; nothing is exported in this probe either (no spans end).
    probe = _probe(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9")
    assert "opentelemetry.instrumentation.django" in probe["otel"]
    assert "opentelemetry.instrumentation.psycopg2" in probe["otel"]
    assert "opentelemetry.instrumentation.celery" in probe["otel"]
    assert "opentelemetry.instrumentation.redis" in probe["otel"]
    assert probe["middleware"] == ["opentelemetry.instrumentation.django.middleware.otel_middleware._DjangoMiddleware"]


@pytest.fixture
def spans():
    """Tracing on with an in-memory exporter, for this test only."""
    exporter = InMemorySpanExporter()
    assert tracing.configure_tracing(service_name="bazaar-test", exporter=exporter, set_global=False) is True
    try:
        yield exporter
    finally:
        tracing.shutdown_tracing()


@pytest.mark.django_db
@pytest.mark.urls("shop.tests.urls")
def test_a_request_that_queues_a_task_produces_server_and_task_spans(spans, json_log):
    client = Client()  # built after instrumenting, so it loads the tracing middleware

    response = client.get("/queue-ping/", HTTP_X_REQUEST_ID="req-traced")

    assert response.status_code == 200
    finished = spans.get_finished_spans()
    server = [span for span in finished if span.kind is SpanKind.SERVER]
    assert [span.name for span in server] == ["GET queue-ping/"]
    [run] = [span for span in finished if span.name == "run/shop.observability.tasks.ping_task"]
    # The eager task runs inside the request: one trace, the task span under the request's.
    assert run.context.trace_id == server[0].context.trace_id
    assert server[0].attributes["http.status_code"] == 200
    assert server[0].resource.attributes["service.name"] == "bazaar-test"
    # Log lines carry the trace id, so a log line leads to its trace.
    [request_line] = [line for line in json_log() if line["logger"] == "shop.request"]
    assert request_line["trace_id"] == format(server[0].context.trace_id, "032x")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_queries_produce_psycopg2_spans(spans, api_as, alice):
    connections.close_all()  # the instrumentation wraps new connections

    response = api_as(alice).get("/api/v1/me/")

    assert response.status_code == 200
    db_spans = [span for span in spans.get_finished_spans() if span.attributes.get("db.system") == "postgresql"]
    assert db_spans != []
    assert all(span.kind is SpanKind.CLIENT for span in db_spans)


def test_configure_without_endpoint_or_exporter_does_nothing(monkeypatch):
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    assert tracing.configure_tracing(service_name="bazaar-test") is False
