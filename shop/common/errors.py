"""Domain errors and the one API exception handler (DESIGN §3 error format).

Every app raises subclasses of DomainError from its services; the API turns them into
JSON `{"detail", "code"}` here, HTML views catch them and show a form error.
"""

import traceback
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


def is_cache_down(exc: BaseException) -> bool:
    """redis-py's ConnectionError/TimeoutError (or a subclass), recognised by name: importing
    redis here would load OpenTelemetry with it (redis-py 8), even with tracing off."""
    return any(
        cls.__module__ == "redis.exceptions" and cls.__name__ in ("ConnectionError", "TimeoutError")
        for cls in type(exc).__mro__
    )


class DomainError(Exception):
    """A business rule refused the action: 409 with a DESIGN code unless overridden."""

    code = "conflict"
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.default_detail
        self.extra = extra
        super().__init__(self.detail)

    def as_json(self) -> dict[str, Any]:
        return {"detail": self.detail, "code": self.code, **self.extra}


class NotFoundError(DomainError):
    """Unknown, or someone else's: both are 404 so existence is not leaked (DESIGN §3)."""

    code = "not_found"
    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "Not found."


class InvalidInput(DomainError):
    """Input a serializer cannot catch, found by a service: 400, names the field."""

    code = "invalid"
    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, detail: str | None = None, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.field = field

    def as_json(self) -> dict[str, Any]:
        if self.field:
            return {self.field: [self.detail]}
        return super().as_json()


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is briefly unavailable, please retry."
    default_code = "service_unavailable"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(exc.as_json(), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):
        # Over DATA_UPLOAD_MAX_MEMORY_SIZE: Django would answer with an HTML 400 page.
        exc = RequestTooLarge()
    elif isinstance(exc, RecursionError) and _raised_by_a_parser(exc):
        # JSON nested thousands deep: json raises RecursionError, which DRF's parser
        # does not catch (it catches ValueError), so it was a 500 (tests/fuzz).
        exc = exceptions.ParseError("JSON parse error - nested too deeply.")
    if isinstance(exc, (OperationalError, InterfaceError)) or is_cache_down(exc):
        # The database went away (restart, failover), or the cache that holds the login
        # lockout and throttle counters: a clean, retryable 503, not a 500.
        exc = ServiceUnavailable()
    elif isinstance(exc, DatabaseError):
        return None
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = "5"  # same hint as the pages' 503 (shop.common.unavailable)
    if isinstance(exc.detail, (list, dict)) and not _is_plain_detail(exc.detail):
        # Validation errors keep DRF's field -> messages shape (DESIGN §3).
        if isinstance(exc.detail, list):
            response.data = {"non_field_errors": response.data}
        return response
    detail = exc.detail.get("detail") if isinstance(exc.detail, dict) else exc.detail
    response.data = {"detail": str(detail), "code": getattr(detail, "code", None) or exc.default_code}
    return response


def _raised_by_a_parser(exc: BaseException) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    return any(frame.filename.endswith(("rest_framework/parsers.py", "json/decoder.py")) for frame in frames)


def _is_plain_detail(detail: dict | list) -> bool:
    return isinstance(detail, dict) and set(detail) <= {"detail", "code", "messages"}
