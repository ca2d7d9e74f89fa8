"""Demo parcels for `make run` (DESIGN §6): one in every state of DESIGN §2 Fulfilment.

Made through the real services (checkout, pay, ship, confirm, dispute, resolve), so the
ledger, escrow, history, notifications and credit notes are what a newcomer would see
after using the shop. Needs the demo catalogue's categories.
"""

from decimal import Decimal

from cart import services as cart_services
from catalogue import services as catalogue_services
from orders import services

# (title, category, price, what happens after payment)
DEMO_PARCELS = (
    ("Walnut bookshelf", "furniture", "85.00", "awaiting_shipment"),
    ("Cast-iron skillet", "kitchen", "24.00", "shipped"),
    ("Vintage rain jacket", "women", "39.50", "disputed"),
    ("Paperback box set", "fiction", "18.00", "completed"),
    ("Bluetooth speaker", "audio", "45.00", "refunded"),
)


def load_demo_parcels(*, buyer_id: int, seller_id: int, moderator_id: int) -> int:
    """The buyer buys one item of the seller per state, in its own order, and each
    parcel is taken to that state. Returns the number of parcels made."""
    for title, category, price, state in DEMO_PARCELS:
        item = catalogue_services.create_item(
            seller_id=seller_id,
            title=title,
            category_slug=category,
            price=Decimal(price),
            quantity=2,
            description="Sold in the demo, so the fulfilment pages have something to show.",
        )
        cart_services.add_to_cart(user_id=buyer_id, item_id=item.item_id, quantity=1)
        order = services.place_order(buyer_id=buyer_id).order
        services.pay_order(order_id=order.order_id, buyer_id=buyer_id)
        parcel_id = services.get_parcels_of_orders(order_ids=[order.order_id])[order.order_id][0].parcel_id
        _take_to(state, parcel_id=parcel_id, buyer_id=buyer_id, seller_id=seller_id, moderator_id=moderator_id)
    return len(DEMO_PARCELS)


def _take_to(state: str, *, parcel_id: int, buyer_id: int, seller_id: int, moderator_id: int) -> None:
    if state == "awaiting_shipment":
        return
    services.ship_parcel(
        parcel_id=parcel_id, seller_id=seller_id, carrier="La Poste", tracking_code=f"LP-{parcel_id:06d}"
    )
    if state == "completed":
        services.confirm_parcel(parcel_id=parcel_id, buyer_id=buyer_id)
    elif state in ("disputed", "refunded"):
        services.dispute_parcel(
            parcel_id=parcel_id,
            buyer_id=buyer_id,
            reason="not_as_described" if state == "disputed" else "damaged",
            message="The listing said 'like new' but the zip is broken."
            if state == "disputed"
            else "It arrived with a cracked grille and crackles at any volume.",
        )
    if state == "refunded":
        services.resolve_dispute(parcel_id=parcel_id, moderator_id=moderator_id, outcome="refund", amount="30.00")
