import os

from django.core.wsgi import get_wsgi_application

from shop.observability import tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
# Before the handler is built: the Django instrumentation adds its middleware to the list
# the handler loads. A no-op (nothing imported) unless OTEL_EXPORTER_OTLP_ENDPOINT is set.
tracing.configure_tracing(service_name="bazaar-web")
application = get_wsgi_application()
