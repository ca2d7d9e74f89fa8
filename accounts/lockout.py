"""What a locked-out client sees after too many failed logins (django-axes)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    detail = f"Too many failed login attempts. Try again in {minutes} minutes."
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail, "code": "locked_out"}, status=429)
    return render(request, "accounts/locked_out.html", {"detail": detail}, status=429)
