from decimal import Decimal

import factory

from catalogue.models import Category, Item


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ItemFactory(factory.django.DjangoModelFactory):
    """Needs seller_id (accounts come from the make_user fixture, STYLE §2.9)."""

    class Meta:
        model = Item

    category = factory.SubFactory(CategoryFactory)
    title = factory.Sequence(lambda n: f"Thing {n}")
    description = "A thing in good condition."
    price = Decimal("10.00")
    quantity = 5
