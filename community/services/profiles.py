"""Seller profiles: who they are, how they are rated, how they ship (issue 15 part 1)."""

from accounts import services as accounts_services
from catalogue import services as catalogue_services
from community.services.data import SellerNotFound, SellerProfile
from orders import services as orders_services


def get_seller_profile(*, username: str) -> SellerProfile:
    """A seller's public profile; SellerNotFound for an unknown or deactivated user.

    Constant queries: the user, their rating row, the fulfilment figures, the listing count.
    """
    try:
        account = accounts_services.get_public_profile(username=username)
    except accounts_services.AccountNotFound as exc:
        raise SellerNotFound() from exc
    rating = accounts_services.get_seller_ratings(seller_ids=[account.user_id])[account.user_id]
    fulfilment = orders_services.get_seller_fulfilment(seller_ids=[account.user_id]).get(account.user_id)
    return SellerProfile(
        seller_id=account.user_id,
        username=account.username,
        display_name=account.display_name,
        member_since=account.member_since,
        rating_average=rating.average,
        rating_count=rating.count,
        histogram=rating.histogram,
        completed_sales=fulfilment.completed_sales if fulfilment else 0,
        median_ship_seconds=fulfilment.median_ship_seconds if fulfilment else None,
        active_listings=catalogue_services.count_active_listings(seller_id=account.user_id),
    )


def list_seller_listings(*, seller_id: int):
    """The seller's active listings as browse cards (catalogue's), newest first."""
    return catalogue_services.list_seller_cards(seller_id=seller_id)
