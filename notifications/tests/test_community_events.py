"""Community's events become notifications (through the outbox): new messages tell the
other side, price drops and restocks tell the item's favouriting users, each once."""

from decimal import Decimal

import pytest
from django.core import mail

from catalogue import services as catalogue_services
from community import services
from notifications.models import Notification


@pytest.fixture
def carol(make_user):
    return make_user("carol")


@pytest.fixture
def phone(make_item, bob):
    return make_item(bob, title="Phone", price="100.00", quantity=3)


@pytest.fixture
def watched(alice, carol, phone):
    services.add_favourite(user_id=alice.user_id, item_id=phone)
    services.add_favourite(user_id=carol.user_id, item_id=phone)
    return phone


def alerts():
    return list(
        Notification.objects.filter(kind="favourite")
        .order_by("recipient_id")
        .values_list("recipient__username", "title")
    )


def test_a_price_drop_notifies_each_watcher_once(bob, watched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_services.update_item(item_id=watched, seller_id=bob.user_id, price=Decimal("80.00"))

    assert alerts() == [("alice", "Price drop: “Phone”"), ("carol", "Price drop: “Phone”")]
    body = Notification.objects.filter(kind="favourite").first().body
    assert "80.00" in body and "100.00" in body


def test_a_price_rise_or_other_edit_tells_nobody(bob, watched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_services.update_item(item_id=watched, seller_id=bob.user_id, price=Decimal("120.00"))
        catalogue_services.update_item(item_id=watched, seller_id=bob.user_id, title="Phone, boxed")
    assert alerts() == []


def test_back_in_stock_notifies_once_per_restock(bob, watched, set_item, django_capture_on_commit_callbacks):
    set_item(watched, quantity=0)
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_services.update_item(item_id=watched, seller_id=bob.user_id, quantity=2)
        catalogue_services.update_item(item_id=watched, seller_id=bob.user_id, quantity=5)  # was not sold out

    assert [title for _, title in alerts()] == ["Back in stock: “Phone”"] * 2


def test_a_withdrawn_item_alerts_nobody(bob, watched, set_item, django_capture_on_commit_callbacks):
    set_item(watched, status="withdrawn")
    with django_capture_on_commit_callbacks(execute=True):
        catalogue_services.update_item(item_id=watched, seller_id=bob.user_id, price=Decimal("10.00"))
    assert alerts() == []


def test_a_redelivered_alert_notifies_nobody_twice(bob, watched):
    from catalogue import events
    from notifications import services as notification_services

    alert = events.ItemAlert(
        item_id=watched, seller_id=bob.user_id, kind=events.PRICE_DROP, title="Phone",
        old_price=Decimal("100.00"), new_price=Decimal("80.00"), available=3,
    )  # fmt: skip
    event_id = "0b6f8f38-2a7c-4c1e-9a53-4f1f3a8c9e01"
    assert len(notification_services.notify_item_alert(event_id=event_id, alert=alert)) == 2
    assert notification_services.notify_item_alert(event_id=event_id, alert=alert) == ()


# --- Messages ------------------------------------------------------------------------------


def test_new_message_notifies_the_other_side_once_in_app_and_by_mail(
    alice, bob, phone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        posted = services.start_conversation(item_id=phone, buyer_id=alice.user_id, body="Is it unlocked?")

    (notification,) = Notification.objects.filter(recipient_id=bob.user_id)
    assert notification.kind == "message"
    assert notification.title == "New message from alice about “Phone”"
    assert notification.body == "Is it unlocked?"
    assert notification.url == f"/messages/{posted.conversation.conversation_id}/"
    assert not Notification.objects.filter(recipient_id=alice.user_id).exists()
    assert [m.to for m in mail.outbox] == [["bob@example.com"]]
    assert f"/messages/{posted.conversation.conversation_id}/" in mail.outbox[0].body


def test_a_redelivered_event_adds_nothing(alice, bob, phone):
    from community import events
    from notifications import services as notification_services

    event = events.MessagePosted(
        message_id=1, conversation_id=1, item_id=phone, item_title="Phone", sender_id=alice.user_id,
        sender_username="alice", recipient_id=bob.user_id, excerpt="hi",
    )  # fmt: skip
    event_id = "7f1f0c3e-8f0b-4e8a-9d6a-0d5b8e7b2a11"
    first = notification_services.notify_message_posted(event_id=event_id, message=event)
    second = notification_services.notify_message_posted(event_id=event_id, message=event)

    assert len(first) == 1 and second == ()


# --- Reviews -------------------------------------------------------------------------------


def test_a_review_notifies_its_seller_once_in_app_and_by_mail(
    alice, bob, buy, client_as, django_capture_on_commit_callbacks
):
    bought = buy(alice, bob, title="Desk lamp")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_parcel(
            parcel_id=bought["parcel"], buyer_id=alice.user_id, rating=4, text="Well  packed,\nfast."
        )

    (notification,) = Notification.objects.filter(kind="review")
    assert notification.recipient_id == bob.user_id
    assert notification.title == "alice rated you ★★★★☆ (4 of 5)"
    assert notification.body == "Well packed, fast."
    assert notification.url == "/sellers/bob/reviews/"
    # (The relay also delivers what the purchase published: only the review's mail is checked.)
    (review_mail,) = [m for m in mail.outbox if "/sellers/bob/reviews/" in m.body]
    assert review_mail.to == ["bob@example.com"] and "See your reviews" in review_mail.body
    page = client_as(bob).get("/notifications/").content.decode()
    assert "alice rated you ★★★★☆ (4 of 5)" in page and "See the review" in page


def test_a_review_without_text_and_its_redelivery(alice, bob):
    from community import events
    from notifications import services as notification_services

    event = events.ReviewPosted(
        review_id=1, seller_id=bob.user_id, seller_username="bob", buyer_username="alice", rating=5, excerpt=""
    )
    event_id = "5d0c2c1e-1b7e-4c55-8f0a-2b9f7c1d3e44"
    first = notification_services.notify_review_posted(event_id=event_id, review=event)
    second = notification_services.notify_review_posted(event_id=event_id, review=event)

    assert len(first) == 1 and second == ()
    assert Notification.objects.get().body == "No comment, just the stars."


def test_a_refused_review_notifies_nobody(alice, bob, buy):
    bought = buy(alice, bob, complete=False)  # not received yet: not reviewable

    with pytest.raises(services.NotReviewable):
        services.review_parcel(parcel_id=bought["parcel"], buyer_id=alice.user_id, rating=5)

    assert not Notification.objects.filter(kind="review").exists()
