"""X-Request-ID in and out, and exactly one log line per request."""

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from shop.observability import context

logger = logging.getLogger("shop.request")


class RequestContextMiddleware:
    """Binds the request id (client's X-Request-ID if valid, else a uuid4 hex) for the
    whole request, echoes it in the response and logs the request when it ends.

    Placed near the top of MIDDLEWARE so every later middleware's log lines carry the id.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = context.request_id_from_header(request.headers.get(context.REQUEST_ID_HEADER))
        request.request_id = request_id
        tokens = context.bind_request(request, request_id=request_id)
        started = time.perf_counter()
        try:
            # Django turns exceptions into responses in the inner middleware layers, so
            # a failing view still comes back here as a 500 and gets its log line.
            response = self.get_response(request)
            response[context.REQUEST_ID_HEADER] = request_id
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            context.unbind_request(tokens)
