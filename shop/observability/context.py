"""The context every log line carries: request id, user id, and the task being run.

Kept in contextvars, so each thread (sync gunicorn worker, runserver thread, Celery
child) sees only its own request or task.
"""

import re
import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass, replace

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty

REQUEST_ID_HEADER = "X-Request-ID"
# A client's id is echoed into logs and headers: accept only a short, harmless alphabet.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")


@dataclass(frozen=True, slots=True)
class LogContext:
    request_id: str | None = None
    user_id: int | None = None
    task_id: str | None = None
    task_name: str | None = None


# LogContext is frozen, so sharing one default instance is safe.
_context: ContextVar[LogContext] = ContextVar("bazaar_log_context", default=LogContext())  # noqa: B039
# The request itself, so the user id can be read once authentication has run (the
# middleware binds the context before AuthenticationMiddleware or DRF know the user).
_request: ContextVar[HttpRequest | None] = ContextVar("bazaar_request", default=None)


def request_id_from_header(value: str | None) -> str:
    """The client's X-Request-ID when it is valid, otherwise a fresh uuid4 hex."""
    if value and _VALID_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def bind_request(request: HttpRequest, *, request_id: str) -> tuple[Token, Token]:
    """Make `request` the current one; undo with unbind_request(tokens)."""
    return _context.set(LogContext(request_id=request_id)), _request.set(request)


def unbind_request(tokens: tuple[Token, Token]) -> None:
    context_token, request_token = tokens
    _request.reset(request_token)
    _context.reset(context_token)


def bind_task(*, request_id: str | None, user_id: int | None, task_id: str, task_name: str) -> Token:
    """Make a task the current context (worker side); undo with unbind_task(token)."""
    return _context.set(LogContext(request_id=request_id, user_id=user_id, task_id=task_id, task_name=task_name))


def unbind_task(token: Token) -> None:
    _context.reset(token)


def current() -> LogContext:
    """The current context, with the user id filled in once the request is authenticated."""
    context = _context.get()
    request = _request.get()
    if context.user_id is None and request is not None:
        user_id = _authenticated_user_id(request)
        if user_id is not None:
            return replace(context, user_id=user_id)
    return context


def from_request(request: HttpRequest) -> LogContext:
    """The context of a request that is no longer the current one (see ContextFilter)."""
    return LogContext(request_id=getattr(request, "request_id", None), user_id=_authenticated_user_id(request))


def _authenticated_user_id(request: HttpRequest) -> int | None:
    # AuthenticationMiddleware sets a lazy user; DRF replaces it with the real one after
    # authenticating. A log call must never be the thing that evaluates the lazy user:
    # it would run session queries from inside logging (and change query counts).
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:
            return None
        user = user._wrapped
    return user.pk if getattr(user, "is_authenticated", False) else None
