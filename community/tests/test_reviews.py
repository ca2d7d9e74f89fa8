from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import timezone

from accounts import services as accounts_services
from community import services
from community.models import Review

REVIEW = "/api/v1/parcels/{}/review/"


def rating_of(seller):
    return accounts_services.get_seller_ratings(seller_ids=[seller.user_id])[seller.user_id]


@pytest.fixture
def parcel(buy, alice, bob):
    """alice bought from bob; the parcel is completed."""
    return buy(alice, bob)["parcel"]


def test_buyer_reviews_a_completed_parcel_once(api_as, alice, bob, parcel):
    response = api_as(alice).post(REVIEW.format(parcel), {"rating": 4, "text": "Quick and well packed."})
    again = api_as(alice).post(REVIEW.format(parcel), {"rating": 5})

    assert response.status_code == 201
    body = response.json()
    assert (body["rating"], body["text"], body["buyer"], body["seller"]) == (
        4,
        "Quick and well packed.",
        "alice",
        "bob",
    )
    assert again.status_code == 409 and again.json()["code"] == "already_reviewed"
    assert Review.objects.count() == 1
    assert rating_of(bob) == accounts_services.SellerRating(
        seller_id=bob.user_id, count=1, total=4, histogram=(0, 0, 0, 1, 0)
    )


def test_text_is_optional(alice, parcel):
    review = services.review_parcel(parcel_id=parcel, buyer_id=alice.user_id, rating=5)
    assert review.text == "" and review.rating == 5


def test_no_review_before_completion(api_as, buy, alice, bob):
    waiting = buy(alice, bob, complete=False)["parcel"]

    response = api_as(alice).post(REVIEW.format(waiting), {"rating": 5})

    assert response.status_code == 409 and response.json()["code"] == "invalid_status"
    assert not Review.objects.exists() and rating_of(bob).count == 0


def test_no_review_without_a_purchase(api_as, carol, bob, parcel):
    # carol did not buy: someone else's parcel is 404, like an unknown one.
    assert api_as(carol).post(REVIEW.format(parcel), {"rating": 1}).status_code == 404
    assert api_as(carol).post(REVIEW.format(999999), {"rating": 1}).status_code == 404
    assert not Review.objects.exists() and rating_of(bob).count == 0


def test_the_seller_cannot_review_their_own_sale(api_as, bob, parcel):
    assert api_as(bob).post(REVIEW.format(parcel), {"rating": 5}).status_code == 404
    assert not Review.objects.exists()


def test_the_database_refuses_a_self_review_and_a_second_review(alice, bob, parcel):
    from django.db import IntegrityError, transaction

    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            parcel_id=1, order_id=1, buyer_id=bob.user_id, seller_id=bob.user_id, rating=5, created_at=now
        )
    services.review_parcel(parcel_id=parcel, buyer_id=alice.user_id, rating=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(
            parcel_id=parcel, order_id=1, buyer_id=alice.user_id, seller_id=bob.user_id, rating=5, created_at=now
        )


@pytest.mark.parametrize(
    "payload",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": -1},
        {"rating": "five"},
        {"rating": 4.5},
        {},
        {"rating": 5, "text": "x" * 10_240},
        {"rating": 5, "text": "<b>great</b>"},
        {"rating": 5, "text": "nul\x00"},
    ],
)
def test_bad_input_is_400_and_stores_nothing(api_as, alice, bob, parcel, payload):
    response = api_as(alice).post(REVIEW.format(parcel), payload)

    assert response.status_code == 400
    assert set(response.json()) & {"rating", "text"}
    assert not Review.objects.exists() and rating_of(bob).count == 0


def test_author_edits_within_seven_days_then_it_is_frozen(api_as, alice, bob, parcel):
    review = services.review_parcel(parcel_id=parcel, buyer_id=alice.user_id, rating=2, text="Slow.")
    client = api_as(alice)

    edited = client.patch(f"/api/v1/reviews/{review.review_id}/", {"rating": 4, "text": "Slow, but fine."})
    assert edited.status_code == 200 and edited.json()["rating"] == 4
    assert rating_of(bob).histogram == (0, 0, 0, 1, 0) and rating_of(bob).total == 4

    later = timezone.now() + timedelta(days=7, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        frozen = client.patch(f"/api/v1/reviews/{review.review_id}/", {"rating": 1})
    assert frozen.status_code == 409 and frozen.json()["code"] == "review_frozen"
    assert Review.objects.get().rating == 4


def test_others_cannot_edit(api_as, alice, bob, parcel):
    review = services.review_parcel(parcel_id=parcel, buyer_id=alice.user_id, rating=2)
    assert api_as(bob).patch(f"/api/v1/reviews/{review.review_id}/", {"rating": 5}).status_code == 404
    assert Review.objects.get().rating == 2


def test_seller_replies_once(api_as, alice, bob, carol, parcel):
    review = services.review_parcel(parcel_id=parcel, buyer_id=alice.user_id, rating=3)
    url = f"/api/v1/reviews/{review.review_id}/reply/"

    assert api_as(carol).post(url, {"text": "Not mine"}).status_code == 404
    assert api_as(alice).post(url, {"text": "Buyer cannot"}).status_code == 404
    assert api_as(bob).post(url, {"text": ""}).status_code == 400
    first = api_as(bob).post(url, {"text": "Sorry for the delay."})
    second = api_as(bob).post(url, {"text": "Again"})

    assert first.status_code == 200 and first.json()["reply"] == "Sorry for the delay."
    assert second.status_code == 409 and second.json()["code"] == "already_replied"
    assert Review.objects.get().reply == "Sorry for the delay."


def test_hidden_reviews_leave_the_average_and_the_list(api_client, buy, alice, carol, bob, moderator):
    one = services.review_parcel(parcel_id=buy(alice, bob)["parcel"], buyer_id=alice.user_id, rating=1)
    services.review_parcel(parcel_id=buy(carol, bob)["parcel"], buyer_id=carol.user_id, rating=5)

    services.set_review_visibility(review_id=one.review_id, moderator_id=moderator.user_id, hidden=True)
    hidden_twice = services.set_review_visibility(review_id=one.review_id, moderator_id=moderator.user_id, hidden=True)

    assert hidden_twice is False
    assert rating_of(bob) == accounts_services.SellerRating(
        seller_id=bob.user_id, count=1, total=5, histogram=(0, 0, 0, 0, 1)
    )
    listed = api_client.get("/api/v1/sellers/bob/reviews/").json()
    assert [r["rating"] for r in listed["results"]] == [5]
    assert api_client.get(f"/api/v1/reviews/{one.review_id}/").status_code == 404

    services.set_review_visibility(review_id=one.review_id, moderator_id=moderator.user_id, hidden=False)
    assert (rating_of(bob).count, rating_of(bob).total) == (2, 6)
    assert rating_of(bob).average == Decimal("3.0")


def test_editing_a_hidden_review_leaves_the_aggregates_alone(alice, bob, moderator, parcel):
    review = services.review_parcel(parcel_id=parcel, buyer_id=alice.user_id, rating=1)
    services.set_review_visibility(review_id=review.review_id, moderator_id=moderator.user_id, hidden=True)

    services.edit_review(review_id=review.review_id, buyer_id=alice.user_id, rating=5)

    assert rating_of(bob).count == 0 and rating_of(bob).total == 0


def test_cards_show_the_sellers_rating(client, alice, bob, parcel, make_item):
    services.review_parcel(parcel_id=parcel, buyer_id=alice.user_id, rating=5)
    make_item(bob, title="Lamp")

    html = client.get("/items/").content.decode()

    assert "★ 5.0 (1)" in html and 'href="/sellers/bob/"' in html


# --- Pages ---------------------------------------------------------------------------------


def test_review_page_publishes_and_redirects_to_the_profile(client_as, alice, bob, parcel):
    client = client_as(alice)
    assert client.get(f"/parcels/{parcel}/review/").status_code == 200

    response = client.post(f"/parcels/{parcel}/review/", {"rating": "5", "text": "Lovely."})

    assert response.status_code == 302 and response["Location"] == "/sellers/bob/"
    assert "Lovely." in client.get("/sellers/bob/").content.decode()


def test_review_page_form_errors_store_nothing(client_as, alice, parcel):
    response = client_as(alice).post(f"/parcels/{parcel}/review/", {"rating": "6", "text": "<i>x</i>"})
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_review_page_is_404_for_others(client_as, carol, parcel):
    assert client_as(carol).get(f"/parcels/{parcel}/review/").status_code == 404


# --- Concurrency (PostgreSQL) ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_reviews_keep_the_average_exact(make_user, buy, concurrently):
    seller = make_user("seller")
    buyers = [make_user(f"buyer{n}") for n in range(8)]
    parcels = [buy(buyer, seller)["parcel"] for buyer in buyers]
    stars = [1, 2, 3, 4, 5, 5, 4, 3]

    def review(index: int):
        return services.review_parcel(parcel_id=parcels[index], buyer_id=buyers[index].user_id, rating=stars[index])

    results = concurrently(review, threads=len(buyers))

    assert [type(r) for r in results] == [services.ReviewSummary] * len(buyers)
    rating = rating_of(seller)
    assert (rating.count, rating.total) == (8, sum(stars))
    assert rating.histogram == (1, 1, 2, 2, 2)
    assert rating.average == Decimal("3.4")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_double_review_of_one_parcel_has_one_winner(make_user, buy, concurrently):
    seller, buyer = make_user("seller"), make_user("buyer")
    parcel = buy(buyer, seller)["parcel"]

    results = concurrently(
        lambda index: services.review_parcel(parcel_id=parcel, buyer_id=buyer.user_id, rating=index + 1), threads=4
    )

    assert sum(isinstance(r, services.ReviewSummary) for r in results) == 1
    assert sum(isinstance(r, services.AlreadyReviewed) for r in results) == 3
    rating = rating_of(seller)
    assert rating.count == 1 and rating.total == Review.objects.get().rating
