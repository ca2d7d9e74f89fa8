from decimal import Decimal

import pytest

from catalogue import services as catalogue_services
from community import services
from community.models import Favourite

FAVOURITES = "/api/v1/favourites/"


def _count(item_id: int) -> int:
    return catalogue_services.get_favourite_counts(item_ids=[item_id])[item_id]


def test_adding_twice_keeps_one_favourite_and_counts_once(alice, phone):
    first = services.add_favourite(user_id=alice.user_id, item_id=phone)
    second = services.add_favourite(user_id=alice.user_id, item_id=phone)

    assert first == second == services.FavouriteState(item_id=phone, favourited=True, favourite_count=1)
    assert Favourite.objects.filter(item_id=phone).count() == 1


def test_removing_is_idempotent_and_uncounts(alice, carol, phone):
    services.add_favourite(user_id=alice.user_id, item_id=phone)
    services.add_favourite(user_id=carol.user_id, item_id=phone)

    services.remove_favourite(user_id=alice.user_id, item_id=phone)
    state = services.remove_favourite(user_id=alice.user_id, item_id=phone)

    assert state == services.FavouriteState(item_id=phone, favourited=False, favourite_count=1)
    assert _count(phone) == 1


def test_own_items_cannot_be_favourited(bob, phone):
    with pytest.raises(services.OwnItem):
        services.add_favourite(user_id=bob.user_id, item_id=phone)
    assert _count(phone) == 0 and not Favourite.objects.exists()


@pytest.mark.parametrize(("status", "code"), [("hidden", 404), ("withdrawn", 409)])
def test_hidden_and_withdrawn_items_are_refused(api_as, alice, phone, set_item, status, code):
    set_item(phone, status=status)

    response = api_as(alice).post(FAVOURITES, {"item_id": phone})

    assert response.status_code == code
    assert "code" in response.json()
    assert not Favourite.objects.exists() and _count(phone) == 0


def test_unknown_item_is_404(api_as, alice):
    assert api_as(alice).post(FAVOURITES, {"item_id": 999999}).status_code == 404


@pytest.mark.parametrize(
    "payload",
    # 2**63 is one past the largest BIGINT: the database would fail on it (fuzzing found the 500).
    [{}, {"item_id": ""}, {"item_id": "x"}, {"item_id": 0}, {"item_id": "1\x00"}, {"item_id": 2**63}],
)
def test_bad_item_ids_are_400(api_as, alice, payload):
    response = api_as(alice).post(FAVOURITES, payload)
    assert response.status_code == 400
    assert "item_id" in response.json()


def test_api_add_list_and_delete(api_as, alice, phone):
    client = api_as(alice)

    added = client.post(FAVOURITES, {"item_id": phone})
    again = client.post(FAVOURITES, {"item_id": phone})
    listed = client.get(FAVOURITES).json()
    removed = client.delete(FAVOURITES, {"item_id": phone})

    assert added.status_code == again.status_code == 200
    assert added.json() == {"item_id": phone, "favourited": True, "favourite_count": 1}
    assert listed["count"] == 1
    assert listed["results"][0]["item_id"] == phone
    assert listed["results"][0]["item"]["title"] == "Phone"
    assert listed["results"][0]["item"]["favourite_count"] == 1
    assert removed.json() == {"item_id": phone, "favourited": False, "favourite_count": 0}
    assert client.get(FAVOURITES).json()["count"] == 0


def test_delete_by_query_parameter(api_as, alice, phone):
    services.add_favourite(user_id=alice.user_id, item_id=phone)
    assert api_as(alice).delete(f"{FAVOURITES}?item_id={phone}").json()["favourited"] is False


def test_anonymous_gets_401(api_client, phone):
    assert api_client.post(FAVOURITES, {"item_id": phone}).status_code == 401
    assert api_client.get(FAVOURITES).status_code == 401


def test_list_costs_constant_queries(api_as, alice, bob, make_item, django_assert_num_queries):
    for n in range(5):
        services.add_favourite(user_id=alice.user_id, item_id=make_item(bob, title=f"T{n}"))
    client = api_as(alice)
    # count, favourites page, cards (category tree is cached by then).
    client.get(FAVOURITES)
    with django_assert_num_queries(3):
        client.get(FAVOURITES)


# --- Pages ---------------------------------------------------------------------------------


def test_heart_form_without_javascript_toggles_and_goes_back(client_as, alice, phone):
    client = client_as(alice)

    response = client.post("/favourites/toggle/", {"item_id": phone}, HTTP_REFERER=f"/items/{phone}/")

    assert response.status_code == 302 and response["Location"] == f"/items/{phone}/"
    assert _count(phone) == 1
    client.post("/favourites/toggle/", {"item_id": phone})
    assert _count(phone) == 0


def test_heart_with_htmx_returns_the_new_heart(client_as, alice, phone):
    response = client_as(alice).post("/favourites/toggle/", {"item_id": phone}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="heart-{phone}"' in html and 'aria-pressed="true"' in html
    assert '<span class="heart-count">1</span>' in html


def test_heart_of_a_hidden_item_is_404(client_as, alice, phone, set_item):
    set_item(phone, status="hidden")
    assert client_as(alice).post("/favourites/toggle/", {"item_id": phone}).status_code == 404
    assert _count(phone) == 0


@pytest.mark.parametrize("item_id", ["", "x", "0", "-3", "١٢", str(2**63)])
def test_heart_of_no_item_is_404(client_as, alice, item_id):
    assert client_as(alice).post("/favourites/toggle/", {"item_id": item_id}).status_code == 404
    assert not Favourite.objects.exists()


def test_visitors_are_sent_to_log_in(client, phone):
    response = client.post("/favourites/toggle/", {"item_id": phone})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_hearts_fragment_marks_the_viewers_favourites(client_as, alice, bob, phone, make_item):
    other = make_item(bob, title="Other")
    services.add_favourite(user_id=alice.user_id, item_id=phone)

    html = client_as(alice).get(f"/favourites/hearts/?ids={phone},{other},junk,{2**63},٣").content.decode()

    assert f'id="heart-{phone}"' in html and 'hx-swap-oob="true"' in html
    assert f'id="heart-{other}"' not in html


def test_favourites_page_lists_cards(client_as, alice, phone):
    services.add_favourite(user_id=alice.user_id, item_id=phone)
    html = client_as(alice).get("/favourites/").content.decode()
    assert "Phone" in html and f'href="/items/{phone}/"' in html


def test_browse_cards_show_count_and_heart(client_as, alice, carol, phone):
    services.add_favourite(user_id=carol.user_id, item_id=phone)

    html = client_as(alice).get("/items/").content.decode()

    assert f'id="heart-{phone}"' in html and '<span class="heart-count">1</span>' in html
    assert f"/favourites/hearts/?ids={phone}" in html


def test_item_page_shows_the_favourite_count(client, carol, phone):
    services.add_favourite(user_id=carol.user_id, item_id=phone)
    html = client.get(f"/items/{phone}/").content.decode()
    assert "1 person has this in their favourites" in html


def test_price_is_untouched_by_favourites(alice, phone):
    services.add_favourite(user_id=alice.user_id, item_id=phone)
    assert catalogue_services.get_item_snapshots(item_ids=[phone])[phone].unit_price == Decimal("100.00")
