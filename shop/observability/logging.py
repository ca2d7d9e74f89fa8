"""Log formatting: one JSON object per line in production, readable text in development.

settings.LOGGING (and docker/gunicorn.conf.py) refer to these classes by dotted path;
ContextFilter adds request_id, user_id, task_id, task_name (and trace_id when tracing
is on) to every record that reaches the console handler, whichever logger made it.
"""

import json
import logging
from datetime import UTC, datetime

from django.http import HttpRequest

from shop.observability import context

CONTEXT_FIELDS = ("request_id", "user_id", "task_id", "task_name", "trace_id")

# Attributes every LogRecord has; anything else on a record came from `extra=` and is
# written out as a field of its own.
# (Django's `request` extra is left out too: its method and path are in the request line.)
_STANDARD_ATTRS = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName", "request"}

# Set by shop.observability.tracing when tracing is configured, so log lines carry the
# trace id (Loki -> Jaeger) without this module importing OpenTelemetry.
trace_id_getter = None


class ContextFilter(logging.Filter):
    """Copies the current request/task context onto the record (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = context.current()
        # Django logs 4xx/5xx ("Not Found: ...") after the middleware chain has returned,
        # so outside the bound context; the record carries the request instead.
        request = getattr(record, "request", None)
        if current.request_id is None and isinstance(request, HttpRequest):
            current = context.from_request(request)
        for field in ("request_id", "user_id", "task_id", "task_name"):
            if getattr(record, field, None) is None:
                setattr(record, field, getattr(current, field))
        if trace_id_getter is not None and getattr(record, "trace_id", None) is None:
            record.trace_id = trace_id_getter()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, pid, context, extras."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_") and value is not None:
                payload[key] = value
        if record.exc_info:
            payload["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack_info"] = self.formatStack(record.stack_info)
        # default=str: a stray Decimal or datetime in `extra=` must not lose the line.
        return json.dumps(payload, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The development format, with the context appended when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        tags = " ".join(
            f"{field}={value}" for field in CONTEXT_FIELDS if (value := getattr(record, field, None)) is not None
        )
        return f"{line} [{tags}]" if tags else line
