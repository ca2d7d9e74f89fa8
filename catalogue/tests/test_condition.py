"""Item condition (issue 15 part 5): chosen when selling, shown on cards and the item page,
filterable in browse (page and API) by repeated parameter or comma list."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from catalogue import services
from catalogue.browse import BrowseFilters, read_filters
from catalogue.models import Item

ITEMS = "/api/v1/items/"


@pytest.fixture
def worn(bob, item_of, tree):
    """One item per condition, newest last in this list (so newest first in browse)."""
    return {
        condition: item_of(bob, title=f"Lamp {condition}", condition=condition, price=Decimal(price))
        for condition, price in [("new", "40.00"), ("like_new", "30.00"), ("good", "20.00"), ("fair", "10.00")]
    }


def ids(response):
    return [row["id"] for row in response.json()["results"]]


# --- Reading the filter ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("condition=new", ("new",)),
        ("condition=fair&condition=new", ("new", "fair")),
        ("condition=fair,new", ("new", "fair")),
        ("condition=+fair+,+like_new", ("like_new", "fair")),
        ("condition=good,good&condition=good", ("good",)),
        ("condition=new,,good,", ("new", "good")),
        ("condition=", ()),
        ("condition=,", ()),
    ],
)
def test_conditions_are_read_from_repeated_parameters_and_comma_lists(query, expected):
    filters, errors = read_filters(QueryDict(query), categories={})

    assert (filters.condition, errors) == (expected, {})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("mint", "Unknown condition “mint”: use new, like_new, good or fair."),
        ("NEW", "Unknown condition “NEW”: use new, like_new, good or fair."),
        ("new,broken", "Unknown condition “broken”: use new, like_new, good or fair."),
        ("<b>x</b>", "Unknown condition “<b>x</b>”: use new, like_new, good or fair."),
        ("new\x00", "Null characters are not allowed."),
        ("x" * 10_000, "Use at most 100 characters (this has 10,000)."),
    ],
)
def test_a_bad_condition_is_an_error_naming_it_and_filters_nothing(value, message):
    params = QueryDict(mutable=True)
    params.setlist("condition", [value])
    params["ordering"] = "price"

    filters, errors = read_filters(params, categories={})

    assert errors == {"condition": [message]}
    assert filters == BrowseFilters(ordering="price")


def test_the_matching_key_holds_the_conditions_in_one_order():
    one, _ = read_filters(QueryDict("condition=new,fair"), categories={})
    other, _ = read_filters(QueryDict("condition=fair&condition=new"), categories={})
    none, _ = read_filters(QueryDict(""), categories={})

    assert one.matching_key == other.matching_key != none.matching_key


# --- API ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["fair", "good", "like_new", "new"]),
        ("condition=new", ["new"]),
        ("condition=new,like_new", ["like_new", "new"]),
        ("condition=fair&condition=good&ordering=-price", ["good", "fair"]),
        ("condition=new,like_new,good,fair", ["fair", "good", "like_new", "new"]),
        ("condition=fair&q=lamp", ["fair"]),
    ],
)
def test_browse_api_filters_by_condition(api_client, worn, query, expected):
    response = api_client.get(f"{ITEMS}?{query}")

    assert response.status_code == 200
    assert ids(response) == [worn[c].pk for c in expected]
    assert [row["condition"] for row in response.json()["results"]] == expected


@pytest.mark.parametrize("value", ["mint", "new%2Cmint", "%3Cscript%3E", "new%00", "x" * 10_000, "new&condition=used"])
def test_browse_api_bad_condition_is_400_json(api_client, worn, value):
    response = api_client.get(f"{ITEMS}?condition={value}")

    assert response.status_code == 400
    assert list(response.json()) == ["condition"]
    assert response["Content-Type"] == "application/json"


def test_browse_api_with_conditions_uses_a_constant_number_of_queries(
    api_client, bob, item_of, django_assert_num_queries
):
    for n in range(30):
        item_of(bob, title=f"Lamp {n}", condition=["new", "fair"][n % 2])

    # categories, count, page.
    with django_assert_num_queries(3):
        response = api_client.get(f"{ITEMS}?condition=new,fair&page_size=25")
    assert len(response.json()["results"]) == 25


def test_seller_lists_with_a_condition_and_it_defaults_to_good(api_as, alice, tree):
    client = api_as(alice)
    base = {"title": "Camera", "category": "audio", "price": "10", "quantity": 1}

    chosen = client.post(ITEMS, {**base, "condition": "like_new"})
    default = client.post(ITEMS, base)

    assert (chosen.status_code, chosen.json()["condition"]) == (201, "like_new")
    assert (default.status_code, default.json()["condition"]) == (201, "good")
    assert list(Item.objects.order_by("pk").values_list("condition", flat=True)) == ["like_new", "good"]


@pytest.mark.parametrize("value", ["mint", "", "<b>new</b>", "new\x00", "x" * 10_000, "Like new"])
def test_a_bad_condition_when_selling_is_400_and_creates_nothing(api_as, alice, tree, value):
    data = {"title": "Camera", "category": "audio", "price": "10", "quantity": 1, "condition": value}

    response = api_as(alice).post(ITEMS, data, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["condition"]
    assert Item.objects.count() == 0


def test_seller_changes_the_condition_with_patch(api_as, alice, item_of):
    item = item_of(alice, title="Lamp", condition="new")
    client = api_as(alice)

    changed = client.patch(f"{ITEMS}{item.pk}/", {"condition": "fair"}, format="json")
    refused = client.patch(f"{ITEMS}{item.pk}/", {"condition": "broken"}, format="json")

    assert (changed.status_code, changed.json()["condition"]) == (200, "fair")
    assert (refused.status_code, list(refused.json())) == (400, ["condition"])
    item.refresh_from_db()
    assert item.condition == "fair"


def test_item_detail_api_shows_the_condition(api_client, bob, item_of):
    item = item_of(bob, title="Lamp", condition="like_new")

    assert api_client.get(f"{ITEMS}{item.pk}/").json()["condition"] == "like_new"


# --- Services -------------------------------------------------------------------------------


def test_services_refuse_an_unknown_condition_and_change_nothing(alice, item_of, tree):
    item = item_of(alice, title="Lamp", condition="good")

    with pytest.raises(services.InvalidInput) as created:
        services.create_item(
            seller_id=alice.user_id, title="X", category_slug="audio", price="1", quantity=1, condition="mint"
        )
    with pytest.raises(services.InvalidInput) as updated:
        services.update_item(item_id=item.pk, seller_id=alice.user_id, condition="mint")

    assert (created.value.field, updated.value.field) == ("condition", "condition")
    item.refresh_from_db()
    assert (Item.objects.count(), item.condition) == (1, "good")


# --- Pages -----------------------------------------------------------------------------------


def test_browse_page_filters_by_condition_with_checkboxes(client, worn):
    response = client.get("/items/?condition=new&condition=fair")

    assert response.status_code == 200
    assert [row.id for row in response.context["page"].object_list] == [worn["fair"].pk, worn["new"].pk]
    content = response.content.decode()
    assert 'name="condition" value="new" checked' in content
    assert 'name="condition" value="fair" checked' in content
    assert 'name="condition" value="good">' in content
    # The cards say each item's condition.
    assert '<span class="condition">Fair</span>' in content and '<span class="condition">New</span>' in content


def test_browse_page_shows_a_bad_condition_escaped_and_applies_the_other_filters(client, worn):
    response = client.get("/items/?condition=%3Cscript%3Ex&ordering=price")

    assert response.status_code == 200
    assert response.context["errors"] == {
        "condition": ["Unknown condition “<script>x”: use new, like_new, good or fair."]
    }
    content = response.content.decode()
    assert "Unknown condition “&lt;script&gt;x”" in content
    assert "<script>x" not in content
    assert [row.id for row in response.context["page"].object_list] == [
        worn[c].pk for c in ("fair", "good", "like_new", "new")
    ]


def test_browse_page_with_conditions_uses_a_constant_number_of_queries(client, bob, item_of, django_assert_num_queries):
    for n in range(40):
        item_of(bob, title=f"Lamp {n}", condition=["good", "like_new"][n % 2])

    # category tree, count, page.
    with django_assert_num_queries(3):
        response = client.get("/items/?condition=good&condition=like_new&ordering=price")
    assert len(response.context["page"].object_list) == 24


def test_item_page_shows_the_condition(client, bob, item_of):
    item = item_of(bob, title="Lamp", condition="like_new")

    content = client.get(f"/items/{item.pk}/").content.decode()

    assert "Condition: <strong>Like new</strong>" in content


def test_sell_form_offers_the_conditions_and_saves_the_choice(client_as, alice, tree):
    client = client_as(alice)
    form = client.get("/sell/new/").content.decode()
    data = {"title": "Bike", "category": "phones", "price": "5", "quantity": "1", "condition": "fair"}

    response = client.post("/sell/new/", data)

    assert '<option value="good" selected>Good</option>' in form
    assert response.status_code == 302
    assert Item.objects.get().condition == "fair"


@pytest.mark.parametrize("value", ["mint", "<b>x</b>", "x" * 10_000])
def test_sell_form_refuses_a_bad_condition_with_a_message(client_as, alice, tree, value):
    data = {"title": "Bike", "category": "phones", "price": "5", "quantity": "1", "condition": value}

    response = client_as(alice).post("/sell/new/", data)

    assert response.status_code == 400
    assert response.context["form"].errors["condition"] == [
        f"Select a valid choice. {value} is not one of the available choices."
    ]
    assert Item.objects.count() == 0


def test_sell_edit_keeps_and_changes_the_condition(client_as, alice, item_of):
    item = item_of(alice, title="Lamp", condition="like_new")
    client = client_as(alice)

    form = client.get(f"/sell/{item.pk}/edit/").content.decode()
    data = {"title": "Lamp", "category": "phones", "price": "10", "quantity": "5", "condition": "good"}
    response = client.post(f"/sell/{item.pk}/edit/", data)

    assert '<option value="like_new" selected>Like new</option>' in form
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.condition == "good"
