from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services as accounts_services
from catalogue import browse, selectors, services
from catalogue.forms import ItemForm
from catalogue.models import Item
from catalogue.pagination import CachedCountPaginator
from catalogue.selectors import MAX_QUERY_LENGTH
from shop.common.errors import DomainError, InvalidInput

CONDITION_CHOICES = Item.Condition.choices
BROWSE_PAGE_SIZE = 24
SELL_PAGE_SIZE = 25


def home_view(request):
    return render(
        request, "catalogue/home.html", {"items": selectors.latest_items(limit=12), "viewer_id": _viewer_id(request)}
    )


def browse_view(request):
    """/items/: filters of DESIGN §3. A bad value shows its error and is left out of the filtering."""
    params = request.GET
    truncated = len(params.get("q", "")) > MAX_QUERY_LENGTH
    if truncated:
        params = params.copy()
        params["q"] = params["q"][:MAX_QUERY_LENGTH]
    found = browse.find_items(params)
    filters, errors = found.filters, found.errors
    page = CachedCountPaginator(found.rows, BROWSE_PAGE_SIZE, count_key=filters.matching_key).get_page(
        params.get("page")
    )
    querystring = params.copy()
    querystring.pop("page", None)
    return render(
        request,
        "catalogue/browse.html",
        {
            "errors": errors,
            # Every filter's name present: a name missing from a template's dict costs
            # an exception and a dir() per lookup (measured: a tenth of the page).
            "shown": {name: params.get(name, "") for name in browse.FILTER_NAMES},
            "field_errors": {name: errors.get(name) for name in browse.FILTER_NAMES},
            "categories": found.tree,
            "viewer_id": _viewer_id(request),
            "orderings": browse.ORDERING_CHOICES,
            "page": page,
            "querystring": querystring.urlencode(),
            "truncated": truncated,
            "searching": bool(filters.q),
            "in_stock": filters.in_stock,
            "conditions": [(value, label, value in filters.condition) for value, label in CONDITION_CHOICES],
        },
    )


def item_detail_view(request, item_id: int):
    item = selectors.item_with_details(item_id=item_id)
    if item is None or not _may_see(request.user, item):
        raise Http404("No such item.")
    count, total = selectors.seller_rating_counts(item)
    return render(
        request,
        "catalogue/item_detail.html",
        {
            "item": item,
            "is_own": request.user.is_authenticated and item.seller_id == request.user.pk,
            "viewer_id": _viewer_id(request),
            "item_ids": [item.pk],
            "seller_rating": accounts_services.rating_label(count=count, total=total),
        },
    )


@login_required
def sell_list_view(request):
    page = Paginator(selectors.sellers_items(seller_id=request.user.pk), SELL_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "catalogue/sell_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def sell_new_view(request):
    form = ItemForm(request.POST or None, request.FILES or None, categories=selectors.category_tree())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.create_item(
                seller_id=request.user.pk,
                title=data["title"],
                description=data["description"],
                category_slug=data["category"],
                price=data["price"],
                quantity=data["quantity"],
                condition=data["condition"] or Item.Condition.GOOD,
                picture=data["picture"] or None,
            )
        except InvalidInput as exc:
            form.add_error(exc.field, exc.detail)
        else:
            messages.success(request, f"“{item.title}” is on sale.")
            return redirect("catalogue:item", item_id=item.item_id)
    return render(
        request, "catalogue/sell_form.html", {"form": form, "editing": False}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def sell_edit_view(request, item_id: int):
    item = selectors.item_with_details(item_id=item_id)
    if item is None or item.seller_id != request.user.pk:
        raise Http404("No such item.")
    initial = {
        "title": item.title,
        "description": item.description,
        "category": item.category.slug,
        "price": item.price,
        "quantity": item.quantity,
        "condition": item.condition,
    }
    form = ItemForm(
        request.POST or None, request.FILES or None, initial=initial, categories=selectors.category_tree(), editing=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_item(
                item_id=item.pk,
                seller_id=request.user.pk,
                title=data["title"],
                description=data["description"],
                category_slug=data["category"],
                price=data["price"],
                quantity=data["quantity"],
                condition=data["condition"] or None,
                picture=data["picture"] or None,
                remove_picture=data.get("remove_picture", False),
            )
        except InvalidInput as exc:
            form.add_error(exc.field, exc.detail)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, "Listing updated.")
            return redirect("catalogue:sell")
    return render(
        request,
        "catalogue/sell_form.html",
        {"form": form, "editing": True, "item": item},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def sell_withdraw_view(request, item_id: int):
    return _change_status(request, services.withdraw_item, item_id, "“{title}” is withdrawn from sale.")


@login_required
@require_POST
def sell_relist_view(request, item_id: int):
    return _change_status(request, services.relist_item, item_id, "“{title}” is back on sale.")


def _change_status(request, service, item_id: int, success: str):
    try:
        item = service(item_id=item_id, seller_id=request.user.pk)
    except services.ItemNotFound as exc:
        raise Http404("No such item.") from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, success.format(title=item.title))
    return redirect("catalogue:sell")


def _viewer_id(request) -> int | None:
    """The viewer's id, or None: cards compare it with each item's seller to mark own items."""
    return request.user.pk if request.user.is_authenticated else None


def _may_see(user, item) -> bool:
    """Active items are public; others only to their seller and moderators (404 for the rest)."""
    if item.status == services.ItemStatus.ACTIVE:
        return True
    if not user.is_authenticated:
        return False
    return item.seller_id == user.pk or accounts_services.is_moderator(user_id=user.pk)
