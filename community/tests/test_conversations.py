import pytest

from community import services
from community.models import Conversation, Message

CONVERSATIONS = "/api/v1/conversations/"


def ask(item_id):
    return f"/api/v1/items/{item_id}/conversations/"


def messages_of(conversation_id):
    return f"/api/v1/conversations/{conversation_id}/messages/"


@pytest.fixture
def thread(alice, phone):
    """alice asked bob about his phone."""
    return services.start_conversation(item_id=phone, buyer_id=alice.user_id, body="Is it unlocked?")


def test_buyer_starts_and_seller_replies(alice, bob, thread):
    reply = services.post_message(
        conversation_id=thread.conversation.conversation_id, sender_id=bob.user_id, body="Yes, any network."
    )

    bodies = [
        m.body
        for m in services.list_messages(conversation_id=reply.conversation.conversation_id, user_id=alice.user_id)
    ]
    assert thread.created_conversation is True
    assert bodies == ["Is it unlocked?", "Yes, any network."]


def test_one_conversation_per_item_and_buyer(alice, phone, thread):
    again = services.start_conversation(item_id=phone, buyer_id=alice.user_id, body="And the battery?")

    assert again.created_conversation is False
    assert again.conversation.conversation_id == thread.conversation.conversation_id
    assert Conversation.objects.count() == 1 and Message.objects.count() == 2


def test_seller_cannot_message_first(api_as, bob, phone):
    response = api_as(bob).post(ask(phone), {"body": "Buy my phone"})

    assert response.status_code == 409 and response.json()["code"] == "own_item"
    assert not Conversation.objects.exists()


@pytest.mark.parametrize("status", ["hidden", "withdrawn"])
def test_items_not_on_sale_are_404(api_as, alice, phone, set_item, status):
    set_item(phone, status=status)
    assert api_as(alice).post(ask(phone), {"body": "Hello"}).status_code == 404
    assert not Conversation.objects.exists()


def test_unread_counts_move_and_reset(alice, bob, thread):
    conversation_id = thread.conversation.conversation_id
    services.post_message(conversation_id=conversation_id, sender_id=alice.user_id, body="Also: the box?")

    assert services.get_unread_message_count(user_id=bob.user_id) == 2
    assert services.get_unread_message_count(user_id=alice.user_id) == 0
    list(services.list_messages(conversation_id=conversation_id, user_id=bob.user_id))
    assert services.get_unread_message_count(user_id=bob.user_id) == 0


def test_api_flow_with_unread_counts(api_as, alice, bob, phone):
    started = api_as(alice).post(ask(phone), {"body": "Is it unlocked?"})
    conversation_id = started.json()["conversation"]["id"]

    inbox = api_as(bob).get(CONVERSATIONS).json()
    replied = api_as(bob).post(messages_of(conversation_id), {"body": "Yes."})
    thread = api_as(alice).get(messages_of(conversation_id)).json()

    assert started.status_code == 201
    assert inbox["unread_count"] == 1
    assert inbox["results"][0] | {"last_message_at": None, "created_at": None} == {
        "id": conversation_id,
        "item_id": phone,
        "item_title": "Phone",
        "buyer": "alice",
        "seller": "bob",
        "unread": 1,
        "last_message": "Is it unlocked?",
        "last_message_at": None,
        "created_at": None,
    }
    assert replied.status_code == 201
    assert [(m["sender"], m["body"]) for m in thread["results"]] == [("alice", "Is it unlocked?"), ("bob", "Yes.")]


def test_others_get_404_for_reading_and_writing(api_as, carol, thread):
    conversation_id = thread.conversation.conversation_id
    client = api_as(carol)

    assert client.get(messages_of(conversation_id)).status_code == 404
    assert client.post(messages_of(conversation_id), {"body": "hi"}).status_code == 404
    assert client.get(CONVERSATIONS).json()["count"] == 0
    assert Message.objects.count() == 1


def test_moderators_read_but_do_not_write(api_as, moderator, thread):
    conversation_id = thread.conversation.conversation_id
    client = api_as(moderator)

    assert client.get(messages_of(conversation_id)).status_code == 200
    response = client.post(messages_of(conversation_id), {"body": "hi"})
    assert response.status_code == 403 and response.json()["code"] == "not_a_participant"


def test_anonymous_is_401(api_client, thread):
    assert api_client.get(CONVERSATIONS).status_code == 401
    assert api_client.get(messages_of(thread.conversation.conversation_id)).status_code == 401


BAD_BODIES = [
    pytest.param("", id="empty"),
    pytest.param("   \n ", id="blank"),
    pytest.param("x" * 10_240, id="10kB"),
    pytest.param("<script>alert(1)</script>", id="html"),
    pytest.param('<a href="http://evil.example">win</a>', id="link-tag"),
    pytest.param("nul\x00byte", id="nul"),
    pytest.param("bell\x07", id="control"),
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_bodies_are_400_and_store_nothing(api_as, alice, phone, body):
    response = api_as(alice).post(ask(phone), {"body": body})

    assert response.status_code == 400
    assert "body" in response.json()
    assert not Conversation.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_replies_are_400_and_store_nothing(api_as, bob, thread, body):
    response = api_as(bob).post(messages_of(thread.conversation.conversation_id), {"body": body})
    assert response.status_code == 400 and "body" in response.json()
    assert Message.objects.count() == 1


def test_plain_text_with_angle_brackets_is_fine(alice, phone):
    posted = services.start_conversation(item_id=phone, buyer_id=alice.user_id, body="Price < 90? I <3 it")
    assert posted.message.body == "Price < 90? I <3 it"


def test_posting_is_throttled(api_as, alice, phone, settings):
    from rest_framework.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {**original, "messages": "2/min"}
    try:
        from django.core.cache import cache

        cache.clear()
        client = api_as(alice)
        codes = [client.post(ask(phone), {"body": f"m{n}"}).status_code for n in range(3)]
        reading = client.get(CONVERSATIONS).status_code
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert codes == [201, 200, 429]
    assert reading == 200
    assert Message.objects.count() == 2


# --- The outbox ------------------------------------------------------------------------------
# (the notifications it leads to are tested in notifications/tests/test_community_events.py)


def test_a_rolled_back_message_publishes_nothing(alice, phone):
    from django.db import transaction

    from outbox.services import get_health

    before = get_health().pending
    with pytest.raises(RuntimeError), transaction.atomic():
        services.start_conversation(item_id=phone, buyer_id=alice.user_id, body="Hi")
        raise RuntimeError("rolled back")
    assert get_health().pending == before and not Message.objects.exists()


# --- Pages ---------------------------------------------------------------------------------


def test_ask_from_the_item_page_then_reply_on_the_conversation_page(client_as, alice, bob, phone):
    response = client_as(alice).post(f"/items/{phone}/ask/", {"body": "Is it unlocked?"})
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/messages/{conversation.pk}/"

    page = client_as(bob).get(f"/messages/{conversation.pk}/")
    assert "Is it unlocked?" in page.content.decode()
    reply = client_as(bob).post(f"/messages/{conversation.pk}/", {"body": "Yes <b>really</b>"})
    assert reply.status_code == 400  # HTML is refused: the form says so, nothing stored
    assert "Plain text only" in reply.content.decode()
    client_as(bob).post(f"/messages/{conversation.pk}/", {"body": "Yes, see https://example.com"})
    html = client_as(alice).get(f"/messages/{conversation.pk}/").content.decode()
    assert "Yes, see https://example.com" in html and 'href="https://example.com"' not in html
    assert Message.objects.count() == 2


def test_conversation_page_is_404_for_others(client_as, carol, thread):
    assert client_as(carol).get(f"/messages/{thread.conversation.conversation_id}/").status_code == 404


def test_inbox_lists_unread(client_as, bob, thread):
    html = client_as(bob).get("/messages/").content.decode()
    assert "Phone" in html and "1 new" in html


def test_nav_count_fragment(client_as, client, bob, thread, django_assert_num_queries):
    signed_in = client_as(bob)
    with django_assert_num_queries(3):  # session, user, the sum
        html = signed_in.get("/messages/unread/").content.decode()
    assert 'data-testid="unread-messages"' in html and ">1</span>" in html


def test_nav_count_fragment_for_visitors_is_204(client):
    assert client.get("/messages/unread/").status_code == 204


def test_the_pages_share_the_throttle(client_as, alice, bob, thread):
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = {**original, "messages": "1/min"}
    try:
        cache.clear()
        client = client_as(bob)
        url = f"/messages/{thread.conversation.conversation_id}/"
        first = client.post(url, {"body": "One"})
        second = client.post(url, {"body": "Two"})
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
    assert first.status_code == 302
    assert second.status_code == 429 and "too fast" in second.content.decode()
    assert Message.objects.count() == 2
