from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: notifications are written by the order events only (STYLE §2.6)."""

    list_display = ("id", "created_at", "recipient", "kind", "order_id", "status", "title", "read_at", "email_status")
    list_filter = ("kind", "status", "email_status")
    search_fields = ("recipient__username", "recipient__email", "title", "=order_id")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
