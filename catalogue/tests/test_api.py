from decimal import Decimal

import pytest

from catalogue import services
from catalogue.models import Item
from catalogue.tests.conftest import image_upload

ITEMS = "/api/v1/items/"
MINE = "/api/v1/items/mine/"


def ids(response):
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def catalogue(alice, bob, item_of, tree):
    """Six items: four of bob's, two of alice's, across the tree; one withdrawn, one hidden."""
    return {
        "phone": item_of(bob, title="Android phone", description="Cracked screen", price=Decimal("120.00"), quantity=1),
        "radio": item_of(bob, title="Radio", description="Shortwave", price=Decimal("35.00"), category=tree["audio"]),
        "novel": item_of(
            bob, title="Crime novel", price=Decimal("4.50"), category=tree["fiction"], quantity=2, reserved=2
        ),
        "lamp": item_of(alice, title="Desk lamp", price=Decimal("18.00"), category=tree["electronics"]),
        "gone": item_of(bob, title="Old phone", status="withdrawn"),
        "hidden": item_of(alice, title="Fake phone", status="hidden"),
    }


# --- Browse --------------------------------------------------------------------------------


def test_browse_lists_active_items_newest_first_to_anyone(api_client, catalogue):
    response = api_client.get(ITEMS)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert ids(response) == [catalogue[k].pk for k in ("lamp", "novel", "radio", "phone")]
    phone = body["results"][3]
    assert phone == {
        "id": catalogue["phone"].pk,
        "title": "Android phone",
        "category": {"slug": "phones", "name": "Phones"},
        "price": "120.00",
        "available": 1,
        "status": "active",
        "condition": "good",
        "seller": "bob",
        "seller_id": catalogue["phone"].seller_id,
        "thumbnail": None,
        "created_at": phone["created_at"],
        "favourite_count": 0,
        "seller_rating": {"average": None, "count": 0},
        "is_own": False,
    }


def test_list_and_detail_show_the_sellers_stars_and_the_favourite_count(
    api_client, catalogue, django_assert_num_queries
):
    from django.db import transaction

    from accounts import services as accounts_services

    phone = catalogue["phone"]
    with transaction.atomic():
        for stars in (5, 4, 4):
            accounts_services.record_rating(seller_id=phone.seller_id, added=stars)
    for _ in range(2):
        services.count_favourite(item_id=phone.pk, delta=1)
    expected = {"favourite_count": 2, "seller_rating": {"average": "4.3", "count": 3}}

    api_client.get(ITEMS)  # caches the category tree
    with django_assert_num_queries(2):  # count and page: the stars ride on the page's LEFT JOIN
        listed = next(r for r in api_client.get(ITEMS).json()["results"] if r["id"] == phone.pk)
    detail = api_client.get(f"{ITEMS}{phone.pk}/").json()

    assert {key: listed[key] for key in expected} == expected
    assert {key: detail[key] for key in expected} == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("category=electronics", ["lamp", "radio", "phone"]),
        ("category=audio", ["radio"]),
        ("price_min=18&price_max=35", ["lamp", "radio"]),
        ("price_min=35.00", ["radio", "phone"]),
        ("seller=bob", ["novel", "radio", "phone"]),
        ("seller=BOB&category=electronics&price_max=100", ["radio"]),
        ("seller=nobody", []),
        ("in_stock=true", ["lamp", "radio", "phone"]),
        ("in_stock=false", ["lamp", "novel", "radio", "phone"]),
        ("ordering=price", ["novel", "lamp", "radio", "phone"]),
        ("ordering=-price", ["phone", "radio", "lamp", "novel"]),
        ("ordering=title", ["phone", "novel", "lamp", "radio"]),
        ("ordering=-created_at&in_stock=true&category=electronics", ["lamp", "radio", "phone"]),
        ("q=phone", ["phone"]),
        ("q=shortwave", ["radio"]),
        ("q=phone&category=books", []),
    ],
)
def test_browse_filters_combine(api_client, catalogue, query, expected):
    response = api_client.get(f"{ITEMS}?{query}")

    assert response.status_code == 200
    assert ids(response) == [catalogue[k].pk for k in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("price_min=abc", "price_min"),
        ("price_max=-1", "price_max"),
        ("price_min=NaN", "price_min"),
        ("price_min=1e400", "price_min"),
        ("ordering=seller", "ordering"),
        ("category=no-such-thing", "category"),
        ("in_stock=maybe", "in_stock"),
        ("price_min=1.234", "price_min"),
        ("q=" + "x" * 10_000, "q"),
        ("q=bike%00", "q"),
        ("seller=bob%00", "seller"),
        ("page=-1", "page"),
        ("page=99999", "page"),
        ("page=abc", "page"),
    ],
)
def test_browse_bad_input_is_400_naming_the_field(api_client, catalogue, query, field):
    response = api_client.get(f"{ITEMS}?{query}")

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_browse_paginates_with_page_size(api_client, alice, item_of):
    for n in range(7):
        item_of(alice, title=f"Thing {n}")

    first = api_client.get(f"{ITEMS}?page_size=3").json()
    last = api_client.get(f"{ITEMS}?page_size=3&page=3").json()

    assert (first["count"], len(first["results"]), first["previous"]) == (7, 3, None)
    assert first["next"].endswith("page=2&page_size=3")
    assert [r["title"] for r in last["results"]] == ["Thing 0"]
    assert last["next"] is None


@pytest.mark.parametrize("size", [1, 20, 100])
def test_browse_uses_a_constant_number_of_queries(api_client, bob, item_of, django_assert_num_queries, size):
    for n in range(size):
        item_of(bob, title=f"Phone {n}")

    # categories (the tree, for the category filter), count, page.
    with django_assert_num_queries(3):
        response = api_client.get(f"{ITEMS}?page_size={size}&category=electronics&price_max=50")
    assert len(response.json()["results"]) == size


def test_buyers_own_items_are_shown_and_marked(api_as, alice, catalogue):
    results = api_as(alice).get(ITEMS).json()["results"]

    assert {r["title"]: r["is_own"] for r in results} == {
        "Desk lamp": True,
        "Crime novel": False,
        "Radio": False,
        "Android phone": False,
    }


def test_html_in_item_text_is_returned_as_written(api_client, bob, item_of):
    item = item_of(bob, title="<script>alert(1)</script>", description="<b>bold</b>")

    body = api_client.get(f"{ITEMS}{item.pk}/").json()

    assert (body["title"], body["description"]) == ("<script>alert(1)</script>", "<b>bold</b>")


def test_categories_are_a_tree(api_client, tree):
    response = api_client.get("/api/v1/categories/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": tree["electronics"].pk,
            "slug": "electronics",
            "name": "Electronics",
            "children": [
                {"id": tree["phones"].pk, "slug": "phones", "name": "Phones", "children": []},
                {"id": tree["audio"].pk, "slug": "audio", "name": "Audio", "children": []},
            ],
        },
        {
            "id": tree["books"].pk,
            "slug": "books",
            "name": "Books",
            "children": [{"id": tree["fiction"].pk, "slug": "fiction", "name": "Fiction", "children": []}],
        },
    ]


# --- One item -------------------------------------------------------------------------------


def test_hidden_and_withdrawn_items_are_404_to_others(api_client, api_as, bob, catalogue):
    for key in ("hidden", "gone"):
        assert api_client.get(f"{ITEMS}{catalogue[key].pk}/").status_code == 404
    assert api_as(bob).get(f"{ITEMS}{catalogue['hidden'].pk}/").status_code == 404
    assert api_client.get(f"{ITEMS}999999/").status_code == 404


def test_hidden_item_is_visible_to_its_seller_and_moderators(api_as, alice, moderator, catalogue):
    url = f"{ITEMS}{catalogue['hidden'].pk}/"

    own = api_as(alice).get(url)
    moderated = api_as(moderator).get(url)

    assert (own.status_code, own.json()["status"], own.json()["reserved"]) == (200, "hidden", 0)
    assert (moderated.status_code, moderated.json()["status"]) == (200, "hidden")
    assert "reserved" not in moderated.json()


# --- Selling ----------------------------------------------------------------------------------


def test_seller_lists_an_item_with_a_picture(api_as, alice, tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    response = api_as(alice).post(
        ITEMS,
        {
            "title": "Camera",
            "description": "Film",
            "category": "audio",
            "price": "99.90",
            "quantity": "2",
            "picture": image_upload("JPEG", size=(1600, 1200)),
        },
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["title"], body["price"], body["quantity"], body["reserved"], body["sold"], body["available"]) == (
        "Camera",
        "99.90",
        2,
        0,
        0,
        2,
    )
    assert body["picture"].endswith(".jpg") and body["thumbnail"].endswith(".jpg")
    item = Item.objects.get(pk=body["id"])
    assert item.seller_id == alice.user_id
    from PIL import Image

    with Image.open(item.thumbnail.path) as thumb:
        assert thumb.size == (400, 300)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"price": "0"}, "price"),
        ({"price": "abc"}, "price"),
        ({"price": "1.234"}, "price"),
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "many"}, "quantity"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"category": "nope"}, "category"),
    ],
)
def test_bad_listing_is_400_and_creates_nothing(api_as, alice, tree, payload, field):
    data = {"title": "Camera", "category": "audio", "price": "10", "quantity": 1, **payload}

    response = api_as(alice).post(ITEMS, data)

    assert response.status_code == 400
    assert field in response.json()
    assert Item.objects.count() == 0


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(lambda: image_upload("GIF"), id="gif"),
        pytest.param(lambda: image_upload("BMP", name="photo.jpg"), id="bmp-named-jpg"),
        pytest.param(
            lambda: __import__("django.core.files.uploadedfile").core.files.uploadedfile.SimpleUploadedFile(
                "photo.png", b"not an image", content_type="image/png"
            ),
            id="not-an-image",
        ),
    ],
)
def test_picture_must_be_jpeg_png_or_webp(api_as, alice, tree, upload, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = {"title": "Camera", "category": "audio", "price": "10", "quantity": 1, "picture": upload()}

    response = api_as(alice).post(ITEMS, data, format="multipart")

    assert response.status_code == 400
    assert list(response.json()) == ["picture"]
    assert Item.objects.count() == 0


def test_picture_over_5_mb_is_refused(api_as, alice, tree, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr("catalogue.pictures.MAX_PICTURE_BYTES", 10)
    data = {"title": "Camera", "category": "audio", "price": "10", "quantity": 1, "picture": image_upload("WEBP")}

    response = api_as(alice).post(ITEMS, data, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"picture": ["The picture is larger than 5 MB."]}


def test_selling_needs_authentication(api_client, tree):
    response = api_client.post(ITEMS, {"title": "X", "category": "audio", "price": "1", "quantity": 1})

    assert response.status_code == 401
    assert Item.objects.count() == 0


def test_seller_edits_own_item(api_as, alice, item_of, tree):
    item = item_of(alice, title="Lamp", quantity=4, reserved=1)

    response = api_as(alice).patch(f"{ITEMS}{item.pk}/", {"price": "7.25", "quantity": 1, "category": "fiction"})

    assert response.status_code == 200
    body = response.json()
    assert (body["price"], body["quantity"], body["reserved"], body["available"], body["category"]["slug"]) == (
        "7.25",
        1,
        1,
        0,
        "fiction",
    )


def test_quantity_below_reserved_is_400_and_changes_nothing(api_as, alice, item_of):
    item = item_of(alice, title="Lamp", quantity=4, reserved=3)

    response = api_as(alice).patch(f"{ITEMS}{item.pk}/", {"quantity": 2, "title": "Changed"})

    assert response.status_code == 400
    assert response.json() == {"quantity": ["3 units are reserved by unpaid orders: the quantity cannot be lower."]}
    item.refresh_from_db()
    assert (item.quantity, item.reserved, item.title) == (4, 3, "Lamp")


def test_other_users_item_is_404_for_edit_and_withdraw(api_as, alice, bob, item_of):
    item = item_of(alice, title="Lamp")

    assert api_as(bob).patch(f"{ITEMS}{item.pk}/", {"title": "Mine now"}).status_code == 404
    assert api_as(bob).delete(f"{ITEMS}{item.pk}/").status_code == 404
    item.refresh_from_db()
    assert (item.title, item.status) == ("Lamp", "active")


def test_delete_withdraws_and_patch_relists(api_as, alice, item_of):
    item = item_of(alice, title="Lamp")
    client = api_as(alice)

    deleted = client.delete(f"{ITEMS}{item.pk}/")
    assert (deleted.status_code, deleted.json()["status"]) == (200, "withdrawn")
    assert Item.objects.filter(pk=item.pk).exists()
    assert client.get(ITEMS).json()["count"] == 0

    relisted = client.patch(f"{ITEMS}{item.pk}/", {"status": "active"})
    assert (relisted.status_code, relisted.json()["status"]) == (200, "active")


def test_seller_cannot_unhide_through_the_api(api_as, alice, item_of):
    item = item_of(alice, status="hidden")

    response = api_as(alice).patch(f"{ITEMS}{item.pk}/", {"status": "active"})

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status"
    assert Item.objects.get(pk=item.pk).status == "hidden"


def test_mine_lists_every_status_with_counters(api_as, alice, bob, catalogue, django_assert_num_queries):
    services.reserve_items(lines=[(catalogue["lamp"].pk, 1)])
    client = api_as(alice)

    with django_assert_num_queries(2):
        response = client.get(MINE)

    assert response.status_code == 200
    rows = {r["title"]: (r["status"], r["quantity"], r["reserved"], r["sold"]) for r in response.json()["results"]}
    assert rows == {"Fake phone": ("hidden", 5, 0, 0), "Desk lamp": ("active", 5, 1, 0)}
    assert api_as(bob).get(MINE).json()["count"] == 4


def test_mine_needs_authentication(api_client):
    assert api_client.get(MINE).status_code == 401
