"""Querysets for orders' own views, API and admin (private to this app)."""

from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When

from orders.constants import OrderStatus, ParcelStatus
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


# The seller's fulfilment page (DESIGN §4 /sales/): what needs doing first.
SALES_SECTIONS = (
    ParcelStatus.AWAITING_SHIPMENT,
    ParcelStatus.SHIPPED,
    ParcelStatus.DISPUTED,
    ParcelStatus.COMPLETED,
    ParcelStatus.REFUNDED,
)


def parcels_to_fulfil(*, seller_id: int, status: str | None = None) -> QuerySet[Parcel]:
    """The seller's parcels: to ship (most urgent ship-by first), then shipped, disputed,
    completed, refunded (newest first within each)."""
    rank = Case(
        *(When(status=status, then=Value(i)) for i, status in enumerate(SALES_SECTIONS)),
        output_field=IntegerField(),
    )
    urgency = Case(When(status=ParcelStatus.AWAITING_SHIPMENT, then=F("ship_by")))
    parcels = Parcel.objects.filter(seller_id=seller_id).annotate(rank=rank)
    if status:
        parcels = parcels.filter(status=status)
    return parcels.order_by("rank", urgency.asc(nulls_last=True), "-created_at", "-pk")


def parcel_counts(*, seller_id: int) -> dict[str, int]:
    """{status: number of the seller's parcels}, one query (the page's section tabs)."""
    rows = Parcel.objects.filter(seller_id=seller_id).values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in rows}
