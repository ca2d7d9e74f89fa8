"""Order pages: my orders, one order (pay, cancel, countdown, invoice), checkout, my sales."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from orders import selectors, services
from orders.constants import OrderStatus
from orders.forms import CheckoutForm, OrderFilterForm
from payments import services as payments_services
from shop.common.errors import DomainError, NotFoundError

PAGE_SIZE = 20


@login_required
@require_GET
def order_list_view(request):
    form = OrderFilterForm(request.GET)
    chosen = form.cleaned_data["status"] if form.is_valid() else ""
    orders = selectors.orders_for_buyer(buyer_id=request.user.pk, status=chosen or None)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/list.html",
        {
            "form": form,
            "page": page,
            "orders": [services.snapshot_of(order) for order in page],
            "querystring": f"status={chosen}" if chosen else "",
        },
        status=200 if form.is_valid() else 400,
    )


@login_required
@require_GET
def order_detail_view(request, order_id: str):
    return _render_detail(request, order_id=int(order_id))


@login_required
@require_POST
def checkout_view(request):
    form = CheckoutForm(request.POST)
    key = (form.cleaned_data["idempotency_key"] or None) if form.is_valid() else None
    try:
        result = services.place_order(buyer_id=request.user.pk, idempotency_key=key)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("cart:cart")
    order = result.order
    if order.status == OrderStatus.FAILED:
        messages.error(request, "Some items are no longer available in that quantity: your cart is kept.")
    else:
        messages.success(request, "Your items are reserved. Pay before the time runs out.")
    return redirect("orders:detail", order_id=order.order_id)


@login_required
@require_POST
def order_pay_view(request, order_id: str):
    return _act_on_order(
        request,
        order_id=int(order_id),
        success="Paid. Thank you!",
        action=partial(services.pay_order, buyer_id=request.user.pk),
    )


@login_required
@require_POST
def order_cancel_view(request, order_id: str):
    return _act_on_order(
        request,
        order_id=int(order_id),
        success="Order cancelled; the items were released.",
        action=partial(services.cancel_order, actor_id=request.user.pk),
    )


def _act_on_order(request, *, order_id: int, action, success: str):
    """Run a buyer's action; a refusal re-renders the order page with its reason."""
    try:
        action(order_id=order_id)
    except NotFoundError as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        return _render_detail(request, order_id=order_id, error=exc.detail, status=exc.status_code)
    messages.success(request, success)
    return redirect("orders:detail", order_id=order_id)


@login_required
@require_GET
def sales_view(request):
    page = Paginator(selectors.sales_for_seller(seller_id=request.user.pk), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orders/sales.html", {"page": page})


def _render_detail(request, *, order_id: int, error: str | None = None, status: int = 200):
    try:
        order = services.get_order_for_user(order_id=order_id, user_id=request.user.pk)
    except services.OrderNotFound as exc:
        raise Http404(exc.detail) from exc  # someone else's order is a 404, never a 403
    invoice = payments_services.get_invoice_statuses(order_ids=[order_id]).get(order_id)
    return render(
        request,
        "orders/detail.html",
        {"order": order, "invoice": invoice, "error": error, "Status": OrderStatus},
        status=status,
    )
