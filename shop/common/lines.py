"""The order line every app passes around, and its one JSON spelling.

Orders snapshots title, unit price and seller per line at checkout (DESIGN §2); its
events, payments' invoice drafts and credit notes, notifications and parcels all carry
the same five facts. One frozen type in the bottom layer keeps them from drifting into
near-copies, and one JSON form is what outbox payloads, invoice snapshots and
notification payloads store.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shop.common.money import to_money

ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class SaleLine:
    item_id: int
    seller_id: int
    title: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity

    def to_json(self) -> dict[str, Any]:
        # Amounts as strings: JSON carries no floats (DESIGN §2 Money).
        return {
            "item_id": self.item_id,
            "seller_id": self.seller_id,
            "title": self.title,
            "quantity": self.quantity,
            "unit_price": str(to_money(self.unit_price)),
            "line_total": str(to_money(self.line_total)),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "SaleLine":
        return cls(
            item_id=int(data["item_id"]),
            # Notification payloads stored before lines carried their seller lack it.
            seller_id=int(data.get("seller_id") or 0),
            title=data["title"],
            quantity=int(data["quantity"]),
            unit_price=to_money(data["unit_price"]),
        )


def lines_total(lines: Iterable[SaleLine]) -> Decimal:
    return sum((line.line_total for line in lines), ZERO)


def seller_shares(lines: Iterable[SaleLine]) -> dict[int, Decimal]:
    """Each seller's share of the lines, keyed by seller id in ascending order."""
    shares: dict[int, Decimal] = {}
    for line in lines:
        shares[line.seller_id] = shares.get(line.seller_id, ZERO) + line.line_total
    return dict(sorted(shares.items()))


def lines_to_json(lines: Iterable[SaleLine]) -> list[dict[str, Any]]:
    return [line.to_json() for line in lines]


def lines_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[SaleLine, ...]:
    return tuple(SaleLine.from_json(line) for line in data)
