"""Oscar's documented URL root ("Building your own shop"), without the admin, plus the
health check bench._server.wait_for polls."""

from django.apps import apps
from django.http import HttpResponse
from django.urls import include, path


def healthz(request):
    return HttpResponse("ok")


urlpatterns = [
    path("healthz", healthz),
    path("i18n/", include("django.conf.urls.i18n")),  # the language switcher in Oscar's layout
    path("", include(apps.get_app_config("oscar").urls[0])),
]
