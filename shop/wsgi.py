import os

from django.core.wsgi import get_wsgi_application

from shop.observability import tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
# Before the handler is built: the Django instrumentation adds its middleware to the list
# the handler loads. A no-op (nothing imported) unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
tracing.configure_tracing(service_name="bazaar-web")
application = get_wsgi_application()


def _warm_up() -> None:
    """Load now what a worker's first requests would otherwise load while a client waits.

    Each gunicorn worker imports this module after the fork, before it accepts a request
    (no preload), and again whenever max_requests recycles it. In-process (issue 16) its
    first add to cart cost 54-63 ms of CPU against 5 ms for the next one, the URLconf
    with every app's views being imported; with this, 12-16 ms. Nothing here connects to
    PostgreSQL or Redis.
    """
    from django.urls import get_resolver

    from shop.celery import app as celery_app

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view)
    celery_app.finalize(auto=True)
    celery_app.amqp  # noqa: B018
    # Not kombu's Redis transport (about 120 ms more on the first checkout, which
    # publishes): it imports redis-py, which imports OpenTelemetry, and with tracing off
    # none of that may be loaded at start (shop/tests/test_tracing.py).


_warm_up()
