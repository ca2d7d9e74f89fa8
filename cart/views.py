"""The cart page, for logged-in users (their cart) and visitors (a session cart)."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cart import services, session
from cart.forms import AddToCartForm, QuantityForm
from shop.common.errors import DomainError


def _cart_for(request) -> services.CartView:
    if request.user.is_authenticated:
        return services.get_cart(user_id=request.user.pk)
    return services.preview_cart(lines=session.get_lines(request.session))


def _context(request, **extra) -> dict:
    # A fresh key per rendering of the page: a double-submitted checkout form returns
    # the same order instead of placing two (orders' Idempotency-Key).
    return {"cart": _cart_for(request), "checkout_key": uuid.uuid4().hex, **extra}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_GET
def cart_view(request):
    return render(request, "cart/cart.html", _context(request))


@require_POST
def cart_add_view(request):
    """Add to cart from an item page: a small fragment for htmx, else a redirect."""
    form = AddToCartForm(request.POST)
    error, status = None, 200
    if form.is_valid():
        item_id, quantity = form.cleaned_data["item_id"], form.cleaned_data["quantity"]
        try:
            if request.user.is_authenticated:
                services.add_to_cart(user_id=request.user.pk, item_id=item_id, quantity=quantity)
            else:
                session.add(request.session, item_id=item_id, quantity=quantity)
        except DomainError as exc:
            error, status = exc.detail, exc.status_code
    else:
        error, status = " ".join(f"{field}: {' '.join(msgs)}" for field, msgs in form.errors.items()), 400
    if _is_htmx(request):
        # htmx swaps only 2xx answers by default; the fragment carries the outcome.
        cart = _cart_for(request)
        return render(request, "cart/_added.html", {"error": error, "cart": cart})
    if error is None:
        messages.success(request, "Added to your cart.")
        return redirect("cart:cart")
    return render(request, "cart/cart.html", _context(request, error=error), status=status)


@require_POST
def cart_line_view(request, item_id: str):
    """Change a line's quantity, or remove it (`remove` in the form). htmx gets the cart back."""
    item_id = int(item_id)
    error, status = None, 200
    try:
        if "remove" in request.POST:
            if request.user.is_authenticated:
                services.remove_from_cart(user_id=request.user.pk, item_id=item_id)
            else:
                session.remove(request.session, item_id=item_id)
        else:
            form = QuantityForm(request.POST)
            if not form.is_valid():
                error, status = " ".join(form.errors["quantity"]), 400
            elif request.user.is_authenticated:
                services.set_cart_quantity(
                    user_id=request.user.pk, item_id=item_id, quantity=form.cleaned_data["quantity"]
                )
            else:
                session.set_quantity(request.session, item_id=item_id, quantity=form.cleaned_data["quantity"])
    except services.CartLineNotFound:
        error, status = "This item is no longer in your cart.", 404
    except DomainError as exc:
        error, status = exc.detail, exc.status_code
    if _is_htmx(request):
        return render(request, "cart/_cart.html", _context(request, error=error))
    if error is None:
        return redirect("cart:cart")
    return render(request, "cart/cart.html", _context(request, error=error), status=status)
