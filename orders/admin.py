from django.contrib import admin, messages

from orders import services
from orders.models import Order, OrderHistory, OrderLine
from shop.common.errors import DomainError


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = readonly_fields = ("item_id", "title", "seller", "unit_price", "quantity")


class OrderHistoryInline(ReadOnlyInline):
    model = OrderHistory
    fields = readonly_fields = ("occurred_at", "from_status", "to_status", "reason", "actor")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Status only changes through services (STYLE §2.6): every field is read-only here,
    and the one moderator action, cancel, calls orders.services.cancel_order."""

    list_display = ("id", "buyer", "status", "total", "created_at", "expires_at", "paid_at")
    list_filter = ("status",)
    search_fields = ("=id", "buyer__username")
    list_select_related = ("buyer",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "buyer",
        "status",
        "total",
        "created_at",
        "expires_at",
        "paid_at",
        "failure_code",
        "short_item_ids",
    )
    exclude = ("idempotency_key",)
    inlines = [OrderLineInline, OrderHistoryInline]
    actions = ["cancel_selected_orders"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # Every field is read-only: "change" exists for the cancel action, never for edits.
        pass

    def save_related(self, request, form, formsets, change):
        pass

    @admin.action(description="Cancel selected orders", permissions=["change"])
    def cancel_selected_orders(self, request, queryset):
        cancelled, refused = 0, []
        for order_id in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                order = services.cancel_order(order_id=order_id, actor_id=request.user.pk, as_moderator=True)
            except DomainError as exc:
                refused.append(f"#{order_id}: {exc.detail}")
            else:
                cancelled += order.status == services.OrderStatus.CANCELLED
        if cancelled:
            self.message_user(request, f"Cancelled {cancelled} order(s); their items were released.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not cancelled: " + "; ".join(refused), messages.WARNING)
