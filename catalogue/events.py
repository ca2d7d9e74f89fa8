"""Events published by catalogue through the outbox (DESIGN §2 Delivery of consequences).

`ITEM_ALERT`: an item got cheaper, or a sold-out item is back in stock. Written in the
transaction of the change (catalogue.services.update_item), so people watching the item
(community's favourites) are told at least once, and never about a rolled-back change.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shop.common.money import to_money

ITEM_ALERT = "catalogue.item_alert"

PRICE_DROP = "price_drop"
BACK_IN_STOCK = "back_in_stock"


@dataclass(frozen=True, slots=True)
class ItemAlert:
    item_id: int
    seller_id: int
    kind: str  # PRICE_DROP or BACK_IN_STOCK
    title: str
    old_price: Decimal
    new_price: Decimal
    available: int

    def to_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "seller_id": self.seller_id,
            "kind": self.kind,
            "title": self.title,
            "old_price": str(to_money(self.old_price)),
            "new_price": str(to_money(self.new_price)),
            "available": self.available,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ItemAlert":
        return cls(
            item_id=int(data["item_id"]),
            seller_id=int(data["seller_id"]),
            kind=data["kind"],
            title=data["title"],
            old_price=to_money(data["old_price"]),
            new_price=to_money(data["new_price"]),
            available=int(data["available"]),
        )
