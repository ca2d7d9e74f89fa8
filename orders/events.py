"""Signals published by orders, always after commit, with send_robust (STYLE §2.3).

Listeners only enqueue work, so a failing listener never undoes a committed transition.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.dispatch import Signal


@dataclass(frozen=True, slots=True)
class TransitionLine:
    item_id: int
    seller_id: int
    title: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class OrderTransition:
    order_id: int
    buyer_id: int
    from_status: str
    to_status: str
    reason: str
    actor_id: int | None
    occurred_at: datetime
    total: Decimal
    lines: tuple[TransitionLine, ...]

    @property
    def seller_ids(self) -> tuple[int, ...]:
        return tuple(sorted({line.seller_id for line in self.lines}))


# kwargs: transition: OrderTransition
order_transitioned = Signal()
