"""Test-only URLs: a request that queues a task (for the request-id-into-task tests)."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from shop.observability import tasks


def queue_ping(request: HttpRequest) -> JsonResponse:
    # A real view reads the user before it queues work (a service call with
    # request.user.pk); that is what lets the task's headers carry the user id.
    user_id = request.user.pk
    tasks.ping_task.delay()
    return JsonResponse({"queued": True, "user_id": user_id})


urlpatterns = [
    path("queue-ping/", queue_ping),
    path("", include("shop.urls")),
]
