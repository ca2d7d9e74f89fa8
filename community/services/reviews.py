"""Ratings and reviews of sellers, one per completed parcel (issue 15 part 2).

The seller's aggregates (count, sum, stars) live in accounts' seller-stats row and move
with F() increments in the review's own transaction (accounts.services.record_rating),
so the average is right under concurrent reviews and a hidden review leaves it.
"""

from datetime import timedelta

from django.db import IntegrityError
from django.utils import timezone

from accounts import services as accounts_services
from community import events
from community.models import MAX_REVIEW_LENGTH, Review
from community.services.data import (
    AlreadyReplied,
    AlreadyReviewed,
    NotReviewable,
    ReviewFrozen,
    ReviewNotFound,
    ReviewSummary,
)
from community.services.text import clean_text, excerpt
from orders import services as orders_services
from outbox import services as outbox_services
from shop.common.errors import InvalidInput
from shop.common.pagination import MappedRows
from shop.common.transactions import joined, service_transaction

REVIEW_EDIT_DAYS = 7


def review_parcel(*, parcel_id: int, buyer_id: int, rating, text: str = "") -> ReviewSummary:
    """The buyer rates the seller of one of their completed parcels, once.

    Refused: someone else's or an unknown parcel (orders ParcelNotFound, 404), a parcel not
    completed (NotReviewable, 409 invalid_status), a second review (AlreadyReviewed, 409:
    the unique parcel_id decides a race), a rating outside 1-5 or bad text (InvalidInput).
    Self-review is impossible (a seller cannot buy their own item) and refused by a check
    constraint anyway. Runs in its own transaction; counts the rating into the seller's
    aggregates in it and publishes REVIEW_POSTED (the seller is notified).
    """
    stars = _clean_rating(rating)
    text = clean_text(text, field="text", max_length=MAX_REVIEW_LENGTH, required=False)
    parcel = orders_services.get_parcel(parcel_id=parcel_id)
    if parcel.buyer_id != buyer_id:
        raise orders_services.ParcelNotFound()
    if parcel.status != orders_services.ParcelStatus.COMPLETED:
        raise NotReviewable()
    if parcel.seller_id == buyer_id:
        raise NotReviewable("You cannot review yourself.")
    try:
        with service_transaction():
            review = Review.objects.create(
                parcel_id=parcel.parcel_id,
                order_id=parcel.order_id,
                buyer_id=buyer_id,
                seller_id=parcel.seller_id,
                rating=stars,
                text=text,
                created_at=timezone.now(),
            )
            accounts_services.record_rating(seller_id=parcel.seller_id, added=stars)
            summary = get_review(review_id=review.pk)
            _publish_review_posted(summary)
    except IntegrityError as exc:
        raise AlreadyReviewed() from exc
    return summary


def edit_review(*, review_id: int, buyer_id: int, rating=None, text: str | None = None) -> ReviewSummary:
    """The author changes their review within REVIEW_EDIT_DAYS (ReviewFrozen after).

    Someone else's review is ReviewNotFound (404). Locks the review row, so two edits
    move the aggregates one after the other. Runs in its own transaction.
    """
    stars = _clean_rating(rating) if rating is not None else None
    cleaned = clean_text(text, field="text", max_length=MAX_REVIEW_LENGTH, required=False) if text is not None else None
    with service_transaction():
        review = Review.objects.select_for_update().filter(pk=review_id, buyer_id=buyer_id).first()
        if review is None:
            raise ReviewNotFound()
        if timezone.now() > review.created_at + timedelta(days=REVIEW_EDIT_DAYS):
            raise ReviewFrozen()
        fields = ["edited_at"]
        if stars is not None and stars != review.rating:
            if not review.hidden:
                accounts_services.record_rating(seller_id=review.seller_id, added=stars, removed=review.rating)
            review.rating = stars
            fields.append("rating")
        if cleaned is not None:
            review.text = cleaned
            fields.append("text")
        review.edited_at = timezone.now()
        review.save(update_fields=fields)
    return get_review(review_id=review.pk)


def reply_to_review(*, review_id: int, seller_id: int, text: str) -> ReviewSummary:
    """The reviewed seller answers once (AlreadyReplied after); someone else gets ReviewNotFound."""
    cleaned = clean_text(text, field="text", max_length=MAX_REVIEW_LENGTH, required=True)
    with service_transaction():
        updated = Review.objects.filter(pk=review_id, seller_id=seller_id, replied_at__isnull=True).update(
            reply=cleaned, replied_at=timezone.now()
        )
        if not updated:
            if not Review.objects.filter(pk=review_id, seller_id=seller_id).exists():
                raise ReviewNotFound()
            raise AlreadyReplied()
    return get_review(review_id=review_id)


def set_review_hidden(*, review_id: int, hidden: bool) -> bool:
    """A moderator hides (or shows again) a review; its rating leaves (or rejoins) the
    seller's aggregates in the same transaction. Returns whether anything changed.
    Joins the caller's transaction (reports.moderate_report)."""
    with joined():
        review = Review.objects.select_for_update().filter(pk=review_id).first()
        if review is None:
            raise ReviewNotFound()
        if review.hidden == hidden:
            return False
        review.hidden = hidden
        review.save(update_fields=["hidden"])
        if hidden:
            accounts_services.record_rating(seller_id=review.seller_id, removed=review.rating)
        else:
            accounts_services.record_rating(seller_id=review.seller_id, added=review.rating)
    return True


def get_review(*, review_id: int) -> ReviewSummary:
    review = Review.objects.select_related("buyer", "seller").filter(pk=review_id).first()
    if review is None:
        raise ReviewNotFound()
    return _summary(review)


def get_review_for_parcel(*, parcel_id: int) -> ReviewSummary | None:
    review = Review.objects.select_related("buyer", "seller").filter(parcel_id=parcel_id).first()
    return _summary(review) if review else None


def get_reviews_for_parcels(*, parcel_ids) -> dict[int, ReviewSummary]:
    rows = Review.objects.select_related("buyer", "seller").filter(parcel_id__in=list(parcel_ids))
    return {row.parcel_id: _summary(row) for row in rows}


def list_seller_reviews(*, seller_id: int) -> MappedRows:
    """A seller's visible reviews, newest first (hidden ones left out), paged in SQL."""
    rows = (
        Review.objects.filter(seller_id=seller_id, hidden=False)
        .select_related("buyer", "seller")
        .order_by("-created_at", "-id")
    )
    return MappedRows(rows, _summary)


def _publish_review_posted(review: ReviewSummary) -> None:
    event = events.ReviewPosted(
        review_id=review.review_id,
        seller_id=review.seller_id,
        seller_username=review.seller_username,
        buyer_username=review.buyer_username,
        rating=review.rating,
        excerpt=excerpt(review.text),
    )
    outbox_services.publish(topic=events.REVIEW_POSTED, payload=event.to_json(), key=f"review:{review.review_id}")


def _clean_rating(rating) -> int:
    if isinstance(rating, bool):
        raise InvalidInput("Give 1 to 5 stars.", field="rating")
    try:
        stars = int(str(rating).strip())
    except (TypeError, ValueError) as exc:
        raise InvalidInput("Give 1 to 5 stars.", field="rating") from exc
    if str(stars) != str(rating).strip() or not 1 <= stars <= 5:
        raise InvalidInput("Give 1 to 5 stars.", field="rating")
    return stars


def _summary(review: Review) -> ReviewSummary:
    return ReviewSummary(
        review_id=review.pk,
        parcel_id=review.parcel_id,
        buyer_id=review.buyer_id,
        buyer_username=review.buyer.username,
        seller_id=review.seller_id,
        seller_username=review.seller.username,
        rating=review.rating,
        text=review.text,
        created_at=review.created_at,
        edited_at=review.edited_at,
        editable_until=review.created_at + timedelta(days=REVIEW_EDIT_DAYS),
        reply=review.reply,
        replied_at=review.replied_at,
        hidden=review.hidden,
    )
