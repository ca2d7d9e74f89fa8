import pytest

from notifications.models import Notification
from notifications.tests.factories import NotificationFactory, make_inbox

LIST = "/api/v1/notifications/"
READ_ALL = "/api/v1/notifications/read-all/"


def read_url(notification_id: int) -> str:
    return f"/api/v1/notifications/{notification_id}/read/"


@pytest.mark.django_db
def test_list_is_newest_first_with_the_unread_count(api_as, alice, bob):
    oldest, middle, newest = make_inbox(alice.user_id, count=3, read=1)
    make_inbox(bob.user_id, count=2)

    response = api_as(alice).get(LIST)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert body["unread_count"] == 2
    assert (body["next"], body["previous"]) == (None, None)
    assert [n["id"] for n in body["results"]] == [newest.pk, middle.pk, oldest.pk]
    assert [n["is_read"] for n in body["results"]] == [False, False, True]
    first = body["results"][0]
    assert set(first) == {
        "id",
        "kind",
        "order_id",
        "status",
        "title",
        "body",
        "url",
        "total",
        "lines",
        "is_read",
        "created_at",
        "read_at",
    }
    assert first["kind"] == "order_status"
    assert first["order_id"] == newest.order_id
    assert first["status"] == "paid"
    assert first["title"] == f"Order #{newest.order_id} is paid"
    assert first["url"] == f"/orders/{newest.order_id}/"
    assert first["total"] == "10.00"
    assert first["lines"] == [
        {"item_id": 1, "title": "Lamp", "quantity": 1, "unit_price": "10.00", "line_total": "10.00"}
    ]
    assert first["read_at"] is None


@pytest.mark.django_db
def test_a_sale_links_to_the_sales_page(api_as, bob):
    NotificationFactory(recipient_id=bob.user_id, kind="sale", title="You sold 1 item in order #3", order_id=3)

    result = api_as(bob).get(LIST).json()["results"][0]

    assert (result["kind"], result["url"]) == ("sale", "/sales/")


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["true", "True", "1"])
def test_unread_filter(api_as, alice, value):
    _, unread = make_inbox(alice.user_id, count=2, read=1)

    body = api_as(alice).get(LIST, {"unread": value}).json()

    assert [n["id"] for n in body["results"]] == [unread.pk]
    assert (body["count"], body["unread_count"]) == (1, 1)


@pytest.mark.django_db
def test_unread_false_lists_everything(api_as, alice):
    make_inbox(alice.user_id, count=2, read=1)

    assert api_as(alice).get(LIST, {"unread": "false"}).json()["count"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"), [({"unread": "maybe"}, "unread"), ({"page": "abc"}, "page"), ({"page": "9"}, "page")]
)
def test_bad_list_parameters_are_400_naming_the_field(api_as, alice, params, field):
    make_inbox(alice.user_id, count=1)

    response = api_as(alice).get(LIST, params)

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.django_db
def test_list_is_paginated_with_page_size(api_as, alice):
    made = make_inbox(alice.user_id, count=5)

    body = api_as(alice).get(LIST, {"page_size": 2, "page": 2}).json()

    assert body["count"] == 5
    assert [n["id"] for n in body["results"]] == [made[2].pk, made[1].pk]
    assert body["next"].endswith("page=3&page_size=2")


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 30])
def test_list_costs_a_constant_number_of_queries(api_as, alice, django_assert_num_queries, count):
    make_inbox(alice.user_id, count=count)
    client = api_as(alice)

    # forced auth: count, page, unread count.
    with django_assert_num_queries(3):
        response = client.get(LIST)

    assert len(response.json()["results"]) == min(count, 20)


@pytest.mark.django_db
def test_mark_one_read_returns_it_and_keeps_the_first_read_time(api_as, alice):
    target, other = make_inbox(alice.user_id, count=2)
    client = api_as(alice)

    response = client.post(read_url(target.pk))

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["is_read"]) == (target.pk, True)
    first_read_at = Notification.objects.get(pk=target.pk).read_at
    assert first_read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None

    again = client.post(read_url(target.pk))

    assert again.status_code == 200
    assert Notification.objects.get(pk=target.pk).read_at == first_read_at
    assert client.get(LIST).json()["unread_count"] == 1


@pytest.mark.django_db
def test_someone_elses_notification_is_404_and_stays_unread(api_as, alice, bob):
    (bobs,) = make_inbox(bob.user_id, count=1)

    response = api_as(alice).post(read_url(bobs.pk))

    assert response.status_code == 404
    assert response.json() == {"detail": "No such notification.", "code": "not_found"}
    assert Notification.objects.get(pk=bobs.pk).read_at is None


@pytest.mark.django_db
def test_an_unknown_notification_is_404(api_as, alice):
    assert api_as(alice).post(read_url(999999)).status_code == 404


@pytest.mark.django_db
def test_read_all_marks_only_mine_and_reports_how_many(api_as, alice, bob):
    make_inbox(alice.user_id, count=3, read=1)
    make_inbox(bob.user_id, count=2)
    client = api_as(alice)

    response = client.post(READ_ALL)

    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert Notification.objects.filter(recipient_id=alice.user_id, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient_id=bob.user_id, read_at__isnull=True).count() == 2
    assert client.post(READ_ALL).json() == {"marked": 0}


@pytest.mark.django_db
def test_notifications_need_authentication(api_client, alice):
    (n,) = make_inbox(alice.user_id, count=1)

    assert api_client.get(LIST).status_code == 401
    assert api_client.post(read_url(n.pk)).status_code == 401
    assert api_client.post(READ_ALL).status_code == 401
    assert Notification.objects.get(pk=n.pk).read_at is None


@pytest.mark.django_db
def test_reading_endpoints_refuse_other_methods(api_as, alice):
    (n,) = make_inbox(alice.user_id, count=1)
    client = api_as(alice)

    assert client.get(read_url(n.pk)).status_code == 405
    assert client.get(READ_ALL).status_code == 405
    assert client.post(LIST).status_code == 405
    assert Notification.objects.get(pk=n.pk).read_at is None
