import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.tests.factories import NotificationFactory, make_inbox

PAGE = "/notifications/"
BELL = "/notifications/bell/"


@pytest.mark.django_db
def test_the_page_needs_a_login(client):
    response = client.get(PAGE)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/notifications/"


@pytest.mark.django_db
def test_the_page_lists_mine_newest_first_with_unread_highlighted(client_as, alice, bob):
    old, new = make_inbox(alice.user_id, count=2, read=1)
    make_inbox(bob.user_id, count=1)

    response = client_as(alice).get(PAGE)

    assert response.status_code == 200
    page = response.context["page"]
    assert [n.notification_id for n in page] == [new.pk, old.pk]
    html = response.content.decode()
    assert html.count('class="notification unread"') == 1
    assert f'id="notification-{new.pk}"' in html
    assert html.index(f'id="notification-{new.pk}"') < html.index(f'id="notification-{old.pk}"')
    assert "Mark all read" in html
    assert html.count(">Mark read</button>") == 1
    assert 'name="csrfmiddlewaretoken"' in html


@pytest.mark.django_db
def test_the_empty_page_says_so_and_offers_no_button(client_as, alice):
    response = client_as(alice).get(PAGE)

    html = response.content.decode()
    assert "No notifications yet." in html
    assert "Mark all read" not in html


@pytest.mark.django_db
def test_a_sale_shows_what_sold(client_as, bob):
    NotificationFactory(
        recipient_id=bob.user_id,
        kind="sale",
        title="You sold 2 items in order #4",
        payload={
            "total": "25.00",
            "lines": [
                {"item_id": 9, "title": "Desk lamp", "quantity": 2, "unit_price": "12.50", "line_total": "25.00"}
            ],
        },
    )

    html = client_as(bob).get(PAGE).content.decode()

    assert "You sold 2 items in order #4" in html
    assert "2 × Desk lamp — 25.00 cr" in html
    assert "View sales" in html


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 30])
def test_the_page_costs_a_constant_number_of_queries(client_as, alice, django_assert_num_queries, count):
    make_inbox(alice.user_id, count=count)
    client = client_as(alice)

    # session, user, count, page rows, the bell's unread count.
    with django_assert_num_queries(5):
        response = client.get(PAGE)

    assert len(response.context["page"].object_list) == min(count, 25)


@pytest.mark.django_db
def test_mark_one_read_comes_back_to_the_list(client_as, alice):
    target, other = make_inbox(alice.user_id, count=2)

    response = client_as(alice).post(f"/notifications/{target.pk}/read/", {"next": "/notifications/?page=1"})

    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=1"
    assert Notification.objects.get(pk=target.pk).read_at is not None
    assert Notification.objects.get(pk=other.pk).read_at is None


@pytest.mark.django_db
def test_open_marks_read_and_goes_to_the_order(client_as, alice):
    (n,) = make_inbox(alice.user_id, count=1)

    response = client_as(alice).post(f"/notifications/{n.pk}/read/", {"open": "1", "next": "/notifications/"})

    assert response["Location"] == f"/orders/{n.order_id}/"
    assert Notification.objects.get(pk=n.pk).read_at is not None


@pytest.mark.django_db
def test_an_offsite_next_is_ignored(client_as, alice):
    (n,) = make_inbox(alice.user_id, count=1)

    response = client_as(alice).post(f"/notifications/{n.pk}/read/", {"next": "https://evil.example/"})

    assert response["Location"] == "/notifications/"


@pytest.mark.django_db
def test_someone_elses_notification_is_404_on_the_page_too(client_as, alice, bob):
    (bobs,) = make_inbox(bob.user_id, count=1)

    response = client_as(alice).post(f"/notifications/{bobs.pk}/read/")

    assert response.status_code == 404
    assert Notification.objects.get(pk=bobs.pk).read_at is None


@pytest.mark.django_db
def test_marking_read_needs_post(client_as, alice):
    (n,) = make_inbox(alice.user_id, count=1)
    client = client_as(alice)

    assert client.get(f"/notifications/{n.pk}/read/").status_code == 405
    assert client.get("/notifications/read-all/").status_code == 405
    assert Notification.objects.get(pk=n.pk).read_at is None


@pytest.mark.django_db
def test_mark_all_read_from_the_page(client_as, alice, bob):
    make_inbox(alice.user_id, count=3, read=1)
    make_inbox(bob.user_id, count=1)

    response = client_as(alice).post("/notifications/read-all/", follow=True)

    assert response.redirect_chain == [("/notifications/", 302)]
    assert "Marked 2 notifications as read." in response.content.decode()
    assert Notification.objects.filter(recipient_id=alice.user_id, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient_id=bob.user_id, read_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_the_page_forms_need_csrf(alice):
    from django.contrib.auth import get_user_model
    from django.test import Client

    (n,) = make_inbox(alice.user_id, count=1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(pk=alice.user_id))

    assert client.post("/notifications/read-all/").status_code == 403
    assert client.post(f"/notifications/{n.pk}/read/").status_code == 403
    assert Notification.objects.get(pk=n.pk).read_at is None


# --- The bell -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_bell_in_the_navigation_shows_my_unread_count(client_as, alice, bob):
    make_inbox(alice.user_id, count=3, read=1)
    make_inbox(bob.user_id, count=4)

    html = client_as(alice).get("/wallet/").content.decode()

    assert '<a href="/notifications/" class="bell">Notifications<span class="count"' in html
    assert 'data-testid="unread-count"' in html
    assert 'hx-get="/notifications/bell/" hx-trigger="every 30s" hx-swap="outerHTML">2</span>' in html


@pytest.mark.django_db
def test_the_bell_is_hidden_at_zero(client_as, alice):
    html = client_as(alice).get("/wallet/").content.decode()

    assert 'hx-swap="outerHTML" hidden>0</span>' in html


@pytest.mark.django_db
def test_the_bell_costs_anonymous_visitors_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(BELL)

    assert response.status_code == 204
    assert 'class="count"' not in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_the_bell_fragment_is_one_count(client_as, alice, django_assert_num_queries):
    make_inbox(alice.user_id, count=2)
    client = client_as(alice)

    # session, user, the count.
    with django_assert_num_queries(3):
        response = client.get(BELL)

    html = response.content.decode().strip()
    assert html.startswith('<span class="count" id="notifications-bell"')
    assert html.endswith(">2</span>")


@pytest.mark.django_db
def test_the_bell_follows_reads(client_as, alice):
    (n,) = make_inbox(alice.user_id, count=1)
    client = client_as(alice)

    client.post(f"/notifications/{n.pk}/read/")

    assert client.get(BELL).content.decode().strip().endswith("hidden>0</span>")
    assert Notification.objects.get(pk=n.pk).read_at <= timezone.now()
