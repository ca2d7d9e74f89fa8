"""Events community publishes through the outbox (its consumers live in notifications)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MESSAGE_POSTED = "community.message_posted"


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
