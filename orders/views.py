"""Order pages: my orders, one order (pay, cancel, countdown, invoice, its parcels),
checkout, and the seller's fulfilment page /sales/ (DESIGN §4)."""

from dataclasses import dataclass, field
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts import services as accounts_services
from orders import selectors, services
from orders.constants import OrderStatus, ParcelStatus
from orders.forms import CancelParcelForm, CheckoutForm, DisputeForm, OrderFilterForm, SalesFilterForm, ShipForm
from orders.services.parcels import parcel_snapshots
from payments import services as payments_services
from shop.common.errors import DomainError, InvalidInput, NotFoundError

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


def _render_detail(request, *, order_id: int, error: str | None = None, status: int = 200, bound=None):
    try:
        order = services.get_order_for_user(order_id=order_id, user_id=request.user.pk)
    except services.OrderNotFound as exc:
        raise Http404(exc.detail) from exc  # someone else's order is a 404, never a 403
    invoice = payments_services.get_invoice_statuses(order_ids=[order_id]).get(order_id)
    parcels = _parcel_cards(services.get_parcels_of_orders(order_ids=[order_id])[order_id], bound=bound)
    return render(
        request,
        "orders/detail.html",
        {
            "order": order,
            "invoice": invoice,
            "error": error,
            "Status": OrderStatus,
            "parcels": parcels,
            "received": sum(card.parcel.status == ParcelStatus.COMPLETED for card in parcels),
            "refunded": sum(card.parcel.status == ParcelStatus.REFUNDED for card in parcels),
        },
        status=status,
    )


# --- Parcels (DESIGN §2 Fulfilment): the buyer's actions on the order page, the
# seller's on /sales/. Each POST calls one service; a refusal re-renders the page it
# came from with the reason beside the form (4xx), never a 500.


@dataclass
class ParcelCard:
    """One parcel as a page shows it, with the forms its viewer may use."""

    parcel: services.ParcelSnapshot
    buyer: str
    seller: str
    credit_note: str
    forms: dict = field(default_factory=dict)
    error: str = ""


def _parcel_cards(parcels, *, bound=None) -> list[ParcelCard]:
    """Cards for parcel snapshots: names and credit note numbers in two queries."""
    bound = bound or {}
    user_ids = {user_id for parcel in parcels for user_id in (parcel.buyer_id, parcel.seller_id)}
    names = {uid: account.username for uid, account in accounts_services.get_accounts(user_ids=user_ids).items()}
    refunded = [parcel.hold_reference for parcel in parcels if parcel.status == ParcelStatus.REFUNDED]
    numbers = payments_services.get_credit_note_numbers(references=refunded) if refunded else {}
    cards = []
    for parcel in parcels:
        pid = parcel.parcel_id
        forms = {
            "dispute": DisputeForm(prefix=f"dispute-{pid}"),
            "ship": ShipForm(prefix=f"ship-{pid}"),
            "cancel": CancelParcelForm(prefix=f"cancel-{pid}"),
        }
        error = ""
        if pid in bound:
            forms.update(bound[pid].get("forms", {}))
            error = bound[pid].get("error", "")
        cards.append(
            ParcelCard(
                parcel=parcel,
                buyer=names.get(parcel.buyer_id, ""),
                seller=names.get(parcel.seller_id, ""),
                credit_note=numbers.get(parcel.hold_reference, ""),
                forms=forms,
                error=error,
            )
        )
    return cards


@login_required
@require_POST
def parcel_confirm_view(request, parcel_id: str):
    return _act_on_parcel(
        request,
        parcel_id=int(parcel_id),
        action=partial(services.confirm_parcel, buyer_id=request.user.pk),
        success="Thank you! The seller is paid.",
    )


@login_required
@require_POST
def parcel_dispute_view(request, parcel_id: str):
    form = DisputeForm(request.POST, prefix=f"dispute-{parcel_id}")
    return _act_on_parcel(
        request,
        parcel_id=int(parcel_id),
        form=("dispute", form),
        action=lambda **kw: services.dispute_parcel(buyer_id=request.user.pk, **form.cleaned_data, **kw),
        success="Problem reported. A moderator will look at it; the seller is not paid meanwhile.",
    )


@login_required
@require_POST
def parcel_ship_view(request, parcel_id: str):
    form = ShipForm(request.POST, prefix=f"ship-{parcel_id}")
    return _act_on_parcel(
        request,
        parcel_id=int(parcel_id),
        form=("ship", form),
        action=lambda **kw: services.ship_parcel(seller_id=request.user.pk, **form.cleaned_data, **kw),
        success="Marked as shipped. You are paid when the buyer has it.",
    )


@login_required
@require_POST
def parcel_cancel_view(request, parcel_id: str):
    form = CancelParcelForm(request.POST, prefix=f"cancel-{parcel_id}")
    return _act_on_parcel(
        request,
        parcel_id=int(parcel_id),
        form=("cancel", form),
        action=lambda **kw: services.cancel_parcel(actor_id=request.user.pk, reason=form.cleaned_data["reason"], **kw),
        success="Parcel cancelled: the buyer is refunded and the items are back on sale.",
    )


def _act_on_parcel(request, *, parcel_id: int, action, success: str, form=None):
    """Validate the form, run the action, and go back to the page the parcel is on.

    The buyer's page is the order, anyone else's is /sales/. A bad form is a 400, a
    refusal the service's own status (409 invalid_status / deadline_passed, 403 the
    other party's action), shown on that page beside the parcel.
    """
    try:
        parcel = services.get_parcel_for_user(parcel_id=parcel_id, user_id=request.user.pk)
    except NotFoundError as exc:
        raise Http404(exc.detail) from exc  # someone else's parcel is a 404
    on_order_page = parcel.buyer_id == request.user.pk
    status, error = 400, ""
    if form is None or form[1].is_valid():
        try:
            action(parcel_id=parcel_id)
        except NotFoundError as exc:
            raise Http404(exc.detail) from exc
        except InvalidInput as exc:
            if form is not None and exc.field in form[1].fields:
                form[1].add_error(exc.field, exc.detail)
            else:
                error = exc.detail
        except DomainError as exc:
            status, error = exc.status_code, exc.detail
        else:
            messages.success(request, success)
            if on_order_page:
                return redirect(f"/orders/{parcel.order_id}/#parcel-{parcel_id}")
            return redirect(f"/sales/#parcel-{parcel_id}")
    bound = {parcel_id: {"forms": dict([form]) if form else {}, "error": error}}
    # Also said at the top: on /sales/ the parcel may be on another page than the first.
    summary = f"Parcel #{parcel_id}: {error or 'please correct the form.'}"
    if on_order_page:
        return _render_detail(request, order_id=parcel.order_id, error=summary, status=status, bound=bound)
    return _render_sales(request, error=summary, status=status, bound=bound)


@login_required
@require_GET
def sales_view(request):
    return _render_sales(request)


def _render_sales(request, *, error: str = "", status: int = 200, bound=None):
    """/sales/: the seller's parcels, to ship first, one status at a time or all."""
    form = SalesFilterForm(request.GET)
    chosen = form.cleaned_data["status"] if form.is_valid() else ""
    parcels = selectors.parcels_to_fulfil(seller_id=request.user.pk, status=chosen or None)
    page = Paginator(parcels, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.parcel_counts(seller_id=request.user.pk)
    tabs = [(value, label, counts.get(value, 0)) for value, label in ParcelStatus.choices]
    return render(
        request,
        "orders/sales.html",
        {
            "page": page,
            "parcels": _parcel_cards(parcel_snapshots(list(page)), bound=bound),
            "tabs": tabs,
            "total": sum(counts.values()),
            "chosen": chosen,
            "error": error,
            "querystring": f"status={chosen}" if chosen else "",
        },
        status=status if form.is_valid() else 400,
    )
