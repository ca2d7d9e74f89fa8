from django.conf import settings
from django.db import models
from django.db.models import F, Q

from shop.common.money import MoneyField


class Category(models.Model):
    """A two-level tree: top categories and their subcategories."""

    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """A listing: units of one thing a seller offers.

    `reserved` units are held by unpaid orders; `available = quantity - reserved`.
    The counters only change through conditional UPDATEs in catalogue.services, and the
    database checks `0 <= reserved <= quantity` as the last guard against oversell.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        WITHDRAWN = "withdrawn", "Withdrawn"
        HIDDEN = "hidden", "Hidden by a moderator"

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = MoneyField()
    quantity = models.PositiveIntegerField(default=1)
    reserved = models.PositiveIntegerField(default=0)
    sold = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="catalogue_item_price_positive"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="catalogue_item_reserved_non_negative"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("quantity")), name="catalogue_item_reserved_within_quantity"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def available(self) -> int:
        return self.quantity - self.reserved
