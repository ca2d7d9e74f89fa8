"""Observability: request ids, JSON logs, Celery task hooks and tracing (issue 7).

- context.py     the request/task context every log line carries (contextvars)
- logging.py     the JSON and text formatters, the context filter, the LOGGING dict
- middleware.py  X-Request-ID in and out, one log line per request
- celery_hooks.py  request id into tasks, one log line and metrics per task, worker /metrics
- tracing.py     OpenTelemetry, imported only when OTEL_EXPORTER_OTLP_ENDPOINT is set

Nothing here imports an app: the apps only ever call shop.common.metrics.
"""
