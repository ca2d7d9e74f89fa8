from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from shop import health

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("catalogue.api_urls")),
    path("", include("cart.api_urls")),
    path("", include("orders.api_urls")),
    path("", include("payments.api_urls")),
    path("", include("notifications.api_urls")),
    path("", include("community.api_urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("django_prometheus.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("payments.urls")),
    path("", include("cart.urls")),
    path("", include("orders.urls")),
    path("", include("notifications.urls")),
    path("", include("community.urls")),
    path("", include("catalogue.urls")),
]

# A database outage met outside a view is a 503 too (shop.common.unavailable).
handler500 = "shop.common.unavailable.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
