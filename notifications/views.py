from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from notifications import services

PAGE_SIZE = 25


@login_required
@require_GET
def notification_list_view(request):
    notifications = services.list_notifications(user_id=request.user.pk)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read_view(request, notification_id: int):
    try:
        notification = services.mark_read(user_id=request.user.pk, notification_id=notification_id)
    except services.NotificationNotFound as exc:
        # Someone else's notification looks exactly like a missing one (DESIGN §3).
        raise Http404(exc.detail) from exc
    # "Open" marks read and follows the link; "Mark read" comes back to the list.
    target = notification.url if request.POST.get("open") else request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target:
        target = "notifications:list"
    return redirect(target)


@login_required
@require_POST
def notification_read_all_view(request):
    marked = services.mark_all_read(user_id=request.user.pk)
    if marked:
        messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} as read.")
    return redirect("notifications:list")


@require_GET
def bell_view(request):
    """The bell's count alone, polled by htmx every 30 s from the navigation."""
    if not request.user.is_authenticated:
        # htmx does not swap a 204, so a logged-out tab keeps its page as it is.
        return HttpResponse(status=204)
    return render(
        request,
        "notifications/_bell.html",
        {"notifications_unread": services.get_unread_count(user_id=request.user.pk)},
    )
