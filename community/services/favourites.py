"""Favourites: a heart per (user, item), its counter on the item, and who to alert."""

from collections.abc import Collection

from catalogue import services as catalogue_services
from community.models import Favourite
from community.services.data import FavouriteEntry, FavouriteState, OwnItem
from community.services.paging import BatchMappedRows
from shop.common.transactions import service_transaction


def add_favourite(*, user_id: int, item_id: int) -> FavouriteState:
    """Keep an item in the user's favourites; idempotent (a second add changes nothing).

    Refused: an unknown or hidden item (catalogue ItemNotFound, 404: a hidden item is
    invisible), a withdrawn one (ItemUnavailable, 409), one's own (OwnItem, 409). The
    row and the item's counter change in one transaction; the unique (user, item)
    constraint makes a racing double add count once. Runs in its own transaction.
    """
    item = _visible_item(item_id)
    if item.seller_id == user_id:
        raise OwnItem("You cannot favourite your own listing.")
    if not item.is_active:
        raise catalogue_services.ItemUnavailable("This item is no longer for sale.")
    with service_transaction():
        _, created = Favourite.objects.get_or_create(user_id=user_id, item_id=item_id)
        if created:
            catalogue_services.count_favourite(item_id=item_id, delta=1)
    return _state(user_id=user_id, item_id=item_id)


def remove_favourite(*, user_id: int, item_id: int) -> FavouriteState:
    """Take an item out of the user's favourites; idempotent, and allowed whatever the
    item's status (so a hidden item can still be let go of). Runs in its own transaction."""
    with service_transaction():
        deleted, _ = Favourite.objects.filter(user_id=user_id, item_id=item_id).delete()
        if deleted:
            catalogue_services.count_favourite(item_id=item_id, delta=-1)
    return _state(user_id=user_id, item_id=item_id)


def toggle_favourite(*, user_id: int, item_id: int) -> FavouriteState:
    """The heart's form without JavaScript: add if absent, remove if present."""
    if Favourite.objects.filter(user_id=user_id, item_id=item_id).exists():
        return remove_favourite(user_id=user_id, item_id=item_id)
    return add_favourite(user_id=user_id, item_id=item_id)


def get_favourite_states(*, user_id: int, item_ids: Collection[int]) -> dict[int, FavouriteState]:
    """The viewer's hearts for many items (two queries): favourited or not, and each count."""
    ids = list(item_ids)
    counts = catalogue_services.get_favourite_counts(item_ids=ids)
    mine = set(Favourite.objects.filter(user_id=user_id, item_id__in=ids).values_list("item_id", flat=True))
    return {
        pk: FavouriteState(item_id=pk, favourited=pk in mine, favourite_count=count) for pk, count in counts.items()
    }


def list_favourites(*, user_id: int) -> BatchMappedRows:
    """The user's favourites, newest first, each with its card (None once off sale);
    paged in SQL: two queries a page whatever its size."""
    rows = Favourite.objects.filter(user_id=user_id).order_by("-created_at", "-id").values_list("item_id", "created_at")

    def to_entries(batch: list[tuple]) -> list[FavouriteEntry]:
        cards = catalogue_services.get_item_cards(item_ids=[item_id for item_id, _ in batch])
        return [FavouriteEntry(item_id=item_id, created_at=at, card=cards.get(item_id)) for item_id, at in batch]

    return BatchMappedRows(rows, to_entries)


def list_favouriting_user_ids(*, item_id: int) -> tuple[int, ...]:
    """Who keeps this item in their favourites (for price-drop and restock alerts)."""
    return tuple(Favourite.objects.filter(item_id=item_id).order_by("user_id").values_list("user_id", flat=True))


def _visible_item(item_id: int) -> catalogue_services.ItemSnapshot:
    item = catalogue_services.get_item_snapshots(item_ids=[item_id]).get(item_id)
    if item is None or item.status == catalogue_services.ItemStatus.HIDDEN:
        raise catalogue_services.ItemNotFound()
    return item


def _state(*, user_id: int, item_id: int) -> FavouriteState:
    return get_favourite_states(user_id=user_id, item_ids=[item_id]).get(item_id) or FavouriteState(
        item_id=item_id, favourited=False, favourite_count=0
    )
