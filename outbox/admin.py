from django.contrib import admin, messages

from outbox import services
from outbox.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Moderators and operators see what waits, what failed and why, and retry the dead."""

    list_display = ("pk", "topic", "consumer", "key", "status", "attempts", "available_at", "created_at")
    list_filter = ("status", "topic", "consumer")
    search_fields = ("key", "event_id")
    ordering = ("-pk",)
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Retry the selected messages now")
    def retry(self, request, queryset):
        count = services.retry_messages(message_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} message(s) queued again.", messages.SUCCESS)
