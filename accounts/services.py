"""Public interface of accounts: the only module other apps may import (with events)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef

from accounts.models import SellerStats
from shop.common.errors import InvalidInput, NotFoundError
from shop.common.migration_helpers import MODERATORS_GROUP
from shop.common.transactions import joined

User = get_user_model()


@dataclass(frozen=True, slots=True)
class AccountSummary:
    user_id: int
    username: str
    email: str
    first_name: str
    last_name: str
    is_moderator: bool


@dataclass(frozen=True, slots=True)
class SellerRating:
    """A seller's visible ratings: count, sum and how many of each star (1 to 5)."""

    seller_id: int
    count: int
    total: int
    histogram: tuple[int, int, int, int, int]

    @property
    def average(self) -> Decimal | None:
        """One decimal place, like "4.6"; None before the first rating."""
        return rating_average(count=self.count, total=self.total)


def rating_average(*, count: int | None, total: int | None) -> Decimal | None:
    """The average of `count` ratings summing to `total`, to one decimal place; None for none."""
    if not count:
        return None
    return (Decimal(total or 0) / count).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


USERNAME_TAKEN = "A user with that username already exists."
EMAIL_TAKEN = "A user with that e-mail address already exists."


class AccountNotFound(NotFoundError):
    default_detail = "No such user."


def register_user(*, username: str, email: str, password: str) -> AccountSummary:
    """Create a user (and, through accounts.events.user_created, their wallet).

    Runs in its own transaction, joined by the listeners of user_created.
    Raises InvalidInput naming the field for a taken username or e-mail or a weak password.
    """
    username = username.strip()
    email = User.objects.normalize_email(email.strip())
    if username_taken(username):
        raise InvalidInput(USERNAME_TAKEN, field="username")
    if email_taken(email):
        raise InvalidInput(EMAIL_TAKEN, field="email")
    candidate = User(username=username, email=email)
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from exc
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError as exc:
        # Lost a race with a concurrent sign-up for the same name or address.
        raise InvalidInput("That username or e-mail address was just taken.", field="username") from exc
    return _summary(user, is_moderator=False)


def username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username.strip()).exists()


def email_taken(email: str, *, except_user_id: int | None = None) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exclude(pk=except_user_id).exists()


def get_account(*, user_id: int) -> AccountSummary:
    """One user's summary; raises AccountNotFound."""
    accounts = get_accounts(user_ids=[user_id])
    if user_id not in accounts:
        raise AccountNotFound()
    return accounts[user_id]


def get_accounts(*, user_ids: Collection[int]) -> dict[int, AccountSummary]:
    """Summaries for many users in one query, keyed by user id."""
    # One statement with the group membership as EXISTS, and only the summary's columns:
    # payments reads the buyer and sellers inside the pay transaction (issue 16).
    in_moderators = Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=MODERATORS_GROUP))
    rows = (
        User.objects.filter(pk__in=list(user_ids))
        .annotate(in_moderators=in_moderators)
        .values_list("pk", "username", "email", "first_name", "last_name", "is_superuser", "in_moderators")
    )
    return {
        pk: AccountSummary(
            user_id=pk,
            username=username,
            email=email,
            first_name=first_name,
            last_name=last_name,
            is_moderator=in_moderators or is_superuser,
        )
        for pk, username, email, first_name, last_name, is_superuser, in_moderators in rows
    }


def find_user_id(*, username: str) -> int | None:
    """The id of the user with this username (case-insensitive), or None."""
    return User.objects.filter(username__iexact=username).values_list("pk", flat=True).first()


def update_profile(
    *, user_id: int, email: str | None = None, first_name: str | None = None, last_name: str | None = None
) -> AccountSummary:
    """Change a user's profile fields; raises InvalidInput for an e-mail taken by another user."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise AccountNotFound()
    if email is not None:
        email = User.objects.normalize_email(email.strip())
        if email_taken(email, except_user_id=user_id):
            raise InvalidInput(EMAIL_TAKEN, field="email")
        user.email = email
    if first_name is not None:
        user.first_name = first_name
    if last_name is not None:
        user.last_name = last_name
    user.save(update_fields=["email", "first_name", "last_name"])
    return get_account(user_id=user_id)


def is_moderator(*, user_id: int) -> bool:
    """Whether the user may act as a moderator (group member or superuser)."""
    return get_account(user_id=user_id).is_moderator


def _summary(user, *, is_moderator: bool) -> AccountSummary:
    return AccountSummary(
        user_id=user.pk,
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        is_moderator=is_moderator,
    )


# --- Seller ratings (written by community's review service) -------------------------------

STARS = (1, 2, 3, 4, 5)


def record_rating(*, seller_id: int, added: int | None = None, removed: int | None = None) -> None:
    """Count one rating into (`added`) and/or out of (`removed`) a seller's aggregates.

    An edit passes both, a new review `added`, a hidden one `removed`. Creates the row
    if needed (INSERT ... ON CONFLICT DO NOTHING, so two first reviews cannot collide),
    then one UPDATE with F() increments, which holds the row lock until the caller's
    transaction ends: concurrent reviews serialise on it and none is lost. Must run
    inside the caller's transaction (the review's). Raises InvalidInput for a star
    count outside 1-5.
    """
    for stars in (added, removed):
        if stars is not None and stars not in STARS:
            raise InvalidInput("A rating is 1 to 5 stars.", field="rating")
    if added == removed:
        return
    changes: dict = {}
    count = (1 if added else 0) - (1 if removed else 0)
    total = (added or 0) - (removed or 0)
    if count:
        changes["rating_count"] = F("rating_count") + count
    if total:
        changes["rating_sum"] = F("rating_sum") + total
    if added:
        changes[f"stars_{added}"] = F(f"stars_{added}") + 1
    if removed:
        changes[f"stars_{removed}"] = F(f"stars_{removed}") - 1
    with joined():
        SellerStats.objects.bulk_create([SellerStats(user_id=seller_id)], ignore_conflicts=True)
        SellerStats.objects.filter(user_id=seller_id).update(**changes)


def get_seller_ratings(*, seller_ids: Collection[int]) -> dict[int, SellerRating]:
    """Ratings of many sellers in one query; a seller never rated gets a zero rating."""
    rows = SellerStats.objects.filter(user_id__in=list(seller_ids)).values_list(
        "user_id", "rating_count", "rating_sum", *(f"stars_{n}" for n in STARS)
    )
    found = {
        user_id: SellerRating(seller_id=user_id, count=count, total=total, histogram=tuple(stars))
        for user_id, count, total, *stars in rows
    }
    return {
        seller_id: found.get(seller_id) or SellerRating(seller_id=seller_id, count=0, total=0, histogram=(0,) * 5)
        for seller_id in seller_ids
    }


def rating_label(*, count: int | None, total: int | None) -> str:
    """ "★ 4.6 (12)" for cards, or "" for a seller with no rating yet (no query)."""
    if not count:
        return ""
    return f"★ {rating_average(count=count, total=total)} ({count})"


@dataclass(frozen=True, slots=True)
class PublicProfile:
    user_id: int
    username: str
    display_name: str
    member_since: datetime
    is_active: bool


def get_public_profile(*, username: str) -> PublicProfile:
    """What anyone may see of a user (no e-mail); raises AccountNotFound, also for a deactivated user."""
    user = User.objects.filter(username__iexact=username, is_active=True).first()
    if user is None:
        raise AccountNotFound()
    full = f"{user.first_name} {user.last_name}".strip()
    return PublicProfile(
        user_id=user.pk,
        username=user.username,
        display_name=full or user.username,
        member_since=user.date_joined,
        is_active=user.is_active,
    )


def deactivate_user(*, user_id: int, actor_id: int) -> bool:
    """A moderator deactivates a user (they can no longer log in); returns whether it changed."""
    if user_id == actor_id:
        raise InvalidInput("You cannot deactivate yourself.", field="user")
    return bool(User.objects.filter(pk=user_id, is_active=True).update(is_active=False))
