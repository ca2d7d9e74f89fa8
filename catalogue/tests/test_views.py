from decimal import Decimal

import pytest

from catalogue.models import Category, Item
from catalogue.tests.conftest import image_upload


@pytest.fixture
def shelf(alice, bob, item_of, tree):
    return {
        "phone": item_of(bob, title="Android phone", price=Decimal("120.00"), quantity=2),
        "radio": item_of(bob, title="Radio", price=Decimal("35.00"), category=tree["audio"], quantity=1, reserved=1),
        "lamp": item_of(alice, title="Desk lamp", price=Decimal("18.00"), category=tree["electronics"]),
        "gone": item_of(bob, title="Old phone", status="withdrawn"),
    }


def titles(response):
    return [item.title for item in response.context["page"].object_list]


# --- Home and browse ------------------------------------------------------------------------


def test_home_shows_latest_active_items(client, shelf):
    response = client.get("/")

    assert response.status_code == 200
    assert [i.title for i in response.context["items"]] == ["Desk lamp", "Radio", "Android phone"]
    assert b"Old phone" not in response.content


def test_browse_page_filters_and_orders(client, shelf):
    response = client.get("/items/?category=electronics&price_max=100&ordering=price")

    assert response.status_code == 200
    assert titles(response) == ["Desk lamp", "Radio"]
    assert b"2 items" in response.content


def test_browse_page_shows_the_error_and_keeps_the_other_filters(client, shelf):
    response = client.get("/items/?price_min=abc&category=audio&ordering=cheapest")

    assert response.status_code == 200
    assert set(response.context["errors"]) == {"price_min", "ordering"}
    assert titles(response) == ["Radio"]
    assert b"Some filters were not understood" in response.content
    assert b"Enter a number." in response.content


def test_browse_page_truncates_a_very_long_search(client, shelf):
    response = client.get("/items/?q=phone" + "+" * 9000 + "radio")

    assert response.status_code == 200
    assert response.context["truncated"] is True
    assert b"shortened to 200 characters" in response.content
    assert titles(response) == ["Android phone"]


def test_browse_page_shows_what_was_asked_escaped_and_checks_in_stock_only_when_true(client, shelf):
    content = client.get('/items/?seller="><script>&in_stock=false').content.decode()

    assert 'value="&quot;&gt;&lt;script&gt;"' in content
    assert "<script>" not in content.split("<main", 1)[1]
    assert 'value="true">' in content and "checked" not in content


def test_browse_page_explains_a_null_character_instead_of_failing(client, shelf):
    response = client.get("/items/?q=phone%00&category=electronics")

    assert response.status_code == 200
    assert b"Null characters are not allowed." in response.content
    assert titles(response) == ["Desk lamp", "Radio", "Android phone"]


@pytest.mark.parametrize(("page", "shown"), [("-1", 2), ("99999", 2), ("abc", 1), ("0", 2)])
def test_browse_page_falls_back_for_a_bad_page_number(client, alice, item_of, page, shown):
    for n in range(30):
        item_of(alice, title=f"Thing {n}")

    response = client.get(f"/items/?page={page}")

    assert response.status_code == 200
    assert response.context["page"].number == shown


@pytest.mark.parametrize("count", [1, 24, 60])
def test_browse_page_uses_a_constant_number_of_queries(
    client_as, alice, bob, item_of, django_assert_num_queries, count
):
    for n in range(count):
        item_of(bob, title=f"Phone {n}")
    client = client_as(alice)

    # session, user, unread notifications (base.html bell), category tree, count, page.
    with django_assert_num_queries(6):
        response = client.get("/items/?category=electronics&in_stock=on&ordering=-price")
    assert len(response.context["page"].object_list) == min(count, 24)


@pytest.mark.parametrize("count", [1, 60])
def test_anonymous_browse_page_uses_three_queries(client, bob, item_of, django_assert_num_queries, count):
    for n in range(count):
        item_of(bob, title=f"Phone {n}")

    # category tree, count, page: no session or user query for a visitor without a cookie.
    with django_assert_num_queries(3):
        response = client.get("/items/?price_min=1&ordering=title")
    assert len(response.context["page"].object_list) == min(count, 24)


def test_buyers_own_items_are_marked_in_browse(client_as, alice, shelf):
    response = client_as(alice).get("/items/")

    content = response.content.decode()
    assert content.count("Your listing") == 1
    assert titles(response) == ["Desk lamp", "Radio", "Android phone"]


def test_browse_shows_an_item_of_a_category_newer_than_the_cached_tree(client, bob, item_of, tree):
    client.get("/items/")  # the tree is cached now
    # bulk_create skips Category.save, which is what clears the cache: as when another
    # process with its own local-memory cache added the category.
    (games,) = Category.objects.bulk_create([Category(slug="games", name="Board games", parent=tree["books"])])
    item_of(bob, title="Chess set", category=games)

    response = client.get("/items/")

    assert response.status_code == 200
    assert "Board games · bob" in response.content.decode()


def test_item_text_is_shown_escaped(client, bob, item_of):
    item = item_of(bob, title="<script>alert(1)</script>", description="<b>bold</b> & more")

    for url in ("/items/", f"/items/{item.pk}/", "/"):
        content = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in content
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in client.get(f"/items/{item.pk}/").content.decode()


# --- Item page ------------------------------------------------------------------------------------


def test_item_page_shows_seller_availability_and_add_to_cart(client_as, alice, shelf):
    response = client_as(alice).get(f"/items/{shelf['phone'].pk}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Sold by <strong>bob</strong>" in content
    assert "2 available" in content
    assert 'action="/cart/add/"' in content and 'hx-post="/cart/add/"' in content
    assert f'name="item_id" value="{shelf["phone"].pk}"' in content
    assert 'name="quantity"' in content and 'id="cart-feedback"' in content


def test_own_item_page_says_your_listing_instead_of_the_button(client_as, alice, shelf):
    content = client_as(alice).get(f"/items/{shelf['lamp'].pk}/").content.decode()

    assert "Your listing" in content
    assert "/cart/add/" not in content


def test_sold_out_item_has_no_button(client, shelf):
    content = client.get(f"/items/{shelf['radio'].pk}/").content.decode()

    assert "Sold out" in content and "/cart/add/" not in content


def test_withdrawn_item_page_is_404_to_others_and_visible_to_its_seller(client, client_as, bob, alice, shelf):
    url = f"/items/{shelf['gone'].pk}/"

    assert client.get(url).status_code == 404
    assert client_as(alice).get(url).status_code == 404
    assert client_as(bob).get(url).status_code == 200


# --- Selling pages ----------------------------------------------------------------------------------


def test_sell_pages_need_login(client, shelf):
    for url in ("/sell/", "/sell/new/", f"/sell/{shelf['lamp'].pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_sell_new_puts_an_item_on_sale(client_as, alice, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = {
        "title": "Bike",
        "description": "Red",
        "category": "phones",
        "price": "150",
        "quantity": "1",
        "picture": image_upload("PNG"),
    }

    response = client_as(alice).post("/sell/new/", data)

    item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/items/{item.pk}/"
    assert (item.title, item.price, item.seller_id, item.category.slug) == (
        "Bike",
        Decimal("150.00"),
        alice.user_id,
        "phones",
    )
    assert item.picture.name.endswith(".png") and item.thumbnail.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price": "abc"}, "price"),
        ({"price": "0"}, "price"),
        ({"category": "nope"}, "category"),
        ({"title": ""}, "title"),
    ],
)
def test_sell_new_shows_form_errors(client_as, alice, tree, changes, field):
    data = {"title": "Bike", "category": "phones", "price": "5", "quantity": "1", **changes}

    response = client_as(alice).post("/sell/new/", data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Item.objects.count() == 0


def test_sell_new_refuses_a_non_image_picture(client_as, alice, tree):
    data = {"title": "Bike", "category": "phones", "price": "5", "quantity": "1", "picture": image_upload("GIF")}

    response = client_as(alice).post("/sell/new/", data)

    assert response.status_code == 400
    assert "picture" in response.context["form"].errors
    assert Item.objects.count() == 0


def test_sell_edit_refuses_quantity_below_reserved(client_as, alice, item_of):
    item = item_of(alice, title="Lamp", quantity=5, reserved=3)
    data = {"title": "Lamp 2", "category": "phones", "price": "10", "quantity": "2"}

    response = client_as(alice).post(f"/sell/{item.pk}/edit/", data)

    assert response.status_code == 400
    assert response.context["form"].errors["quantity"] == [
        "3 units are reserved by unpaid orders: the quantity cannot be lower."
    ]
    item.refresh_from_db()
    assert (item.title, item.quantity) == ("Lamp", 5)


def test_sell_edit_saves_changes(client_as, alice, item_of):
    item = item_of(alice, title="Lamp", quantity=5, reserved=3)
    data = {"title": "Lamp 2", "category": "audio", "price": "11.50", "quantity": "3", "description": "Bright"}

    response = client_as(alice).post(f"/sell/{item.pk}/edit/", data)

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.category.slug, item.price, item.quantity, item.description) == (
        "Lamp 2",
        "audio",
        Decimal("11.50"),
        3,
        "Bright",
    )


def test_other_sellers_items_are_404_on_sell_pages(client_as, bob, shelf):
    lamp = shelf["lamp"]
    client = client_as(bob)

    assert client.get(f"/sell/{lamp.pk}/edit/").status_code == 404
    assert client.post(f"/sell/{lamp.pk}/withdraw/").status_code == 404
    assert Item.objects.get(pk=lamp.pk).status == "active"


def test_withdraw_and_relist_from_the_sell_page(client_as, alice, shelf):
    lamp = shelf["lamp"]
    client = client_as(alice)

    assert client.get(f"/sell/{lamp.pk}/withdraw/").status_code == 405
    client.post(f"/sell/{lamp.pk}/withdraw/")
    assert Item.objects.get(pk=lamp.pk).status == "withdrawn"
    client.post(f"/sell/{lamp.pk}/relist/")
    assert Item.objects.get(pk=lamp.pk).status == "active"


@pytest.mark.parametrize("count", [1, 30])
def test_sell_list_shows_every_status_with_counters(client_as, alice, item_of, django_assert_num_queries, count):
    for n in range(count):
        item_of(
            alice, title=f"Thing {n}", quantity=4, reserved=1, sold=2, status=["active", "withdrawn", "hidden"][n % 3]
        )
    client = client_as(alice)

    # session, user, unread notifications (base.html bell), count, page.
    with django_assert_num_queries(5):
        response = client.get("/sell/")

    assert response.status_code == 200
    content = response.content.decode()
    assert len(response.context["page"].object_list) == min(count, 25)
    assert '<td class="num">4</td>' in content and '<td class="num">1</td>' in content
    if count > 1:
        assert "Withdrawn" in content and "Hidden by a moderator" in content


def test_large_browse_counts_are_cached_briefly_and_rows_stay_live(client, bob, item_of, settings, monkeypatch):
    monkeypatch.setattr("catalogue.pagination.COUNT_CACHE_MIN", 3)
    for n in range(3):
        item_of(bob, title=f"Phone {n}")
    assert client.get("/items/").context["page"].paginator.count == 3

    item_of(bob, title="Phone 3")
    response = client.get("/items/")

    # The count lags by up to CATALOGUE_COUNT_CACHE_SECONDS; the rows never do.
    assert response.context["page"].paginator.count == 3
    assert titles(response)[0] == "Phone 3"
    settings.CATALOGUE_COUNT_CACHE_SECONDS = 0
    assert client.get("/items/").context["page"].paginator.count == 4


def test_small_browse_counts_are_always_exact(client, bob, item_of):
    item_of(bob, title="Phone 0")
    assert client.get("/items/").context["page"].paginator.count == 1

    item_of(bob, title="Phone 1")

    assert client.get("/items/").context["page"].paginator.count == 2
