"""OpenTelemetry tracing: on when OTEL_EXPORTER_OTLP_ENDPOINT is set, off and free otherwise.

configure_tracing() is called from shop/wsgi.py (web, before the WSGI handler loads the
middleware list the Django instrumentation extends) and from the Celery worker hooks
(each prefork child after the fork, or the worker itself for solo/thread pools).
Without the variable it returns at once: no OpenTelemetry module is even imported.

The OTLP/HTTP exporter reads the standard OTEL_* variables itself
(OTEL_EXPORTER_OTLP_ENDPOINT, _HEADERS, _TIMEOUT...); OTEL_SERVICE_NAME overrides the
service name given here.
"""

import logging
import os

from shop.observability import logging as observability_logging

logger = logging.getLogger(__name__)

ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"

# The instrumentors in use, so shutdown_tracing() can undo exactly what was done.
_instrumentors: list = []
_provider = None


def tracing_enabled() -> bool:
    return bool(os.environ.get(ENDPOINT_ENV))


def configure_tracing(*, service_name: str, exporter=None, set_global: bool = True) -> bool:
    """Set up the SDK and the Django, psycopg2, Celery and Redis instrumentations.

    exporter: a SpanExporter to use instead of OTLP (tests pass an in-memory one; spans
    then go through a SimpleSpanProcessor so they are there as soon as the span ends).
    Returns whether tracing is on. Idempotent: a second call changes nothing.
    """
    global _provider
    if _provider is not None:
        return True
    if exporter is None and not tracing_enabled():
        return False

    # Imported here, not at the top: with tracing off, none of this may be loaded.
    from opentelemetry import trace
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg2 import Psycopg2Instrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME") or service_name})
    provider = TracerProvider(resource=resource)
    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    else:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    if set_global:
        trace.set_tracer_provider(provider)

    instrumentors = [DjangoInstrumentor(), Psycopg2Instrumentor(), CeleryInstrumentor(), RedisInstrumentor()]
    for instrumentor in instrumentors:
        # skip_dep_check: we ship psycopg2-binary, and the check is about pip metadata only.
        instrumentor.instrument(tracer_provider=provider, skip_dep_check=True)
    _instrumentors.extend(instrumentors)
    _provider = provider

    def current_trace_id() -> str | None:
        span_context = trace.get_current_span().get_span_context()
        return format(span_context.trace_id, "032x") if span_context.is_valid else None

    observability_logging.trace_id_getter = current_trace_id
    logger.info("tracing on", extra={"service": resource.attributes.get("service.name")})
    return True


def shutdown_tracing() -> None:
    """Undo configure_tracing (tests), flushing what the processors still hold."""
    global _provider
    while _instrumentors:
        _instrumentors.pop().uninstrument()
    if _provider is not None:
        _provider.shutdown()
        _provider = None
    observability_logging.trace_id_getter = None
