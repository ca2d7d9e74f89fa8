"""CSRF on every form (issue 9, part 3).

Every POST form the shop renders carries the token; every page that accepts a POST
refuses one without it (403, nothing changed); the API refuses a session-authenticated
write without it (JWT clients carry no cookie, so they need none); and the token from
the page makes the same request work.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from orders import services as orders_services
from tests.security.world import alice_state

pytestmark = pytest.mark.django_db


class FormParser(HTMLParser):
    """Collects each <form>: its method, action and the names of its inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._open = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"), "inputs": []}
            self.forms.append(self._open)
        elif tag in ("input", "button", "select", "textarea") and self._open is not None:
            self._open["inputs"].append(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def forms_of(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def _client(account=None, *, enforce: bool = True) -> Client:
    client = Client(enforce_csrf_checks=enforce)
    if account is not None:
        client.force_login(get_user_model().objects.get(pk=account.user_id))
    return client


def test_every_post_form_on_every_page_carries_the_csrf_token(world, moderator):
    alice = _client(world.alice)
    pages = [(alice, url) for url in world.member_pages]
    pages += [(_client(), url) for url in ("/", "/items/", "/accounts/login/", "/accounts/signup/", "/cart/")]
    mod = _client(moderator)
    pages += [(mod, "/admin/"), (mod, f"/admin/orders/order/{world.open_order}/change/")]

    post_forms = 0
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        for form in forms_of(response.content.decode()):
            if form["method"] == "post":
                post_forms += 1
                assert "csrfmiddlewaretoken" in form["inputs"], (url, form)

    assert post_forms >= 15  # the pages above hold at least this many POST forms


def _post_targets(world) -> list[tuple[str, dict]]:
    return [
        ("/accounts/login/", {"username": "alice", "password": "a-Strong-pass-42"}),
        ("/accounts/signup/", {"username": "mallory", "email": "m@example.com", "password1": "x", "password2": "x"}),
        ("/accounts/logout/", {}),
        ("/accounts/profile/", {"email": "evil@example.com"}),
        ("/sell/new/", {"title": "Planted", "category": "test-things", "price": "1.00", "quantity": "1"}),
        (f"/sell/{world.alice_item}/edit/", {"title": "Defaced"}),
        (f"/sell/{world.alice_item}/withdraw/", {}),
        (f"/sell/{world.alice_item}/relist/", {}),
        ("/cart/add/", {"item_id": world.carol_item, "quantity": "1"}),
        (f"/cart/lines/{world.cart_item}/", {"remove": "1"}),
        ("/orders/checkout/", {}),
        (f"/orders/{world.open_order}/pay/", {}),
        (f"/orders/{world.open_order}/cancel/", {}),
        ("/wallet/", {"amount": "100.00"}),
        ("/notifications/read-all/", {}),
        (f"/notifications/{world.notification}/read/", {}),
        ("/admin/login/", {"username": "alice", "password": "a-Strong-pass-42"}),
    ]


def test_every_page_post_without_the_token_is_refused_and_changes_nothing(world):
    alice = _client(world.alice)
    before = alice_state(world)
    users_before = get_user_model().objects.count()

    refused = {url: alice.post(url, data).status_code for url, data in _post_targets(world)}

    assert refused == {url: 403 for url, _ in _post_targets(world)}
    assert alice_state(world) == before
    assert get_user_model().objects.count() == users_before
    assert alice.get("/api/v1/me/").json()["username"] == "alice"  # still logged in: logout refused too


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/v1/wallet/top-up/", {"amount": "5.00"}),
        ("post", "/api/v1/orders/", None),
        ("patch", "/api/v1/me/", {"email": "evil@example.com"}),
        ("post", "/api/v1/notifications/read-all/", None),
    ],
)
def test_api_session_writes_need_the_token(world, method, url, body):
    before = alice_state(world)

    response = getattr(_client(world.alice), method)(url, body, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "CSRF" in response.json()["detail"]
    assert alice_state(world) == before


def test_the_token_from_the_page_makes_the_same_post_work(world):
    alice = _client(world.alice)
    page = alice.get(f"/orders/{world.open_order}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = alice.post(f"/orders/{world.open_order}/cancel/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302
    order = orders_services.get_order_for_user(order_id=world.open_order, user_id=world.alice.user_id)
    assert order.status == "cancelled"
