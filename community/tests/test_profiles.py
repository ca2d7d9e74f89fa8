import pytest

from community import services


@pytest.fixture
def reviewed_bob(buy, alice, carol, bob):
    services.review_parcel(parcel_id=buy(alice, bob)["parcel"], buyer_id=alice.user_id, rating=5, text="Great")
    services.review_parcel(parcel_id=buy(carol, bob)["parcel"], buyer_id=carol.user_id, rating=4)
    return bob


def test_profile_api(api_client, reviewed_bob, make_item):
    make_item(reviewed_bob, title="Lamp")

    body = api_client.get("/api/v1/sellers/bob/").json()

    assert body["username"] == "bob" and body["display_name"] == "bob"
    assert (body["rating"], body["rating_count"]) == ("4.5", 2)
    assert body["histogram"] == {"1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    assert body["completed_sales"] == 2
    assert body["median_ship_seconds"] is not None and body["typical_shipping"] == "within a day"
    # Sold-out listings stay on sale (as in browse): the two bought things and the lamp.
    assert body["active_listings"] == 3
    assert [card["title"] for card in body["listings"]["results"]] == ["Lamp", "Bought thing", "Bought thing"]
    assert body["listings"]["results"][0]["seller_rating"] == "★ 4.5 (2)"
    assert [r["rating"] for r in body["latest_reviews"]] == [4, 5]


def test_unknown_and_deactivated_sellers_are_404(api_client, bob, client):
    from accounts import services as accounts_services

    assert api_client.get("/api/v1/sellers/nobody/").status_code == 404
    accounts_services.deactivate_user(user_id=bob.user_id, actor_id=0)
    assert api_client.get("/api/v1/sellers/bob/").status_code == 404
    assert client.get("/sellers/bob/").status_code == 404


def test_a_new_seller_has_an_empty_profile(api_client, bob):
    body = api_client.get("/api/v1/sellers/bob/").json()
    assert (body["rating"], body["rating_count"], body["completed_sales"], body["median_ship_seconds"]) == (
        None,
        0,
        0,
        None,
    )


def test_reviews_api_is_paginated(api_client, reviewed_bob):
    body = api_client.get("/api/v1/sellers/bob/reviews/?page_size=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]


def test_profile_page(client, reviewed_bob, make_item):
    make_item(reviewed_bob, title="Lamp")

    html = client.get("/sellers/bob/").content.decode()

    assert "★ 4.5" in html and "from 2 reviews" in html
    assert "Great" in html and "Lamp" in html and "within a day" in html


def test_seller_sees_a_reply_form_on_their_profile(client_as, reviewed_bob):
    html = client_as(reviewed_bob).get("/sellers/bob/").content.decode()
    assert "Reply publicly (once)" in html


@pytest.mark.parametrize("count", [1, 30])
def test_profile_page_costs_a_constant_number_of_queries(
    client_as, alice, reviewed_bob, make_item, django_assert_num_queries, count
):
    for n in range(count):
        make_item(reviewed_bob, title=f"Thing {n}")
    client = client_as(alice)
    client.get("/sellers/bob/")  # the category tree is cached from here on

    # session, user, the bell's unread count, account, rating row, completed sales, ship
    # delays, active count, listings count, listings page, latest reviews.
    with django_assert_num_queries(11):
        response = client.get("/sellers/bob/")
    assert len(response.context["page"].object_list) == min(count + 2, 24)


def test_item_page_links_the_seller_with_the_rating(client, reviewed_bob, make_item, django_assert_num_queries):
    item = make_item(reviewed_bob, title="Lamp")
    client.get(f"/items/{item}/")

    with django_assert_num_queries(1):  # the item with its seller, rating row and category
        html = client.get(f"/items/{item}/").content.decode()
    assert 'href="/sellers/bob/"' in html and "★ 4.5 (2)" in html
