"""The Celery app: standard wiring, settings under the CELERY_ namespace."""

import os

from celery import Celery

from shop.observability import celery_hooks

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["shop.observability"])  # ping_task, a diagnostic
# JSON logs, request id into tasks, task metrics and tracing (shop/observability).
celery_hooks.connect()
