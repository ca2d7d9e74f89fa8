"""Moderator screens: the reports queue (hide target, dismiss, deactivate author), reviews
(hide/show), conversations read-only, and the record of every moderation action.

Every action goes through community.services, which records a ModerationAction.
"""

from django.contrib import admin, messages

from community import services
from community.models import Conversation, Message, ModerationAction, Report, Review
from shop.common.errors import DomainError


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


class ReportStatusFilter(admin.SimpleListFilter):
    """The queue opens on the open reports; "All" shows the archive too."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*services.ReportStatus.choices, ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or services.ReportStatus.OPEN) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or services.ReportStatus.OPEN
        return queryset if value == "all" else queryset.filter(status=value)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "status",
        "target_type",
        "target_id",
        "target_excerpt",
        "reason",
        "reporter",
        "target_owner",
        "created_at",
    )
    list_filter = (ReportStatusFilter, "target_type", "reason")
    list_select_related = ("reporter", "target_owner")
    search_fields = ("=target_id", "target_excerpt", "text", "reporter__username", "target_owner__username")
    ordering = ("created_at", "id")  # oldest first: the queue
    actions = ["hide_target", "dismiss", "deactivate_author"]

    def _act(self, request, queryset, action: str, done: str) -> None:
        count = 0
        for report_id in queryset.values_list("pk", flat=True):
            try:
                services.moderate_report(report_id=report_id, moderator_id=request.user.pk, action=action)
            except services.ReportTargetNotFound:
                continue
            except DomainError as exc:  # e.g. deactivating oneself: tell the moderator, keep going
                messages.error(request, f"Report {report_id}: {exc.detail}")
                continue
            count += 1
        messages.success(request, f"{count} report(s): {done}.")

    @admin.action(description="Hide the reported content", permissions=["change"])
    def hide_target(self, request, queryset):
        self._act(request, queryset, services.ModerationKind.HIDE_TARGET, "content hidden")

    @admin.action(description="Dismiss the report", permissions=["change"])
    def dismiss(self, request, queryset):
        self._act(request, queryset, services.ModerationKind.DISMISS, "dismissed")

    @admin.action(description="Deactivate the author / seller", permissions=["change"])
    def deactivate_author(self, request, queryset):
        self._act(request, queryset, services.ModerationKind.DEACTIVATE_USER, "author deactivated")


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ("id", "seller", "buyer", "rating", "hidden", "created_at", "parcel_id")
    list_filter = ("hidden", "rating")
    list_select_related = ("seller", "buyer")
    search_fields = ("=parcel_id", "seller__username", "buyer__username", "text")
    ordering = ("-created_at", "-id")
    actions = ["hide_reviews", "show_reviews"]

    @admin.action(description="Hide selected reviews (they leave the seller's average)", permissions=["change"])
    def hide_reviews(self, request, queryset):
        changed = sum(
            services.set_review_visibility(review_id=pk, moderator_id=request.user.pk, hidden=True)
            for pk in queryset.values_list("pk", flat=True)
        )
        messages.success(request, f"{changed} review(s) hidden.")

    @admin.action(description="Show selected reviews again", permissions=["change"])
    def show_reviews(self, request, queryset):
        changed = sum(
            services.set_review_visibility(review_id=pk, moderator_id=request.user.pk, hidden=False)
            for pk in queryset.values_list("pk", flat=True)
        )
        messages.success(request, f"{changed} review(s) shown again.")


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("sender", "body", "hidden", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("id", "item_title", "buyer", "seller", "last_message_at")
    list_select_related = ("buyer", "seller")
    search_fields = ("=item_id", "item_title", "buyer__username", "seller__username")
    inlines = [MessageInline]


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "moderator", "action", "target_type", "target_id", "report")
    list_filter = ("action", "target_type")
    list_select_related = ("moderator",)
    search_fields = ("moderator__username", "=target_id")
