"""A Celery worker whose invoice rendering (or, with FAULT_SLOW_NOTIFY=1, the notification
consumer of the outbox) is slowed down, so a test can kill it in the middle of its work.

    python -m tests.faults.slow_worker worker ...   (same arguments as `celery -A shop`)

FAULT_SLOW_RENDER_SECONDS: how long each render sleeps before the real work;
FAULT_RENDER_MARKER: a file written when a render starts (the test waits for it, then
kills the worker). The slowness is the fault injected; the rendering itself is real.
"""

import os
import sys
import time
from pathlib import Path

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    django.setup()
    from celery.bin.celery import main as celery_main

    from payments import pdf

    real_render = pdf.render_invoice_pdf
    delay = float(os.environ["FAULT_SLOW_RENDER_SECONDS"])
    marker = Path(os.environ["FAULT_RENDER_MARKER"])

    def slow_render(**kwargs):
        marker.write_text(f"{os.getpid()} {kwargs['snapshot'].get('number', '')}\n")
        time.sleep(delay)
        return real_render(**kwargs)

    if os.environ.get("FAULT_SLOW_NOTIFY") == "1":
        from notifications import services as notifications_services

        real_notify = notifications_services.notify_order_transition

        def slow_notify(**kwargs):
            marker.write_text(f"{os.getpid()} order {kwargs['transition'].order_id}\n")
            time.sleep(delay)
            return real_notify(**kwargs)

        notifications_services.notify_order_transition = slow_notify
    else:
        pdf.render_invoice_pdf = slow_render
    sys.argv = ["celery", "-A", "shop", *sys.argv[1:]]
    celery_main()


if __name__ == "__main__":
    main()
