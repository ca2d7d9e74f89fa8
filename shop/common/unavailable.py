"""A clean 503 while the database or the cache is away (a restart, a failover).

The API already answers 503 JSON through shop.common.errors.api_exception_handler; this
covers the HTML pages and anything that fails outside a DRF view. The cache matters to
logins: django-axes and the auth throttle keep their counters there, so while Redis is
down a login is refused with a 503 (failing closed) rather than a 500. Nothing here may touch
the database: the response is built from a constant, not from base.html, whose context
processors read the user and the unread notifications.
"""

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

from shop.common.errors import is_cache_down

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
DETAIL = "The service is briefly unavailable, please retry."
CODE = "service_unavailable"

_PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<title>Briefly unavailable · Bazaar</title></head><body>"
    "<h1>Bazaar is briefly unavailable</h1>"
    "<p>We could not reach our database. Nothing you did was lost: please try again in a few seconds.</p>"
    "</body></html>"
)

DATABASE_DOWN = (OperationalError, InterfaceError)


def _unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_DOWN) or (exc is not None and is_cache_down(exc))


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 JSON for the API (DESIGN §3 error shape), a static page for everything else."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse({"detail": DETAIL, "code": CODE}, status=503)
    else:
        response = HttpResponse(_PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a view's database or cache connection error into a 503 instead of a 500.

    Django's connection health checks (CONN_HEALTH_CHECKS) reconnect on the next request,
    so the shop recovers by itself once the database is back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if _unavailable(exception):
            logger.warning("dependency unavailable: %s", exception, extra={"status": 503})
            return unavailable_response(request)
        return None


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a database or cache outage met outside a view (a middleware, the session save)
    is still a 503; any other error is Django's usual 500."""
    exc = sys.exc_info()[1]
    if _unavailable(exc):
        return unavailable_response(request)
    return defaults.server_error(request, template_name=template_name)
