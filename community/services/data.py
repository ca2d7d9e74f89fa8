"""The dataclasses and errors of community's public surface (re-exported by services)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from rest_framework import status

from shop.common.errors import DomainError, NotFoundError

# --- Errors (each one is part of the surface: comment says when it is raised) -------------


class OwnItem(DomainError):
    """Favouriting or asking about one's own listing."""

    code = "own_item"
    default_detail = "That is your own listing."


class ConversationNotFound(NotFoundError):
    """Unknown, or a conversation the user is not part of (404, never 403: DESIGN §3)."""

    default_detail = "No such conversation."


class NotAParticipant(DomainError):
    """A moderator may read a conversation but only its two participants write in it."""

    code = "not_a_participant"
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "Only the buyer and the seller write in this conversation."


class ReviewNotFound(NotFoundError):
    default_detail = "No such review."


class NotReviewable(DomainError):
    """The parcel is not completed yet (409 invalid_status)."""

    code = "invalid_status"
    default_detail = "You can review a seller once the parcel is completed."


class AlreadyReviewed(DomainError):
    code = "already_reviewed"
    default_detail = "You have already reviewed this parcel."


class ReviewFrozen(DomainError):
    """More than REVIEW_EDIT_DAYS after it was written, a review can no longer change."""

    code = "review_frozen"
    default_detail = "Reviews can be edited for 7 days; this one is now final."


class AlreadyReplied(DomainError):
    code = "already_replied"
    default_detail = "You have already replied to this review."


class ReportTargetNotFound(NotFoundError):
    default_detail = "There is nothing to report there."


class AlreadyReported(DomainError):
    code = "already_reported"
    default_detail = "You have already reported this."


class SellerNotFound(NotFoundError):
    default_detail = "No such seller."


# --- Favourites -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FavouriteState:
    item_id: int
    favourited: bool
    favourite_count: int


@dataclass(frozen=True, slots=True)
class FavouriteEntry:
    item_id: int
    created_at: datetime
    card: object | None  # catalogue_services.ItemCard, None once the item is off sale


# --- Conversations --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    conversation_id: int
    item_id: int
    item_title: str
    buyer_id: int
    buyer_username: str
    seller_id: int
    seller_username: str
    created_at: datetime
    last_message_at: datetime
    unread: int  # for the viewer; 0 for a moderator reading
    last_message: str

    def other_username(self, user_id: int) -> str:
        return self.seller_username if user_id == self.buyer_id else self.buyer_username


@dataclass(frozen=True, slots=True)
class MessageSummary:
    message_id: int
    conversation_id: int
    sender_id: int
    sender_username: str
    body: str  # "" when hidden by a moderator
    hidden: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Posted:
    conversation: ConversationSummary
    message: MessageSummary
    created_conversation: bool


# --- Reviews and profiles ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    review_id: int
    parcel_id: int
    buyer_id: int
    buyer_username: str
    seller_id: int
    seller_username: str
    rating: int
    text: str
    created_at: datetime
    edited_at: datetime | None
    editable_until: datetime
    reply: str
    replied_at: datetime | None
    hidden: bool


@dataclass(frozen=True, slots=True)
class SellerProfile:
    seller_id: int
    username: str
    display_name: str
    member_since: datetime
    rating_average: Decimal | None
    rating_count: int
    histogram: tuple[int, int, int, int, int]  # how many 1, 2, 3, 4, 5 star reviews
    completed_sales: int
    median_ship_seconds: float | None
    active_listings: int

    @property
    def histogram_rows(self) -> list[tuple[int, int, int]]:
        """(stars, count, percent) from 5 down to 1, for the bars on the profile page."""
        return [
            (stars, count, round(100 * count / self.rating_count) if self.rating_count else 0)
            for stars, count in sorted(zip(range(1, 6), self.histogram, strict=True), reverse=True)
        ]

    @property
    def typical_shipping(self) -> str:
        """ "within a day", "about 3 days"... or "" before the first parcel was shipped."""
        if self.median_ship_seconds is None:
            return ""
        hours = self.median_ship_seconds / 3600
        if hours < 24:
            return "within a day"
        days = round(hours / 24)
        return f"about {days} day{'s' if days != 1 else ''}"


# --- Reports ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportSummary:
    report_id: int
    target_type: str
    target_id: int
    reason: str
    status: str
    created_at: datetime
