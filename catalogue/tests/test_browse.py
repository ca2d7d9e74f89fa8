"""catalogue.browse.read_filters: every parameter of DESIGN §3, good and bad values."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from catalogue.browse import BrowseFilters, read_filters
from catalogue.selectors import CategoryNode, categories_by_slug

PHONES = CategoryNode(id=2, slug="phones", name="Phones")
TREE = [CategoryNode(id=1, slug="electronics", name="Electronics", children=(PHONES,))]
CATEGORIES = categories_by_slug(TREE)


def read(query: str):
    return read_filters(QueryDict(query), categories=CATEGORIES)


def test_no_parameters_filter_nothing():
    assert read("") == (BrowseFilters(), {})


def test_every_parameter_is_read():
    filters, errors = read(
        "q=+red+bike+&category=electronics&price_min=5&price_max=19.9&seller=Bob&in_stock=yes&ordering=-price"
    )

    assert errors == {}
    assert filters == BrowseFilters(
        q="red bike",
        category=TREE[0],
        price_min=Decimal("5"),
        price_max=Decimal("19.9"),
        seller="Bob",
        in_stock=True,
        ordering="-price",
    )


@pytest.mark.parametrize(
    ("value", "price"),
    [("0", "0"), ("12.5", "12.5"), (".99", "0.99"), (" 7.00 ", "7.00"), ("999999999999.99", "999999999999.99")],
)
def test_prices_as_the_money_columns_hold_them(value, price):
    filters, errors = read(f"price_min={value}")

    assert (filters.price_min, errors) == (Decimal(price), {})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "Enter a number."),
        ("NaN", "Enter a number."),
        ("Infinity", "Enter a number."),
        ("1e3", "Enter a number."),
        ("1_000", "Enter a number."),
        ("١٢", "Enter a number."),  # digits, but not ASCII ones
        ("-1", "Enter a price of 0 or more."),
        ("1.234", "Use at most 2 decimal places."),
        ("1000000000000", "Enter a price below 1,000,000,000,000."),
    ],
)
def test_a_bad_price_is_an_error_and_filters_nothing(value, message):
    filters, errors = read(f"price_max={value}&category=phones")

    assert errors == {"price_max": [message]}
    assert filters == BrowseFilters(category=PHONES)  # the other filters still apply


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("category=no-such-thing", "category"),
        ("ordering=seller", "ordering"),
        ("ordering=", None),
        ("in_stock=maybe", "in_stock"),
        ("q=" + "x" * 201, "q"),
        ("q=" + "x" * 200, None),
        ("q=a%00b", "q"),
        ("seller=" + "x" * 151, "seller"),
        ("seller=a%00b", "seller"),
    ],
)
def test_values_that_are_not_understood_are_errors(query, field):
    _, errors = read(query)

    assert list(errors) == ([field] if field else [])


@pytest.mark.parametrize(
    ("value", "expected"), [("true", True), ("ON", True), ("1", True), ("no", False), ("0", False)]
)
def test_in_stock_reads_the_usual_spellings(value, expected):
    assert read(f"in_stock={value}")[0].in_stock is expected


def test_the_matching_key_ignores_the_ordering_only():
    newest, _ = read("category=phones&ordering=-created_at")
    cheapest, _ = read("category=phones&ordering=price")
    everything, _ = read("ordering=price")

    assert newest.matching_key == cheapest.matching_key != everything.matching_key


def test_ordering_choices_are_the_orderings_the_query_knows():
    from catalogue.browse import ORDERING_CHOICES
    from catalogue.selectors import ORDERINGS

    assert [value for value, _ in ORDERING_CHOICES] == list(ORDERINGS)
