"""community's pages: seller profiles, reviews, messages, favourites, reports (DESIGN §4)."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.throttling import ScopedRateThrottle

from catalogue import services as catalogue_services
from community import services
from community.forms import MessageForm, ReplyForm, ReportForm, ReviewForm
from orders import services as orders_services
from shop.common.errors import DomainError, InvalidInput, NotFoundError
from shop.common.hearts import heart_html
from shop.common.ids import parse_id

LISTINGS_PAGE_SIZE = 24
REVIEWS_PAGE_SIZE = 20
INBOX_PAGE_SIZE = 25
THREAD_PAGE_SIZE = 100
FAVOURITES_PAGE_SIZE = 24
LATEST_REVIEWS = 5
MAX_HEART_IDS = 100


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _viewer_id(request) -> int | None:
    return request.user.pk if request.user.is_authenticated else None


# --- Seller profiles -----------------------------------------------------------------------


@require_GET
def seller_view(request, username: str):
    try:
        profile = services.get_seller_profile(username=username)
    except services.SellerNotFound as exc:
        raise Http404(exc.detail) from exc
    listings = Paginator(services.list_seller_listings(seller_id=profile.seller_id), LISTINGS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    reviews = services.list_seller_reviews(seller_id=profile.seller_id)[:LATEST_REVIEWS]
    return render(
        request,
        "community/seller.html",
        {
            "profile": profile,
            "page": listings,
            "reviews": reviews,
            "viewer_id": _viewer_id(request),
            "reply_form": ReplyForm(),
        },
    )


@require_GET
def seller_reviews_view(request, username: str):
    try:
        profile = services.get_seller_profile(username=username)
    except services.SellerNotFound as exc:
        raise Http404(exc.detail) from exc
    page = Paginator(services.list_seller_reviews(seller_id=profile.seller_id), REVIEWS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "community/seller_reviews.html",
        {"profile": profile, "page": page, "viewer_id": _viewer_id(request), "reply_form": ReplyForm()},
    )


# --- Reviews ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def review_new_view(request, parcel_id: int):
    """Rate the seller of one of my completed parcels (once)."""
    try:
        parcel = orders_services.get_parcel(parcel_id=parcel_id)
    except orders_services.ParcelNotFound as exc:
        raise Http404("No such parcel.") from exc
    if parcel.buyer_id != request.user.pk:
        raise Http404("No such parcel.")
    existing = services.get_review_for_parcel(parcel_id=parcel_id)
    if existing is not None:
        messages.info(request, "You have already reviewed this parcel.")
        return redirect("community:review-edit", review_id=existing.review_id)
    form = ReviewForm(request.POST or None)
    save = partial(services.review_parcel, parcel_id=parcel_id, buyer_id=request.user.pk)
    return _review_form(
        request, form, save=save, done="Thank you: your review is published.", context={"parcel": parcel}
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_edit_view(request, review_id: int):
    try:
        review = services.get_review(review_id=review_id)
    except services.ReviewNotFound as exc:
        raise Http404(exc.detail) from exc
    if review.buyer_id != request.user.pk:
        raise Http404("No such review.")
    form = ReviewForm(request.POST or None, initial={"rating": review.rating, "text": review.text})
    save = partial(services.edit_review, review_id=review_id, buyer_id=request.user.pk)
    return _review_form(request, form, save=save, done="Your review is updated.", context={"review": review})


def _review_form(request, form: ReviewForm, *, save, done: str, context: dict):
    """Write a new or edited review from a valid form; a refusal is a form error (400)."""
    if request.method == "POST" and form.is_valid():
        try:
            review = save(rating=form.cleaned_data["rating"], text=form.cleaned_data["text"])
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, done)
            return redirect("community:seller", username=review.seller_username)
    context = {"form": form, "editing": "review" in context, **context}
    return render(request, "community/review_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def review_reply_view(request, review_id: int):
    form = ReplyForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(" ".join(form.errors.get("text", ["Write a reply first."])), field="text")
        review = services.reply_to_review(
            review_id=review_id, seller_id=request.user.pk, text=form.cleaned_data["text"]
        )
    except NotFoundError as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
        review = services.get_review(review_id=review_id)
    else:
        messages.success(request, "Your reply is published.")
    return redirect("community:seller", username=review.seller_username)


# --- Messages ---------------------------------------------------------------------------------


class _Scope:
    """An API throttle scope ("messages", "reports") applied to the pages too: one budget
    per user whichever way they post."""

    def __init__(self, throttle_scope: str) -> None:
        self.throttle_scope = throttle_scope


def _throttled(request, scope: str = "messages") -> bool:
    return not ScopedRateThrottle().allow_request(request, _Scope(scope))


@login_required
@require_GET
def inbox_view(request):
    page = Paginator(services.list_conversations(user_id=request.user.pk), INBOX_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "community/inbox.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def conversation_view(request, conversation_id: int):
    try:
        conversation = services.get_conversation(conversation_id=conversation_id, user_id=request.user.pk)
    except services.ConversationNotFound as exc:
        raise Http404(exc.detail) from exc
    participant = request.user.pk in (conversation.buyer_id, conversation.seller_id)
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not participant:
            raise Http404("No such conversation.")
        if _throttled(request):
            form.add_error(None, "You are sending messages too fast: wait a minute and try again.")
            status = 429
        elif form.is_valid():
            try:
                services.post_message(
                    conversation_id=conversation_id, sender_id=request.user.pk, body=form.cleaned_data["body"]
                )
            except InvalidInput as exc:
                form.add_error("body", exc.detail)
            else:
                return redirect("community:conversation", conversation_id=conversation_id)
        if form.errors and status == 200:
            status = 400
    thread = Paginator(
        services.list_messages(conversation_id=conversation_id, user_id=request.user.pk, mark_read=participant),
        THREAD_PAGE_SIZE,
    )
    page = thread.get_page(request.GET.get("page") or thread.num_pages)
    return render(
        request,
        "community/conversation.html",
        {"conversation": conversation, "page": page, "form": form, "participant": participant},
        status=status,
    )


@login_required
@require_POST
def ask_view(request, item_id: int):
    """The buyer's question from an item page: starts (or continues) the conversation."""
    form = MessageForm(request.POST)
    if _throttled(request):
        messages.error(request, "You are sending messages too fast: wait a minute and try again.")
        return redirect("catalogue:item", item_id=item_id)
    error = None
    if not form.is_valid():
        error = " ".join(form.errors.get("body", ["Write something first."]))
    else:
        try:
            posted = services.start_conversation(
                item_id=item_id, buyer_id=request.user.pk, body=form.cleaned_data["body"]
            )
        except catalogue_services.ItemNotFound as exc:
            raise Http404(exc.detail) from exc
        except DomainError as exc:
            error = exc.detail
        else:
            messages.success(request, "Message sent: the seller has been told.")
            return redirect("community:conversation", conversation_id=posted.conversation.conversation_id)
    messages.error(request, f"Your message was not sent: {error}")
    return redirect("catalogue:item", item_id=item_id)


@require_GET
def unread_messages_view(request):
    """The nav bar's unread-messages count, loaded after the page and polled every 30 s."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    count = services.get_unread_message_count(user_id=request.user.pk)
    return render(request, "community/_unread.html", {"messages_unread": count})


# --- Favourites ----------------------------------------------------------------------------------


@login_required
@require_GET
def favourites_view(request):
    page = Paginator(services.list_favourites(user_id=request.user.pk), FAVOURITES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    cards = [entry.card for entry in page.object_list if entry.card is not None]
    gone = [entry for entry in page.object_list if entry.card is None]
    return render(
        request,
        "community/favourites.html",
        {"page": page, "cards": cards, "gone": gone, "viewer_id": request.user.pk},
    )


@require_POST
def favourite_toggle_view(request):
    """The heart: htmx swaps the returned heart; without JavaScript, back to the page."""
    if not request.user.is_authenticated:
        login = "/accounts/login/"
        if _is_htmx(request):
            return HttpResponse(status=204, headers={"HX-Redirect": login})
        return redirect(login)
    item_id = parse_id(request.POST.get("item_id"))
    if item_id is None:
        raise Http404("No such item.")
    error = None
    try:
        state = services.toggle_favourite(user_id=request.user.pk, item_id=item_id)
    except catalogue_services.ItemNotFound as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        error = exc.detail
        state = None
    if _is_htmx(request):
        if state is None:
            return HttpResponse(status=409, content=error)
        return HttpResponse(
            heart_html(
                item_id=item_id,
                count=state.favourite_count,
                favourited=state.favourited,
                csrf_token=get_token(request),
            )
        )
    if error:
        messages.error(request, error)
    elif state.favourited:
        messages.success(request, "Saved to your favourites.")
    else:
        messages.success(request, "Removed from your favourites.")
    target = request.POST.get("next") or request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = f"/items/{item_id}/"
    return redirect(target)


@require_GET
def favourite_hearts_view(request):
    """The viewer's hearts for the cards of a page, as out-of-band swaps (see shop.common.hearts)."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    ids = []
    for part in request.GET.get("ids", "").split(",")[:MAX_HEART_IDS]:
        if (item_id := parse_id(part)) is not None:
            ids.append(item_id)
    states = services.get_favourite_states(user_id=request.user.pk, item_ids=ids)
    token = get_token(request)
    html = "".join(
        heart_html(item_id=s.item_id, count=s.favourite_count, favourited=True, csrf_token=token, oob=True)
        for s in states.values()
        if s.favourited
    )
    return HttpResponse(html)


# --- Reports ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def report_view(request, target_type: str, target_id: int):
    if target_type not in services.ReportTarget.values:
        raise Http404("Nothing to report there.")
    if services.has_reported(reporter_id=request.user.pk, target_type=target_type, target_id=target_id):
        messages.info(request, "You have already reported this; a moderator will look at it.")
        return redirect(_back(request, target_type, target_id))
    form = ReportForm(request.POST or None)
    throttled = request.method == "POST" and _throttled(request, "reports")
    if throttled:
        form.add_error(None, "You are sending reports too fast: wait a minute and try again.")
    elif request.method == "POST" and form.is_valid():
        try:
            services.report(
                reporter_id=request.user.pk,
                target_type=target_type,
                target_id=target_id,
                reason=form.cleaned_data["reason"],
                text=form.cleaned_data["text"],
            )
        except services.ReportTargetNotFound as exc:
            raise Http404(exc.detail) from exc
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, "Thank you: a moderator will look at your report.")
            return redirect(_back(request, target_type, target_id))
    return render(
        request,
        "community/report_form.html",
        {"form": form, "target_type": target_type, "target_id": target_id, "next": request.GET.get("next", "")},
        status=429 if throttled else 400 if form.errors else 200,
    )


def _back(request, target_type: str, target_id: int) -> str:
    target = request.POST.get("next") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    if target_type == services.ReportTarget.ITEM:
        return f"/items/{target_id}/"
    return "/messages/" if target_type == services.ReportTarget.MESSAGE else "/"
