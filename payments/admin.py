from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from payments import services
from payments.forms import AdjustmentForm
from payments.models import Invoice, Transfer, Wallet
from shop.common.errors import DomainError, InvalidInput


class ReadOnlyAdmin(admin.ModelAdmin):
    """Balances and the ledger only change through services (STYLE §2.6)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "kind", "balance", "created_at")
    list_filter = ("kind",)
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    change_form_template = "admin/payments/wallet/change_form.html"

    def get_urls(self):
        return [
            path(
                "<int:wallet_id>/adjust/", self.admin_site.admin_view(self.adjust_view), name="payments_wallet_adjust"
            ),
            *super().get_urls(),
        ]

    def adjust_view(self, request, wallet_id: int):
        if not request.user.has_perm("payments.adjust_wallet"):
            raise PermissionDenied
        wallet = get_object_or_404(Wallet, pk=wallet_id, kind=Wallet.Kind.USER)
        form = AdjustmentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.adjust_wallet(user_id=wallet.user_id, actor_id=request.user.pk, **form.cleaned_data)
            except InvalidInput as exc:
                form.add_error(exc.field, exc.detail)
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, "Adjustment recorded in the ledger.")
                return redirect(reverse("admin:payments_wallet_change", args=[wallet.pk]))
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "wallet": wallet,
            "opts": self.model._meta,
            "title": f"Adjust {wallet}",
        }
        return render(request, "admin/payments/wallet/adjust.html", context)


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "kind", "source", "destination", "amount", "reference", "actor")
    list_filter = ("kind",)
    search_fields = ("reference", "memo", "source__user__username", "destination__user__username")
    list_select_related = ("source__user", "destination__user", "actor")
    date_hierarchy = "created_at"


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    """Invoices are snapshots: moderators read them, download them, and may re-render."""

    list_display = ("number", "order_id", "buyer", "total", "status", "paid_at", "render_ms", "attempts", "download")
    list_filter = ("status", "year")
    search_fields = ("number", "=order_id", "buyer__username", "buyer__email")
    list_select_related = ("buyer",)
    date_hierarchy = "paid_at"
    ordering = ("-year", "-sequence")
    actions = ["rerender"]
    readonly_fields = ("last_error",)

    @admin.display(description="render (ms)")
    def render_ms(self, invoice: Invoice) -> str:
        return "" if invoice.render_seconds is None else f"{invoice.render_seconds * 1000:.1f}"

    @admin.display(description="PDF")
    def download(self, invoice: Invoice) -> str:
        if invoice.status != Invoice.Status.READY:
            return "—"
        return format_html('<a href="{}">download</a>', reverse("payments:invoice", args=[invoice.order_id]))

    # Re-rendering only redraws the unchanged snapshot, so viewing rights suffice.
    @admin.action(description="Re-render the selected invoices", permissions=["view"])
    def rerender(self, request, queryset):
        count = services.rerender_invoices(invoice_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} invoice(s) queued for rendering.", messages.SUCCESS)
