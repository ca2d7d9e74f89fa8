"""Private buyer–seller conversations about an item (issue 15 part 3).

One conversation per (item, buyer); the buyer starts it, the seller answers. Only the
two participants read it (moderators too); anyone else gets 404. Each message updates
the other side's unread counter with F() and publishes MESSAGE_POSTED through the outbox
in the same transaction, so the notification and e-mail follow at least once.
"""

from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.utils import timezone

from accounts import services as accounts_services
from catalogue import services as catalogue_services
from community import events
from community.models import MAX_MESSAGE_LENGTH, Conversation, Message
from community.services.data import (
    ConversationNotFound,
    ConversationSummary,
    MessageSummary,
    NotAParticipant,
    OwnItem,
    Posted,
)
from community.services.text import clean_text, excerpt
from outbox import services as outbox_services
from shop.common.pagination import MappedRows
from shop.common.transactions import service_transaction


def start_conversation(*, item_id: int, buyer_id: int, body: str) -> Posted:
    """The buyer's first message about an item (or the next one, if they already asked).

    Refused: an item that is unknown or not on sale, for the buyer's eyes (ItemNotFound,
    404: hidden and withdrawn items are invisible to buyers), one's own item (OwnItem, 409:
    so a seller can never message first), bad text (InvalidInput, 400). Runs in its own
    transaction; the unique (item, buyer) constraint makes two racing first messages
    share one conversation.
    """
    text = clean_text(body, field="body", max_length=MAX_MESSAGE_LENGTH, required=True)
    item = catalogue_services.get_item_snapshots(item_ids=[item_id]).get(item_id)
    if item is None or not item.is_active:
        raise catalogue_services.ItemNotFound()
    if item.seller_id == buyer_id:
        raise OwnItem("This is your listing: buyers start conversations about it.")
    with service_transaction():
        # get_or_create catches the IntegrityError of a racing first message (in its own
        # savepoint) and reads the winner's row.
        conversation, created = Conversation.objects.get_or_create(
            item_id=item_id,
            buyer_id=buyer_id,
            defaults={"seller_id": item.seller_id, "item_title": item.title, "last_message_at": timezone.now()},
        )
        message = _post(conversation, sender_id=buyer_id, text=text)
    return Posted(
        conversation=get_conversation(conversation_id=conversation.pk, user_id=buyer_id),
        message=message,
        created_conversation=created,
    )


def post_message(*, conversation_id: int, sender_id: int, body: str) -> Posted:
    """A participant's reply. Someone else's conversation is ConversationNotFound (404);
    a moderator who is not a participant gets NotAParticipant (403). Runs in its own transaction."""
    text = clean_text(body, field="body", max_length=MAX_MESSAGE_LENGTH, required=True)
    conversation = _readable(conversation_id=conversation_id, user_id=sender_id)
    if sender_id not in (conversation.buyer_id, conversation.seller_id):
        raise NotAParticipant()
    with service_transaction():
        message = _post(conversation, sender_id=sender_id, text=text)
    return Posted(
        conversation=get_conversation(conversation_id=conversation.pk, user_id=sender_id),
        message=message,
        created_conversation=False,
    )


def _post(conversation: Conversation, *, sender_id: int, text: str) -> MessageSummary:
    message = Message.objects.create(conversation=conversation, sender_id=sender_id, body=text)
    to_buyer = sender_id == conversation.seller_id
    counter = "buyer_unread" if to_buyer else "seller_unread"
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=message.created_at, **{counter: F(counter) + 1}
    )
    sender = accounts_services.get_accounts(user_ids=[sender_id])[sender_id]
    recipient_id = conversation.buyer_id if to_buyer else conversation.seller_id
    event = events.MessagePosted(
        message_id=message.pk,
        conversation_id=conversation.pk,
        item_id=conversation.item_id,
        item_title=conversation.item_title,
        sender_id=sender_id,
        sender_username=sender.username,
        recipient_id=recipient_id,
        excerpt=excerpt(text),
    )
    outbox_services.publish(topic=events.MESSAGE_POSTED, payload=event.to_json(), key=f"conversation:{conversation.pk}")
    return MessageSummary(
        message_id=message.pk,
        conversation_id=conversation.pk,
        sender_id=sender_id,
        sender_username=sender.username,
        body=text,
        hidden=False,
        created_at=message.created_at,
    )


def list_conversations(*, user_id: int) -> MappedRows:
    """The user's conversations (as buyer or seller), latest activity first, with the
    viewer's unread count and the last message: one query a page."""
    last = Message.objects.filter(conversation=OuterRef("pk"), hidden=False).order_by("-created_at", "-id")
    rows = (
        Conversation.objects.filter(Q(buyer_id=user_id) | Q(seller_id=user_id))
        .select_related("buyer", "seller")
        .annotate(last_body=Subquery(last.values("body")[:1]))
        .order_by("-last_message_at", "-id")
    )
    return MappedRows(rows, lambda row: _summary(row, viewer_id=user_id))


def get_conversation(*, conversation_id: int, user_id: int) -> ConversationSummary:
    """One conversation for a participant or a moderator; ConversationNotFound for anyone else."""
    return _summary(_readable(conversation_id=conversation_id, user_id=user_id), viewer_id=user_id)


def list_messages(*, conversation_id: int, user_id: int, mark_read: bool = True) -> MappedRows:
    """A conversation's messages, oldest first, for a participant or a moderator
    (ConversationNotFound for anyone else). Reading as a participant marks the thread read."""
    conversation = _readable(conversation_id=conversation_id, user_id=user_id)
    if mark_read:
        mark_conversation_read(conversation_id=conversation.pk, user_id=user_id)
    rows = Message.objects.filter(conversation_id=conversation.pk).select_related("sender").order_by("created_at", "id")
    return MappedRows(rows, _message)


def mark_conversation_read(*, conversation_id: int, user_id: int) -> None:
    """Zero the user's unread counter of one conversation (nothing for a non-participant)."""
    Conversation.objects.filter(pk=conversation_id, buyer_id=user_id, buyer_unread__gt=0).update(buyer_unread=0)
    Conversation.objects.filter(pk=conversation_id, seller_id=user_id, seller_unread__gt=0).update(seller_unread=0)


def get_unread_message_count(*, user_id: int) -> int:
    """Unread messages over all the user's conversations: one SUM over two indexed columns."""
    total = Conversation.objects.filter(Q(buyer_id=user_id) | Q(seller_id=user_id)).aggregate(
        unread=Sum(
            Case(When(buyer_id=user_id, then=F("buyer_unread")), default=F("seller_unread")),
            output_field=IntegerField(),
        )
    )["unread"]
    return total or 0


def get_message(*, message_id: int) -> MessageSummary | None:
    """One message by id, whoever asks (for reports and moderation; not for display)."""
    row = Message.objects.select_related("sender").filter(pk=message_id).first()
    return _message(row) if row else None


def message_visible_to(*, message_id: int, user_id: int) -> bool:
    """Whether the user is a participant of the message's conversation (may report it)."""
    return Message.objects.filter(
        Q(conversation__buyer_id=user_id) | Q(conversation__seller_id=user_id), pk=message_id
    ).exists()


def hide_message(*, message_id: int) -> bool:
    """A moderator hides one message (its text is no longer shown); returns whether it changed."""
    return bool(Message.objects.filter(pk=message_id, hidden=False).update(hidden=True))


def _readable(*, conversation_id: int, user_id: int) -> Conversation:
    conversation = Conversation.objects.select_related("buyer", "seller").filter(pk=conversation_id).first()
    if conversation is None:
        raise ConversationNotFound()
    if user_id in (conversation.buyer_id, conversation.seller_id):
        return conversation
    if accounts_services.is_moderator(user_id=user_id):
        return conversation
    raise ConversationNotFound()


def _summary(row: Conversation, *, viewer_id: int) -> ConversationSummary:
    if viewer_id == row.buyer_id:
        unread = row.buyer_unread
    elif viewer_id == row.seller_id:
        unread = row.seller_unread
    else:
        unread = 0
    return ConversationSummary(
        conversation_id=row.pk,
        item_id=row.item_id,
        item_title=row.item_title,
        buyer_id=row.buyer_id,
        buyer_username=row.buyer.username,
        seller_id=row.seller_id,
        seller_username=row.seller.username,
        created_at=row.created_at,
        last_message_at=row.last_message_at,
        unread=unread,
        last_message=excerpt(getattr(row, "last_body", None) or ""),
    )


def _message(row: Message) -> MessageSummary:
    return MessageSummary(
        message_id=row.pk,
        conversation_id=row.conversation_id,
        sender_id=row.sender_id,
        sender_username=row.sender.username,
        body="" if row.hidden else row.body,
        hidden=row.hidden,
        created_at=row.created_at,
    )
