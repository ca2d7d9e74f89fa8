"""Events community publishes through the outbox (its consumers live in notifications)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MESSAGE_POSTED = "community.message_posted"
REVIEW_POSTED = "community.review_posted"


@dataclass(frozen=True, slots=True)
class MessagePosted:
    message_id: int
    conversation_id: int
    item_id: int
    item_title: str
    sender_id: int
    sender_username: str
    recipient_id: int
    excerpt: str

    @property
    def url(self) -> str:
        return f"/messages/{self.conversation_id}/"

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "conversation_id": self.conversation_id,
            "item_id": self.item_id,
            "item_title": self.item_title,
            "sender_id": self.sender_id,
            "sender_username": self.sender_username,
            "recipient_id": self.recipient_id,
            "excerpt": self.excerpt,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "MessagePosted":
        return cls(
            message_id=int(data["message_id"]),
            conversation_id=int(data["conversation_id"]),
            item_id=int(data["item_id"]),
            item_title=data["item_title"],
            sender_id=int(data["sender_id"]),
            sender_username=data["sender_username"],
            recipient_id=int(data["recipient_id"]),
            excerpt=data["excerpt"],
        )


@dataclass(frozen=True, slots=True)
class ReviewPosted:
    """A buyer reviewed a seller (the seller is told)."""

    review_id: int
    seller_id: int
    seller_username: str
    buyer_username: str
    rating: int
    excerpt: str

    @property
    def url(self) -> str:
        return f"/sellers/{self.seller_username}/reviews/"

    def to_json(self) -> dict[str, Any]:
        return {
            "review_id": self.review_id,
            "seller_id": self.seller_id,
            "seller_username": self.seller_username,
            "buyer_username": self.buyer_username,
            "rating": self.rating,
            "excerpt": self.excerpt,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ReviewPosted":
        return cls(
            review_id=int(data["review_id"]),
            seller_id=int(data["seller_id"]),
            seller_username=data["seller_username"],
            buyer_username=data["buyer_username"],
            rating=int(data["rating"]),
            excerpt=data["excerpt"],
        )
