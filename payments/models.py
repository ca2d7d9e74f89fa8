from django.conf import settings
from django.db import models
from django.db.models import Q

from shop.common.money import MoneyField


class Wallet(models.Model):
    """A balance of credits. One per user, plus the system treasury and escrow shards.

    The treasury issues credits (opening balances, top-ups, adjustments), so its balance
    is minus everything in circulation and the sum of all balances is always zero:
    money is neither created nor lost (DESIGN §2 Wallets). Escrow holds what buyers paid
    until their parcels settle; it is split into ESCROW_SHARDS wallets, chosen by order
    id, so concurrent payments do not all queue on one row lock.
    """

    class Kind(models.TextChoices):
        USER = "user", "User"
        TREASURY = "treasury", "Treasury"
        ESCROW = "escrow", "Escrow"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.USER)
    shard = models.PositiveSmallIntegerField(null=True, blank=True)
    balance = MoneyField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        permissions = [("adjust_wallet", "Can adjust a wallet through a ledger transfer")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="treasury") | Q(balance__gte=0), name="payments_wallet_balance_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind="treasury", user__isnull=True)
                | Q(kind="escrow", user__isnull=True, shard__isnull=False)
                | Q(kind="user", user__isnull=False),
                name="payments_wallet_owner_matches_kind_v2",
            ),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="treasury"), name="payments_single_treasury"),
            models.UniqueConstraint(fields=["shard"], condition=Q(kind="escrow"), name="payments_one_escrow_per_shard"),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.USER:
            return f"wallet of user {self.user_id}"
        return self.kind if self.shard is None else f"{self.kind} {self.shard}"


class Transfer(models.Model):
    """One line of the append-only ledger: credits moved from one wallet to another."""

    class Kind(models.TextChoices):
        OPENING = "opening", "Opening balance"
        TOP_UP = "top_up", "Top-up"
        PAYMENT = "payment", "Order payment (into escrow)"
        ADJUSTMENT = "adjustment", "Moderator adjustment"
        RELEASE = "release", "Escrow released to the seller"
        REFUND = "refund", "Escrow refunded to the buyer"

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


# --- Invoices ------------------------------------------------------------------------


class InvoiceCounter(models.Model):
    """The last invoice number given in a year (DESIGN §2 Invoices: gap-free per year).

    Its row is locked last in the global lock order (STYLE §2.5) inside the pay
    transaction, so a rolled-back payment gives its number back and none is skipped.
    """

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Invoice(models.Model):
    """One per paid order: an immutable snapshot, rendered to PDF by a Celery task.

    The snapshot (buyer, sellers, lines, totals, payment time) never changes once
    written: save() refuses updates, and the render task changes only the rendering
    columns (status, pdf, attempts...) through queryset updates.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    # Snapshot
    order_id = models.BigIntegerField(unique=True)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=20, unique=True)
    total = MoneyField()
    paid_at = models.DateTimeField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    # Rendering
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    pdf = models.FileField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    # When a render task was last queued: the retry sweep re-queues only stale ones.
    queued_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="payments_invoice_unique_year_sequence"),
            models.CheckConstraint(condition=Q(sequence__gt=0), name="payments_invoice_sequence_positive"),
        ]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("An invoice is immutable: change its rendering through the invoice services.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("An invoice cannot be deleted: every paid order keeps its invoice.")


# --- Escrow --------------------------------------------------------------------------


class Hold(models.Model):
    """One seller's share of a paid order, held in escrow until its parcel settles.

    Released to the seller, or refunded to the buyer (a partial refund releases the rest
    to the seller): either way exactly once, because settling moves the status away from
    `held` under the row lock. The sum of held amounts equals the escrow balance.
    """

    class Status(models.TextChoices):
        HELD = "held", "Held"
        RELEASED = "released", "Released to the seller"
        REFUNDED = "refunded", "Refunded"

    reference = models.CharField(max_length=64, unique=True)  # "parcel:<id>", given by orders
    order_id = models.BigIntegerField(db_index=True)
    escrow = models.ForeignKey(Wallet, on_delete=models.PROTECT, related_name="+")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount = MoneyField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    refunded_amount = MoneyField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_hold_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=models.F("amount")),
                name="payments_hold_refund_within_amount",
            ),
        ]
        indexes = [
            # A seller's held credits (the wallet's `held`): a small partial index.
            models.Index(fields=["seller"], condition=Q(status="held"), name="payments_hold_held_by_seller"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount} ({self.status})"


class CreditNoteCounter(models.Model):
    """The last credit note number given in a year: CN-YYYY-NNNNNN, gap-free like invoices."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class CreditNote(models.Model):
    """One per refund: an immutable snapshot of what was refunded, rendered to PDF like
    an invoice (the order's invoice itself never changes)."""

    Status = Invoice.Status

    hold = models.OneToOneField(Hold, on_delete=models.PROTECT, related_name="credit_note")
    order_id = models.BigIntegerField(db_index=True)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    number = models.CharField(max_length=20, unique=True)
    amount = MoneyField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    pdf = models.FileField(max_length=200, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="payments_credit_note_unique_year_sequence"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_credit_note_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A credit note is immutable: change its rendering through the payments services.")
        super().save(*args, **kwargs)
