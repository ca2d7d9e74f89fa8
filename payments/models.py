from django.conf import settings
from django.db import models
from django.db.models import Q

from shop.common.money import MoneyField


class Wallet(models.Model):
    """A balance of credits. One per user, plus the system treasury.

    The treasury issues credits (opening balances, top-ups, adjustments), so its balance
    is minus everything in circulation and the sum of all balances is always zero:
    money is neither created nor lost (DESIGN §2 Wallets).
    """

    class Kind(models.TextChoices):
        USER = "user", "User"
        TREASURY = "treasury", "Treasury"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.USER)
    balance = MoneyField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        permissions = [("adjust_wallet", "Can adjust a wallet through a ledger transfer")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="treasury") | Q(balance__gte=0), name="payments_wallet_balance_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind="treasury", user__isnull=True) | Q(kind="user", user__isnull=False),
                name="payments_wallet_owner_matches_kind",
            ),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="treasury"), name="payments_single_treasury"),
        ]

    def __str__(self) -> str:
        return "treasury" if self.kind == self.Kind.TREASURY else f"wallet of user {self.user_id}"


class Transfer(models.Model):
    """One line of the append-only ledger: credits moved from one wallet to another."""

    class Kind(models.TextChoices):
        OPENING = "opening", "Opening balance"
        TOP_UP = "top_up", "Top-up"
        PAYMENT = "payment", "Order payment"
        ADJUSTMENT = "adjustment", "Moderator adjustment"

    source = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="outgoing")
    destination = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="incoming")
    amount = MoneyField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reference = models.CharField(max_length=64, blank=True, db_index=True)
    memo = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_transfer_amount_positive"),
            models.CheckConstraint(condition=~Q(source=models.F("destination")), name="payments_transfer_two_wallets"),
        ]
        indexes = [
            models.Index(fields=["source", "-created_at"]),
            models.Index(fields=["destination", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} #{self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The ledger is append-only: a transfer cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("The ledger is append-only: a transfer cannot be deleted.")
