"""Celery signal hooks: logging, request id into tasks, task metrics, worker /metrics.

connect() is called once from shop/celery.py, so web (publisher) and worker (consumer)
both have them:
- setup_logging: the worker and beat log through settings.LOGGING (JSON in production)
  instead of Celery's own format.
- before_task_publish: the current request id and user id ride in the message headers.
- task_prerun / task_postrun: the worker restores them around the task, then writes one
  log line and the metrics per task (count by state, duration).
- worker_init: CELERY_METRICS_PORT set -> the worker serves /metrics for Prometheus,
  aggregating the prefork children when PROMETHEUS_MULTIPROC_DIR is set.
- worker_process_init / worker_init: tracing, after the fork for prefork children.
"""

import logging
import os
import sys
import time

from celery import signals
from celery.concurrency import get_implementation
from celery.concurrency.prefork import TaskPool as PreforkPool
from django.conf import settings
from django.utils.log import configure_logging
from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

from shop.common import metrics
from shop.observability import context, tracing

logger = logging.getLogger("shop.task")

# Message header names (Celery exposes custom headers as task.request attributes).
REQUEST_ID_HEADER = "bazaar_request_id"
USER_ID_HEADER = "bazaar_user_id"
METRICS_PORT_ENV = "CELERY_METRICS_PORT"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
WORKER_SERVICE_NAME = "bazaar-worker"

# task_id -> (context token, start time); one entry per task running in this process.
_running: dict[str, tuple[object, float]] = {}


def connect() -> None:
    signals.setup_logging.connect(_setup_logging, weak=False)
    signals.before_task_publish.connect(_add_context_headers, weak=False)
    signals.task_prerun.connect(_task_started, weak=False)
    signals.task_postrun.connect(_task_finished, weak=False)
    signals.worker_init.connect(_worker_init, weak=False)
    signals.worker_process_init.connect(_worker_child_init, weak=False)
    signals.worker_process_shutdown.connect(_worker_child_exit, weak=False)


def _setup_logging(**kwargs) -> None:
    # Having a receiver at all stops Celery from installing its own handlers.
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def _add_context_headers(headers: dict | None = None, **kwargs) -> None:
    if headers is None:
        return
    current = context.current()
    if current.request_id is not None:
        headers.setdefault(REQUEST_ID_HEADER, current.request_id)
    if current.user_id is not None:
        headers.setdefault(USER_ID_HEADER, current.user_id)


def _task_started(task_id: str, task, **kwargs) -> None:
    # An eager task (tests, CELERY_TASK_ALWAYS_EAGER) has no message: it inherits the
    # context of the code that queued it.
    current = context.current()
    request = task.request
    token = context.bind_task(
        request_id=getattr(request, REQUEST_ID_HEADER, None) or current.request_id,
        user_id=getattr(request, USER_ID_HEADER, None) or current.user_id,
        task_id=task_id,
        task_name=task.name,
    )
    _running[task_id] = (token, time.perf_counter())


def _task_finished(task_id: str, task, state: str | None = None, **kwargs) -> None:
    entry = _running.pop(task_id, None)
    if entry is None:  # prerun never ran for it (a receiver failed): nothing to close
        return
    token, started = entry
    seconds = time.perf_counter() - started
    if state is None:
        # Eager tasks with CELERY_TASK_EAGER_PROPAGATES re-raise before Celery sets a
        # state; this signal is then sent while that exception is still in flight.
        state = "FAILURE" if sys.exc_info()[0] is not None else "UNKNOWN"
    try:
        metrics.record_celery_task(task=task.name, state=state, seconds=seconds)
        logger.log(
            logging.ERROR if state == "FAILURE" else logging.INFO,
            "%s %s",
            task.name,
            state,
            extra={"state": state, "duration_ms": round(seconds * 1000, 2), "retries": task.request.retries},
        )
    finally:
        context.unbind_task(token)


def _is_prefork(worker) -> bool:
    pool = get_implementation(worker.pool_cls)
    return isinstance(pool, type) and issubclass(pool, PreforkPool)


def _worker_init(sender=None, **kwargs) -> None:
    port = os.environ.get(METRICS_PORT_ENV)
    if port:
        start_metrics_server(int(port))
    if sender is not None and not _is_prefork(sender):
        # solo / threads pools run tasks in this very process.
        tracing.configure_tracing(service_name=WORKER_SERVICE_NAME)


def _worker_child_init(**kwargs) -> None:
    tracing.configure_tracing(service_name=WORKER_SERVICE_NAME)


def _worker_child_exit(pid: int | None = None, **kwargs) -> None:
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid or os.getpid())


def start_metrics_server(port: int, addr: str = "0.0.0.0") -> None:
    """Serve /metrics on `port`. In multiprocess mode it reads every child's files, since
    prefork children record the task metrics, not this (parent) process."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
        logger.warning(
            "%s is set without %s: with the prefork pool the children's task metrics will be missing",
            METRICS_PORT_ENV,
            MULTIPROC_ENV,
        )
    start_http_server(port, addr=addr, registry=registry)
    logger.info("worker metrics on port %s", port)
