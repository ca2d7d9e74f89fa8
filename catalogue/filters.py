"""Browse filters (DESIGN §3), shared by the /items/ page and GET items/.

Strict: a value that is not understood is a form error (400 in the API), never ignored.
"""

import django_filters
from django import forms
from django.db.models import F, QuerySet
from django_filters import rest_framework as filters

from accounts import services as accounts_services
from catalogue import selectors

ORDERING_CHOICES = [
    ("-created_at", "Newest first"),
    ("price", "Price: low to high"),
    ("-price", "Price: high to low"),
    ("title", "Title: A to Z"),
]


class StrictBooleanField(forms.Field):
    """`true`/`false` (and 1/0, yes/no); anything else is an error, unlike NullBooleanField."""

    TRUE = {"true", "1", "yes", "on"}
    FALSE = {"false", "0", "no", "off"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError("Use true or false.", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    # Not the rest_framework BooleanFilter: its widget turns unknown values into None silently.
    field_class = StrictBooleanField


class ItemFilter(filters.FilterSet):
    q = filters.CharFilter(method="filter_q", max_length=selectors.MAX_QUERY_LENGTH, label="Search")
    category = filters.ChoiceFilter(method="filter_category", label="Category", empty_label="All categories")
    price_min = filters.NumberFilter(
        field_name="price", lookup_expr="gte", min_value=0, max_digits=14, decimal_places=2, label="Min price"
    )
    price_max = filters.NumberFilter(
        field_name="price", lookup_expr="lte", min_value=0, max_digits=14, decimal_places=2, label="Max price"
    )
    seller = filters.CharFilter(method="filter_seller", max_length=150, label="Seller")
    in_stock = StrictBooleanFilter(method="filter_in_stock", label="In stock only")
    ordering = filters.ChoiceFilter(
        choices=ORDERING_CHOICES, method="keep", label="Sort by", empty_label="Best match / newest"
    )

    def __init__(self, data=None, queryset=None, *, request=None, categories=None, for_page=False):
        self.for_page = for_page
        self.tree = categories if categories is not None else selectors.category_tree()
        self.nodes = selectors.categories_by_slug(self.tree)
        super().__init__(data, queryset if queryset is not None else selectors.browsable_items(), request=request)
        choices = []
        for top in self.tree:
            choices.append((top.slug, top.name))
            choices.extend((child.slug, f"\u2003{child.name}") for child in top.children)
        self.filters["category"].extra["choices"] = choices

    @property
    def form(self):
        form = super().form
        if not self.for_page:
            return form
        form.fields["in_stock"].widget = forms.CheckboxInput()
        form.fields["price_min"].widget.attrs.update(placeholder="0.00", step="0.01")
        form.fields["price_max"].widget.attrs.update(placeholder="any", step="0.01")
        form.fields["q"].widget.attrs.update(type="search", placeholder="Search titles and descriptions")
        return form

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return selectors.search(queryset, value)

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # A top category includes its subcategories (DESIGN §3); ids come from the tree
        # already loaded, so this costs no query.
        return queryset.filter(category_id__in=self.nodes[value].subtree_ids)

    def filter_seller(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        seller_id = accounts_services.find_user_id(username=value.strip())
        return queryset.filter(seller_id=seller_id) if seller_id is not None else queryset.none()

    def filter_in_stock(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is True:
            return queryset.filter(quantity__gt=F("reserved"))
        return queryset

    def keep(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset  # applied last, in filter_queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        return selectors.order(queryset, data.get("ordering"), searched=bool((data.get("q") or "").strip()))
