"""Events published by orders (STYLE §2.3) and their JSON form.

Two channels: the `order_transitioned` signal, sent after commit with send_robust for
in-process listeners, and an outbox message on the topic `ORDER_TRANSITIONED`, written in
the transition's own transaction, which consumers in other apps receive at least once
(DESIGN §2 Delivery of consequences). The JSON form below is the one both share.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.dispatch import Signal
from django.utils.dateparse import parse_datetime

from shop.common.lines import SaleLine, lines_from_json, lines_to_json
from shop.common.money import to_money

ORDER_TRANSITIONED = "orders.order_transitioned"
PARCEL_TRANSITIONED = "orders.parcel_transitioned"


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
    lines: tuple[SaleLine, ...]

    @property
    def seller_ids(self) -> tuple[int, ...]:
        return tuple(sorted({line.seller_id for line in self.lines}))

    def to_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "buyer_id": self.buyer_id,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "reason": self.reason,
            "actor_id": self.actor_id,
            "occurred_at": self.occurred_at.isoformat(),
            "total": str(to_money(self.total)),
            "lines": lines_to_json(self.lines),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "OrderTransition":
        return cls(
            order_id=int(data["order_id"]),
            buyer_id=int(data["buyer_id"]),
            from_status=data["from_status"] or "",
            to_status=data["to_status"],
            reason=data.get("reason") or "",
            actor_id=data.get("actor_id"),
            occurred_at=parse_datetime(data["occurred_at"]),
            total=to_money(data["total"]),
            lines=lines_from_json(data.get("lines", ())),
        )


@dataclass(frozen=True, slots=True)
class ParcelTransition:
    """A parcel moved (DESIGN §2 Fulfilment); buyer and seller are told what concerns them."""

    parcel_id: int
    order_id: int
    buyer_id: int
    seller_id: int
    from_status: str
    to_status: str
    reason: str
    actor_id: int | None
    occurred_at: datetime
    total: Decimal
    refunded_amount: Decimal
    carrier: str
    tracking_code: str
    lines: tuple[SaleLine, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "parcel_id": self.parcel_id,
            "order_id": self.order_id,
            "buyer_id": self.buyer_id,
            "seller_id": self.seller_id,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "reason": self.reason,
            "actor_id": self.actor_id,
            "occurred_at": self.occurred_at.isoformat(),
            "total": str(to_money(self.total)),
            "refunded_amount": str(to_money(self.refunded_amount)),
            "carrier": self.carrier,
            "tracking_code": self.tracking_code,
            "lines": lines_to_json(self.lines),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ParcelTransition":
        return cls(
            parcel_id=int(data["parcel_id"]),
            order_id=int(data["order_id"]),
            buyer_id=int(data["buyer_id"]),
            seller_id=int(data["seller_id"]),
            from_status=data["from_status"] or "",
            to_status=data["to_status"],
            reason=data.get("reason") or "",
            actor_id=data.get("actor_id"),
            occurred_at=parse_datetime(data["occurred_at"]),
            total=to_money(data["total"]),
            refunded_amount=to_money(data.get("refunded_amount") or "0"),
            carrier=data.get("carrier") or "",
            tracking_code=data.get("tracking_code") or "",
            lines=lines_from_json(data.get("lines", ())),
        )


# kwargs: transition: OrderTransition
order_transitioned = Signal()
