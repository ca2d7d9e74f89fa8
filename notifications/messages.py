"""The words of each notification, by order status and reason (DESIGN §2 Notifications).

Private to notifications: services stores these as snapshots on each notification.
"""

from decimal import Decimal

from orders import events as orders_events
from shop.common.money import format_credits

# Order statuses as published by orders.events (DESIGN §2 Order lifecycle). Kept as plain
# strings: the event carries strings, and notifications must not depend on orders' models.
NEW = "new"
AWAITING_PAYMENT = "awaiting_payment"
PAID = "paid"
FAILED = "failed"
CANCELLED = "cancelled"
# Reasons (orders.events `reason`) that change the wording.
PAYMENT_TIMEOUT = "payment_timeout"
CANCELLED_BY_BUYER = "cancelled_by_buyer"
CANCELLED_BY_MODERATOR = "cancelled_by_moderator"
ITEM_UNAVAILABLE = "item_unavailable"


def _units(lines) -> str:
    count = sum(line.quantity for line in lines)
    return f"{count} item" if count == 1 else f"{count} items"


def buyer_message(t: orders_events.OrderTransition) -> tuple[str, str]:
    order = f"Order #{t.order_id}"
    total = format_credits(t.total)
    if t.to_status == NEW:
        return f"{order} placed", f"We received your order of {_units(t.lines)} for {total}."
    if t.to_status == AWAITING_PAYMENT:
        return (
            f"{order} is waiting for payment",
            f"We reserved {_units(t.lines)} for you. Pay {total} from your wallet before the reservation expires.",
        )
    if t.to_status == PAID:
        return f"{order} is paid", f"You paid {total} for {_units(t.lines)}. The sellers have been told."
    if t.to_status == FAILED:
        what = (
            "Some items are no longer for sale."
            if t.reason == ITEM_UNAVAILABLE
            else "Some items were no longer available in the quantity you asked for."
        )
        return f"{order} could not be placed", f"{what} Nothing was charged and your cart was kept."
    if t.to_status == CANCELLED:
        if t.reason == PAYMENT_TIMEOUT:
            why = "it was not paid in time"
        elif t.reason == CANCELLED_BY_MODERATOR:
            why = "a moderator cancelled it"
        elif t.reason == CANCELLED_BY_BUYER or t.actor_id == t.buyer_id:
            why = "you cancelled it"
        elif t.actor_id is not None:
            why = "a moderator cancelled it"
        else:
            why = t.reason.replace("_", " ") if t.reason else "it was cancelled"
        return f"{order} was cancelled", f"Your order was cancelled because {why}. Nothing was charged."
    return (
        f"{order} is now {t.to_status.replace('_', ' ')}",
        f"Your order changed from {t.from_status} to {t.to_status}.",
    )


def seller_message(t: orders_events.OrderTransition, sold, *, buyer_name: str) -> tuple[str, str]:
    subtotal = format_credits(sum((line.line_total for line in sold), Decimal("0.00")))
    what = ", ".join(f"{line.quantity} × {line.title}" for line in sold)
    return (
        f"You sold {_units(sold)} in order #{t.order_id}",
        f"{buyer_name} paid for {what}. {subtotal} is held in escrow until delivery.",
    )


# Parcel statuses and reasons as orders.events publishes them (DESIGN §2 Fulfilment).
SHIPPED = "shipped"
DISPUTED = "disputed"
COMPLETED = "completed"
REFUNDED = "refunded"
AUTO_COMPLETED = "auto"
NOT_SHIPPED = "not_shipped"
CANCELLED_BY_SELLER = "cancelled_by_seller"


def parcel_messages(
    t: orders_events.ParcelTransition, *, seller_name: str, buyer_name: str
) -> dict[str, tuple[str, str]]:
    """{"buyer"|"seller": (title, body)} for the parties a parcel transition concerns."""
    parcel = f"Your parcel from {seller_name} (order #{t.order_id})"
    sale = f"Your parcel for {buyer_name} (order #{t.order_id})"
    total, refunded = format_credits(t.total), format_credits(t.refunded_amount)
    if t.to_status == SHIPPED:
        tracking = f" with {t.carrier}" if t.carrier else ""
        tracking += f", tracking code {t.tracking_code}" if t.tracking_code else ""
        return {
            "buyer": (
                f"{parcel} was shipped",
                f"{seller_name} shipped {_units(t.lines)}{tracking}. Confirm when it arrives, or report a problem.",
            )
        }
    if t.to_status == DISPUTED:
        return {
            "buyer": (f"{parcel}: problem reported", "A moderator will look at it; the payment stays in escrow."),
            "seller": (
                f"{sale}: the buyer reported a problem",
                "A moderator will decide; the payment stays in escrow.",
            ),
        }
    if t.to_status == COMPLETED:
        how = "completed automatically" if t.reason == AUTO_COMPLETED else "completed"
        return {
            "buyer": (f"{parcel} is {how}", f"{total} was paid to {seller_name}. You can now review the seller."),
            "seller": (f"{sale} is {how}", f"{total} was released from escrow to your wallet."),
        }
    if t.to_status == REFUNDED:
        if t.reason == NOT_SHIPPED:
            why = "it was not shipped in time"
        elif t.reason == CANCELLED_BY_SELLER:
            why = "the seller cancelled it"
        else:
            why = "a moderator decided on the dispute"
        return {
            "buyer": (f"{parcel} was refunded", f"{refunded} went back to your wallet because {why}."),
            "seller": (f"{sale} was refunded", f"{refunded} of {total} went back to the buyer because {why}."),
        }
    return {}


def message_notice(message) -> tuple[str, str]:
    """(title, body) telling someone about a new message (community.events.MessagePosted)."""
    return (
        f"New message from {message.sender_username} about “{message.item_title}”",
        message.excerpt,
    )


def review_notice(review) -> tuple[str, str]:
    """(title, body) telling a seller about a new review (community.events.ReviewPosted)."""
    stars = "★" * review.rating + "☆" * (5 - review.rating)
    return (
        f"{review.buyer_username} rated you {stars} ({review.rating} of 5)",
        review.excerpt or "No comment, just the stars.",
    )


def item_alert_notice(alert) -> tuple[str, str]:
    """(title, body) for a favourited item's news (catalogue.events.ItemAlert)."""
    if alert.kind == "price_drop":
        return (
            f"Price drop: “{alert.title}”",
            f"An item in your favourites now costs {format_credits(alert.new_price)} "
            f"(was {format_credits(alert.old_price)}).",
        )
    return (
        f"Back in stock: “{alert.title}”",
        f"An item in your favourites is available again ({alert.available} on sale).",
    )
