from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from shop.common.money import MoneyField

ACTIVE = Q(status="active")
TREE_CACHE_KEY = "catalogue:category-tree:v1"


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
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # The tree is cached for every browse request (catalogue.selectors.category_tree).
        cache.delete(TREE_CACHE_KEY)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete(TREE_CACHE_KEY)
        return result

    def clean(self) -> None:
        # Two levels only (issue 3): a parent must be a top category, and a category
        # that has children cannot itself move under another one.
        if self.parent_id is None:
            return
        if self.parent_id == self.pk:
            raise ValidationError({"parent": "A category cannot be its own parent."})
        if self.parent.parent_id is not None:
            raise ValidationError({"parent": "Choose a top category: the tree has two levels."})
        if self.pk and self.children.exists():
            raise ValidationError({"parent": "This category has subcategories, so it must stay a top category."})


def picture_path(item: "Item", filename: str) -> str:
    return f"items/{item.seller_id}/{filename}"


def thumbnail_path(item: "Item", filename: str) -> str:
    return f"items/{item.seller_id}/thumbs/{filename}"


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

    class Condition(models.TextChoices):
        NEW = "new", "New"
        LIKE_NEW = "like_new", "Like new"
        GOOD = "good", "Good"
        FAIR = "fair", "Fair"

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    price = MoneyField()
    quantity = models.PositiveIntegerField(default=1)
    reserved = models.PositiveIntegerField(default=0)
    sold = models.PositiveIntegerField(default=0)
    # How many people keep this item in their favourites: community moves it with F()
    # in the favourite's own transaction (catalogue.services.count_favourite), so cards
    # show it without another query.
    favourite_count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    condition = models.CharField(max_length=10, choices=Condition.choices, default=Condition.GOOD)
    picture = models.ImageField(upload_to=picture_path, blank=True, max_length=255)
    thumbnail = models.ImageField(upload_to=thumbnail_path, blank=True, max_length=255, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Title (weight A) and description (B) as a tsvector, kept by a PostgreSQL trigger
    # (migration 0005) so search and ranking read it instead of re-parsing every match.
    # Unused, and always empty, on SQLite.
    search_document = SearchVectorField(null=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="catalogue_item_price_positive"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="catalogue_item_reserved_non_negative"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("quantity")), name="catalogue_item_reserved_within_quantity"
            ),
            models.CheckConstraint(
                condition=Q(condition__in=["new", "like_new", "good", "fair"]), name="catalogue_item_condition_known"
            ),
        ]
        # Browse (DESIGN §3) only ever reads active items, so its indexes are partial:
        # one per ordering, and one per (category, ordering) for the category filter.
        # Price ranges ride the price indexes; the seller's listings the seller index.
        # The condition filter has its own (condition, newest) index: it serves the count
        # (index-only) and the newest-first page of one or a few conditions.
        # The full-text GIN index is PostgreSQL-only and lives in migration 0002.
        indexes = [
            models.Index(fields=["-created_at", "-id"], condition=ACTIVE, name="cat_item_active_newest"),
            models.Index(fields=["price", "id"], condition=ACTIVE, name="cat_item_active_price"),
            models.Index(fields=["title", "id"], condition=ACTIVE, name="cat_item_active_title"),
            models.Index(fields=["category", "-created_at", "-id"], condition=ACTIVE, name="cat_item_cat_newest"),
            models.Index(fields=["category", "price", "id"], condition=ACTIVE, name="cat_item_cat_price"),
            models.Index(fields=["seller", "-created_at", "-id"], name="cat_item_seller_newest"),
            models.Index(fields=["condition", "-created_at", "-id"], condition=ACTIVE, name="cat_item_cond_newest"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def available(self) -> int:
        return self.quantity - self.reserved
