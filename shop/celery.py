"""The Celery app: standard wiring, settings under the CELERY_ namespace."""

import os
from pathlib import Path

from celery import Celery, signals
from django.db import close_old_connections

from shop.observability import celery_hooks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["shop.observability"])  # ping_task, a diagnostic
# JSON logs, request id into tasks, task metrics and tracing (shop/observability).
celery_hooks.connect()


@app.on_after_configure.connect(weak=False)
def make_broker_folders(sender, **kwargs) -> None:
    """The filesystem broker (the embedded default) cannot publish into folders that do not
    exist yet, and a fresh clone has none until `make run` makes them: a benchmark or a
    script publishing first would lose its messages."""
    if not str(sender.conf.broker_url or "").startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


@signals.task_prerun.connect(weak=False)
@signals.task_postrun.connect(weak=False)
def close_unusable_connections(sender=None, **kwargs) -> None:
    """Treat each task like a request: drop database connections that are broken, past
    CONN_MAX_AGE or failed their health check, keep the others (CELERY_DB_REUSE_MAX stops
    Celery from closing them all around every task).

    Not for eager tasks: they run inside their caller's transaction and connection.
    """
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    close_old_connections()
