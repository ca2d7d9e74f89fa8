"""The authorisation matrix for community's routes (issue 15): Alice's conversation,
favourite and review, aimed at by Bob (404, nothing changes) and by anonymous (401 on the
API, the login page on pages). Listed in test_authorization's COVERED_ELSEWHERE."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from community import services as community_services
from orders import services as orders_services
from tests.security.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def social(world: World) -> dict:
    """alice asked carol about her chair, favourited it, and reviewed her completed parcel."""
    posted = community_services.start_conversation(
        item_id=world.carol_item, buyer_id=world.alice.user_id, body="Alice-private-question"
    )
    community_services.add_favourite(user_id=world.alice.user_id, item_id=world.carol_item)
    (parcel,) = orders_services.get_parcels_of_orders(order_ids=[world.paid_order])[world.paid_order]
    orders_services.ship_parcel(parcel_id=parcel.parcel_id, seller_id=world.carol.user_id)
    orders_services.confirm_parcel(parcel_id=parcel.parcel_id, buyer_id=world.alice.user_id)
    review = community_services.review_parcel(parcel_id=parcel.parcel_id, buyer_id=world.alice.user_id, rating=4)
    return {
        "conversation": posted.conversation.conversation_id,
        "parcel": parcel.parcel_id,
        "review": review.review_id,
    }


def _state(world, social) -> tuple:
    thread = community_services.list_messages(
        conversation_id=social["conversation"], user_id=world.alice.user_id, mark_read=False
    )
    review = community_services.get_review(review_id=social["review"])
    favourites = community_services.list_favourites(user_id=world.alice.user_id)
    return (
        [m.body for m in thread[:100]],
        (review.rating, review.text, review.reply),
        [f.item_id for f in favourites[:100]],
    )


def _as(account) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=get_user_model().objects.get(pk=account.user_id))
    return client


API = [
    ("get", "/api/v1/conversations/{conversation}/messages/", None),
    ("post", "/api/v1/conversations/{conversation}/messages/", {"body": "Bob was here"}),
    ("patch", "/api/v1/reviews/{review}/", {"rating": 1}),
    ("post", "/api/v1/parcels/{parcel}/review/", {"rating": 1}),
]


@pytest.mark.parametrize(("method", "path", "body"), API)
def test_api_bob_gets_404_anonymous_401_nothing_changes(world, social, method, path, body):
    url = path.format(**social)
    before = _state(world, social)

    bob = getattr(_as(world.bob), method)(url, body, format="json")
    anonymous = getattr(APIClient(), method)(url, body, format="json")

    assert bob.status_code == 404, bob.content
    assert anonymous.status_code == 401
    assert _state(world, social) == before


def test_only_the_reviewed_seller_replies(world, social):
    url = f"/api/v1/reviews/{social['review']}/reply/"
    assert _as(world.bob).post(url, {"text": "Bob replies"}, format="json").status_code == 404
    assert _as(world.alice).post(url, {"text": "Alice replies"}, format="json").status_code == 404
    assert APIClient().post(url, {"text": "x"}, format="json").status_code == 401


PAGES = [
    ("get", "/messages/{conversation}/", None),
    ("post", "/messages/{conversation}/", {"body": "Bob was here"}),
    ("get", "/parcels/{parcel}/review/", None),
    ("post", "/parcels/{parcel}/review/", {"rating": "1"}),
    ("get", "/reviews/{review}/edit/", None),
    ("post", "/reviews/{review}/edit/", {"rating": "1"}),
    ("post", "/reviews/{review}/reply/", {"text": "Bob replies"}),
]


@pytest.mark.parametrize(("method", "path", "body"), PAGES)
def test_pages_bob_gets_404_anonymous_the_login_page(world, social, client, client_as, method, path, body):
    url = path.format(**social)
    before = _state(world, social)

    anonymous = getattr(client, method)(url, body or {})
    bob = getattr(client_as(world.bob), method)(url, body or {})

    assert bob.status_code == 404
    assert anonymous.status_code == 302 and anonymous["Location"] == f"/accounts/login/?next={url}"
    assert _state(world, social) == before


@pytest.mark.parametrize("url", ["/api/v1/conversations/", "/api/v1/favourites/"])
def test_bobs_lists_are_his_own(world, social, url):
    body = _as(world.bob).get(url).json()
    assert body["count"] == 0
    assert APIClient().get(url).status_code == 401


@pytest.mark.parametrize("url", ["/messages/", "/favourites/"])
def test_bobs_pages_are_his_own(world, social, client_as, url):
    from django.test import Client

    html = client_as(world.bob).get(url).content.decode()
    assert "Alice-private-question" not in html and "Carol&#x27;s chair" not in html
    assert Client().get(url).status_code == 302


def test_members_only_writes(world, social, client):
    anonymous = APIClient()
    assert anonymous.post(f"/api/v1/items/{world.carol_item}/conversations/", {"body": "x"}).status_code == 401
    assert anonymous.post("/api/v1/reports/", {}).status_code == 401
    assert client.post(f"/items/{world.carol_item}/ask/", {"body": "x"}).status_code == 302
    assert client.get(f"/report/item/{world.carol_item}/").status_code == 302
    assert client.post("/favourites/toggle/", {"item_id": world.carol_item}).status_code == 302


def test_public_reads(world, social, client):
    anonymous = APIClient()
    assert anonymous.get("/api/v1/sellers/carol/").status_code == 200
    assert anonymous.get("/api/v1/sellers/carol/reviews/").json()["count"] == 1
    assert anonymous.get(f"/api/v1/reviews/{social['review']}/").status_code == 200
    assert client.get("/sellers/carol/").status_code == 200
    assert client.get("/sellers/carol/reviews/").status_code == 200
    # The nav count and the hearts say nothing to a visitor.
    assert client.get("/messages/unread/").status_code == 204
    assert client.get(f"/favourites/hearts/?ids={world.carol_item}").status_code == 204


def test_bob_sees_none_of_alices_hearts(world, social, client_as):
    html = client_as(world.bob).get(f"/favourites/hearts/?ids={world.carol_item}").content.decode()
    assert html == ""
