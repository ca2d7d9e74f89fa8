import pytest
from django.contrib.auth import get_user_model

from catalogue import services as catalogue_services
from community import services
from community.models import ModerationAction, Report

REPORTS = "/api/v1/reports/"


@pytest.fixture
def thread(alice, phone):
    return services.start_conversation(item_id=phone, buyer_id=alice.user_id, body="Is it unlocked?")


def test_report_a_listing_once(api_as, alice, phone):
    client = api_as(alice)
    first = client.post(REPORTS, {"target_type": "item", "target_id": phone, "reason": "scam", "text": "Too cheap"})
    second = client.post(REPORTS, {"target_type": "item", "target_id": phone, "reason": "spam"})

    assert first.status_code == 201 and first.json()["status"] == "open"
    assert second.status_code == 409 and second.json()["code"] == "already_reported"
    assert Report.objects.get().target_owner_id is not None


@pytest.mark.parametrize(
    "payload",
    [
        {"target_type": "item", "reason": "nonsense"},
        {"target_type": "user", "reason": "spam"},
        {"target_type": "item", "reason": "other", "text": ""},
        {"target_type": "item", "reason": "spam", "text": "x" * 10_240},
        {"target_type": "item", "reason": "spam", "text": "<b>bad</b>"},
        {"target_type": "item", "reason": "spam", "text": "\x00"},
        {"target_type": "item", "reason": "spam", "target_id": 2**63},
    ],
)
def test_bad_reports_are_400(api_as, alice, phone, payload):
    response = api_as(alice).post(REPORTS, {"target_id": phone, **payload})
    assert response.status_code == 400
    assert not Report.objects.exists()


def test_own_things_and_unseen_things_cannot_be_reported(api_as, bob, carol, phone, thread):
    assert api_as(bob).post(REPORTS, {"target_type": "item", "target_id": phone, "reason": "spam"}).status_code == 404
    # carol is not part of the conversation: its messages do not exist for her.
    message_id = thread.message.message_id
    response = api_as(carol).post(REPORTS, {"target_type": "message", "target_id": message_id, "reason": "spam"})
    assert response.status_code == 404
    assert not Report.objects.exists()


def test_the_other_side_reports_a_message_and_a_moderator_hides_it(api_as, client_as, bob, moderator, thread):
    message_id = thread.message.message_id
    created = api_as(bob).post(REPORTS, {"target_type": "message", "target_id": message_id, "reason": "offensive"})

    status = services.moderate_report(
        report_id=created.json()["id"], moderator_id=moderator.user_id, action=services.ModerationKind.HIDE_TARGET
    )

    assert status == "actioned"
    html = client_as(bob).get(f"/messages/{thread.conversation.conversation_id}/").content.decode()
    assert "Removed by a moderator." in html and "Is it unlocked?" not in html
    action = ModerationAction.objects.get()
    assert (action.moderator_id, action.action, action.target_type, action.target_id) == (
        moderator.user_id,
        "hide_target",
        "message",
        message_id,
    )


def test_hiding_a_listing_closes_every_report_of_it(alice, carol, moderator, phone):
    first = services.report(reporter_id=alice.user_id, target_type="item", target_id=phone, reason="scam")
    services.report(reporter_id=carol.user_id, target_type="item", target_id=phone, reason="spam")

    services.moderate_report(report_id=first.report_id, moderator_id=moderator.user_id, action="hide_target")

    assert catalogue_services.get_item_snapshots(item_ids=[phone])[phone].status == "hidden"
    assert set(Report.objects.values_list("status", flat=True)) == {"actioned"}


def test_dismiss_and_deactivate_are_recorded(alice, carol, bob, moderator, phone):
    first = services.report(reporter_id=alice.user_id, target_type="item", target_id=phone, reason="scam")
    second = services.report(reporter_id=carol.user_id, target_type="item", target_id=phone, reason="scam")

    services.moderate_report(report_id=first.report_id, moderator_id=moderator.user_id, action="dismiss")
    services.moderate_report(report_id=second.report_id, moderator_id=moderator.user_id, action="deactivate_user")

    assert get_user_model().objects.get(pk=bob.user_id).is_active is False
    assert list(ModerationAction.objects.order_by("id").values_list("action", "target_type", "target_id")) == [
        ("dismiss", "item", phone),
        ("deactivate_user", "item", bob.user_id),
    ]


def test_a_review_can_be_reported_and_hidden_leaving_the_average(buy, alice, carol, bob, moderator):
    from accounts import services as accounts_services

    review = services.review_parcel(parcel_id=buy(alice, bob)["parcel"], buyer_id=alice.user_id, rating=1, text="Rude")
    report = services.report(
        reporter_id=bob.user_id, target_type="review", target_id=review.review_id, reason="offensive"
    )

    services.moderate_report(report_id=report.report_id, moderator_id=moderator.user_id, action="hide_target")

    assert accounts_services.get_seller_ratings(seller_ids=[bob.user_id])[bob.user_id].count == 0


def test_admin_queue_and_actions(client, alice, moderator, phone):
    from django.contrib.auth import get_user_model

    report = services.report(reporter_id=alice.user_id, target_type="item", target_id=phone, reason="scam")
    client.force_login(get_user_model().objects.get(pk=moderator.user_id))

    queue = client.get("/admin/community/report/")
    acted = client.post(
        "/admin/community/report/",
        {"action": "hide_target", "_selected_action": [report.report_id]},
    )

    assert queue.status_code == 200 and "Phone" in queue.content.decode()
    assert acted.status_code == 302
    assert Report.objects.get().status == "actioned"
    assert ModerationAction.objects.get().moderator_id == moderator.user_id
    assert client.get("/admin/community/moderationaction/").status_code == 200
    assert client.get("/admin/community/review/").status_code == 200


def test_report_page(client_as, alice, phone):
    client = client_as(alice)
    assert client.get(f"/report/item/{phone}/").status_code == 200
    bad = client.post(f"/report/item/{phone}/", {"reason": "other", "text": ""})
    assert bad.status_code == 400 and not Report.objects.exists()
    done = client.post(f"/report/item/{phone}/", {"reason": "scam", "text": "Fake"})
    assert done.status_code == 302 and Report.objects.count() == 1


@pytest.fixture
def reports_per_minute(monkeypatch):
    """Set the "reports" rate for one test (DRF reads its rates once, at import)."""
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    def set_rate(rate: str) -> None:
        rates = {**ScopedRateThrottle.THROTTLE_RATES, "reports": rate}
        monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
        cache.clear()

    return set_rate


def test_reporting_is_throttled(api_as, alice, bob, make_item, reports_per_minute):
    reports_per_minute("2/min")
    items = [make_item(bob, title=f"Thing {n}") for n in range(3)]
    client = api_as(alice)

    codes = [
        client.post(REPORTS, {"target_type": "item", "target_id": item, "reason": "spam"}).status_code for item in items
    ]

    assert codes == [201, 201, 429]
    assert Report.objects.count() == 2


def test_the_report_page_shares_the_throttle(api_as, client_as, alice, bob, make_item, reports_per_minute):
    reports_per_minute("1/min")
    first, second = make_item(bob, title="First"), make_item(bob, title="Second")
    assert api_as(alice).post(REPORTS, {"target_type": "item", "target_id": first, "reason": "spam"}).status_code == 201

    page = client_as(alice).post(f"/report/item/{second}/", {"reason": "spam", "text": ""})

    assert page.status_code == 429 and "too fast" in page.content.decode()
    assert Report.objects.count() == 1
