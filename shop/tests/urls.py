"""Test-only URLs: a request that queues a task (for the request-id-into-task tests)."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from shop.observability import tasks


def queue_ping(request: HttpRequest) -> JsonResponse:
    tasks.ping_task.delay()
    return JsonResponse({"queued": True})


urlpatterns = [
    path("queue-ping/", queue_ping),
    path("", include("shop.urls")),
]
