"""Querysets for orders' own views, API and admin (private to this app)."""

from django.db.models import QuerySet

from orders.constants import OrderStatus
from orders.models import Order, OrderLine, Parcel


def orders_for_buyer(*, buyer_id: int, status: str | None = None) -> QuerySet[Order]:
    orders = Order.objects.filter(buyer_id=buyer_id).prefetch_related("lines", "history").order_by("-created_at", "-pk")
    if status:
        orders = orders.filter(status=status)
    return orders


def sales_for_seller(*, seller_id: int) -> QuerySet[OrderLine]:
    """Lines of the seller's items in paid orders, newest sale first."""
    return (
        OrderLine.objects.filter(seller_id=seller_id, order__status=OrderStatus.PAID)
        .select_related("order__buyer")
        .order_by("-order__paid_at", "-pk")
    )


def parcels_for(*, user_id: int, role: str = "buyer", status: str | None = None) -> QuerySet[Parcel]:
    """The user's parcels as buyer or seller, newest first (API and pages paginate it)."""
    parcels = Parcel.objects.filter(**{f"{role}_id": user_id}).order_by("-created_at", "-pk")
    if status:
        parcels = parcels.filter(status=status)
    return parcels
