"""Gunicorn settings for Bazaar (docker/compose.yaml's web service, or any host).

    gunicorn -c docker/gunicorn.conf.py shop.wsgi

Environment: PORT (8000), GUNICORN_BIND (overrides PORT), WEB_CONCURRENCY (workers,
default 2 x cores + 1), GUNICORN_THREADS (1), GUNICORN_TIMEOUT (30), LOG_FORMAT,
PROMETHEUS_MULTIPROC_DIR (set it whenever there is more than one worker).
"""

import multiprocessing
import os
import shutil
from pathlib import Path

from prometheus_client import multiprocess

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# No preload: each worker imports shop.wsgi after the fork, so tracing's exporter thread
# and the database connections are born in the process that uses them.
preload_app = False
# The app logs one JSON line per request itself (shop.request, with request id and
# user id); gunicorn's access log would only duplicate it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

if os.environ.get("LOG_FORMAT", "json") == "json":
    # Gunicorn's own lines (boot, worker timeouts) in the same JSON shape as the app's.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "shop.observability.logging.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "loggers": {"gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False}},
    }

# prometheus_client's multiprocess mode: each worker writes its samples to files in this
# folder and /metrics sums them, so a scrape sees all workers, not the one it hit.
MULTIPROC_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if MULTIPROC_DIR:
    Path(MULTIPROC_DIR).mkdir(parents=True, exist_ok=True)


def on_starting(server):
    # Files left by a previous run would be added to this run's counters.
    if MULTIPROC_DIR:
        for entry in Path(MULTIPROC_DIR).iterdir():
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def child_exit(server, worker):
    # A dead worker's counters stay (they are history); its live gauges must go.
    if MULTIPROC_DIR:
        multiprocess.mark_process_dead(worker.pid)
