from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from orders import services
from orders.models import Dispute, Order, OrderHistory, OrderLine, Parcel, ParcelHistory
from shop.common.errors import DomainError, InvalidInput


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


# --- Parcels and disputes (DESIGN §2 Fulfilment, §4 moderators) ----------------------------


class ParcelHistoryInline(ReadOnlyInline):
    model = ParcelHistory
    fields = readonly_fields = ("occurred_at", "from_status", "to_status", "reason", "actor")


class RefundForm(forms.Form):
    # Text, so "abc", "1e400" or "12.345" reach the service's exact checks as form errors.
    amount = forms.CharField(max_length=32, help_text="Credits back to the buyer; the rest goes to the seller.")


@admin.register(Parcel)
class ParcelAdmin(admin.ModelAdmin):
    """Every field is read-only (STYLE §2.6): a parcel moves only through the services, here
    orders.services.resolve_dispute with the moderator's id, so it is locked, recorded and
    published like any other transition. Refusals (already settled, not a moderator...)
    come back as messages."""

    list_display = ("id", "order_link", "buyer", "seller", "status", "total", "refunded_amount", "ship_by", "decide")
    list_filter = ("status", "dispute_reason")
    search_fields = ("=id", "=order__id", "buyer__username", "seller__username")
    list_select_related = ("buyer", "seller")
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "order_link",
        "buyer",
        "seller",
        "status",
        "status_reason",
        "total",
        "lines",
        "dispute_reason",
        "dispute_message",
        "disputed_at",
        "carrier",
        "tracking_code",
        "created_at",
        "ship_by",
        "shipped_at",
        "confirm_by",
        "completed_at",
        "refunded_at",
        "refunded_amount",
        "decide",
    )
    inlines = [ParcelHistoryInline]
    actions = ["release_to_seller", "refund_in_full"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resolve_permission(self, request) -> bool:
        return request.user.has_perm("orders.resolve_dispute")

    def get_queryset(self, request):
        # The parcel's lines are the order's lines of its seller: prefetch the order's.
        lines = Prefetch("order__lines", queryset=OrderLine.objects.order_by("pk"))
        return super().get_queryset(request).prefetch_related(lines)

    @admin.display(description="order", ordering="order")
    def order_link(self, parcel: Parcel) -> str:
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:orders_order_change", args=[parcel.order_id]), parcel.order_id
        )

    @admin.display(description="lines")
    def lines(self, parcel: Parcel) -> str:
        rows = [line for line in parcel.order.lines.all() if line.seller_id == parcel.seller_id]
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "", "<li>{} × {} at {} (item #{})</li>", ((r.quantity, r.title, r.unit_price, r.item_id) for r in rows)
            ),
        )

    @admin.display(description="decide")
    def decide(self, parcel: Parcel) -> str:
        if parcel.status != services.ParcelStatus.DISPUTED:
            return "—"
        return format_html('<a href="{}">Refund…</a>', reverse("admin:orders_parcel_refund", args=[parcel.pk]))

    def get_urls(self):
        # Named once, on the Parcel admin: the Dispute admin's pages link to it too.
        if self.model is not Parcel:
            return super().get_urls()
        refund = path(
            "<int:parcel_id>/refund/", self.admin_site.admin_view(self.refund_view), name="orders_parcel_refund"
        )
        return [refund, *super().get_urls()]

    # --- Decisions -----------------------------------------------------------------------

    @admin.action(description="Release to seller (dispute rejected)", permissions=["resolve"])
    def release_to_seller(self, request, queryset):
        self._resolve_each(request, queryset, outcome="release", done="Released to the seller")

    @admin.action(description="Refund in full (dispute upheld)", permissions=["resolve"])
    def refund_in_full(self, request, queryset):
        self._resolve_each(request, queryset, outcome="refund", done="Refunded in full")

    def _resolve_each(self, request, queryset, *, outcome: str, done: str) -> None:
        settled, refused = [], []
        for parcel_id in queryset.order_by("pk").values_list("pk", flat=True):
            try:
                services.resolve_dispute(parcel_id=parcel_id, moderator_id=request.user.pk, outcome=outcome)
            except DomainError as exc:
                refused.append(f"#{parcel_id}: {exc.detail}")
            else:
                settled.append(f"#{parcel_id}")
        if settled:
            self.message_user(request, f"{done}: parcel {', '.join(settled)}.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not resolved: " + "; ".join(refused), messages.WARNING)

    def refund_view(self, request, parcel_id: int):
        """Refund a disputed parcel in part or in full (0 < amount <= its total)."""
        if not self.has_resolve_permission(request):
            raise PermissionDenied
        parcel = Parcel.objects.select_related("buyer", "seller").filter(pk=parcel_id).first()
        if parcel is None:
            raise Http404("No such parcel.")
        form = RefundForm(request.POST or None, initial={"amount": parcel.total})
        if request.method == "POST" and form.is_valid():
            try:
                services.resolve_dispute(
                    parcel_id=parcel.pk,
                    moderator_id=request.user.pk,
                    outcome="refund",
                    amount=form.cleaned_data["amount"],
                )
            except InvalidInput as exc:
                form.add_error("amount" if exc.field == "amount" else None, exc.detail)
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, f"Parcel #{parcel.pk}: {form.cleaned_data['amount']} refunded to the buyer.")
                return redirect(reverse("admin:orders_dispute_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "parcel": parcel,
            "lines": self.lines(Parcel.objects.prefetch_related("order__lines").get(pk=parcel.pk)),
            "opts": self.model._meta,
            "title": f"Refund parcel #{parcel.pk}",
        }
        return render(request, "admin/orders/parcel/refund.html", context, status=400 if form.errors else 200)


@admin.register(Dispute)
class DisputeAdmin(ParcelAdmin):
    """The moderators' landing list: disputed parcels, oldest report first."""

    # "Refund…" before the long columns, so it stays in view beside the filters.
    list_display = (
        "id",
        "order_link",
        "buyer",
        "seller",
        "total",
        "decide",
        "dispute_reason",
        "excerpt",
        "disputed_at",
    )
    list_filter = ("dispute_reason",)
    ordering = ("disputed_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=services.ParcelStatus.DISPUTED)

    @admin.display(description="message")
    def excerpt(self, parcel: Parcel) -> str:
        text = parcel.dispute_message
        return text if len(text) <= 80 else f"{text[:79]}…"
