"""Community's rows: favourites, conversations and messages, reviews, reports.

Items, orders and parcels belong to other apps: they are referred to by id with the
snapshot a page needs (STYLE §2.3); users by the one allowed cross-app FK.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

USER = settings.AUTH_USER_MODEL
MAX_MESSAGE_LENGTH = 2000
MAX_REVIEW_LENGTH = 2000
MAX_REPORT_LENGTH = 2000


# --- Favourites ---------------------------------------------------------------------------


class Favourite(models.Model):
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    item_id = models.BigIntegerField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "item_id"], name="community_one_favourite_per_item")]
        indexes = [models.Index(fields=["user", "-created_at", "-id"], name="community_fav_user_newest")]

    def __str__(self) -> str:
        return f"user {self.user_id} ♥ item {self.item_id}"


# --- Conversations ------------------------------------------------------------------------


class Conversation(models.Model):
    """One private thread per (item, buyer) between the buyer and the item's seller.

    Unread counters per side move with F() in the message's transaction, so the inbox and
    the nav bar read a number instead of counting messages.
    """

    item_id = models.BigIntegerField()
    item_title = models.CharField(max_length=200)
    buyer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    seller = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_message_at = models.DateTimeField()
    buyer_unread = models.PositiveIntegerField(default=0)
    seller_unread = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item_id", "buyer"], name="community_one_conversation_per_item_buyer"),
            # The seller cannot be their own buyer (issue 15: not on one's own item).
            models.CheckConstraint(condition=~Q(buyer=models.F("seller")), name="community_conversation_two_people"),
        ]
        indexes = [
            models.Index(fields=["buyer", "-last_message_at"], name="community_conv_buyer"),
            models.Index(fields=["seller", "-last_message_at"], name="community_conv_seller"),
        ]

    def __str__(self) -> str:
        return f"about “{self.item_title}” (buyer {self.buyer_id}, seller {self.seller_id})"


class Message(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=MAX_MESSAGE_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    # Hidden by a moderator (after a report): shown as "removed by a moderator".
    hidden = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["conversation", "created_at", "id"], name="community_msg_thread")]

    def __str__(self) -> str:
        return f"message {self.pk} in conversation {self.conversation_id}"


# --- Reviews ------------------------------------------------------------------------------


class Review(models.Model):
    """A buyer's rating of the seller of one completed parcel (issue 15 part 2)."""

    parcel_id = models.BigIntegerField(unique=True)  # one review per parcel, by the database
    order_id = models.BigIntegerField(db_index=True)
    buyer = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    seller = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True, max_length=MAX_REVIEW_LENGTH)
    created_at = models.DateTimeField()
    edited_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True, max_length=MAX_REVIEW_LENGTH)
    replied_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1) & Q(rating__lte=5), name="community_review_one_to_five"),
            models.CheckConstraint(condition=~Q(buyer=models.F("seller")), name="community_review_not_self"),
        ]
        indexes = [models.Index(fields=["seller", "-created_at", "-id"], name="community_review_seller")]

    def __str__(self) -> str:
        return f"{self.rating}★ for seller {self.seller_id} (parcel {self.parcel_id})"


# --- Reports and moderation -----------------------------------------------------------------


class Report(models.Model):
    class Target(models.TextChoices):
        ITEM = "item", "Listing"
        REVIEW = "review", "Review"
        MESSAGE = "message", "Message"

    class Reason(models.TextChoices):
        SPAM = "spam", "Spam or advertising"
        SCAM = "scam", "Scam or fraud"
        OFFENSIVE = "offensive", "Offensive or abusive"
        PROHIBITED = "prohibited", "Prohibited item"
        MISLEADING = "misleading", "Misleading or wrong"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACTIONED = "actioned", "Actioned"
        DISMISSED = "dismissed", "Dismissed"

    reporter = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    target_type = models.CharField(max_length=10, choices=Target.choices)
    target_id = models.BigIntegerField()
    # Who wrote or sells the reported thing, for "deactivate the user".
    target_owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    target_excerpt = models.CharField(max_length=300)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    text = models.TextField(blank=True, max_length=MAX_REPORT_LENGTH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"], name="community_one_report_per_reporter_target"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="community_report_queue")]

    def __str__(self) -> str:
        return f"report of {self.target_type} {self.target_id} ({self.get_reason_display()})"


class ModerationAction(models.Model):
    """Every moderator action on a report or its target: who, when, what (issue 15 part 6)."""

    class Action(models.TextChoices):
        HIDE_TARGET = "hide_target", "Hid the reported content"
        DISMISS = "dismiss", "Dismissed the report"
        DEACTIVATE_USER = "deactivate_user", "Deactivated the user"
        HIDE_REVIEW = "hide_review", "Hid a review"
        SHOW_REVIEW = "show_review", "Showed a review again"

    moderator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions")
    target_type = models.CharField(max_length=10)
    target_id = models.BigIntegerField()
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.target_type} {self.target_id}) by {self.moderator_id}"
