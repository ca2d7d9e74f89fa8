"""Fulfilment and buyer protection (DESIGN §2): parcels, escrow, refunds, deadlines, API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders import services
from orders.models import Parcel, ParcelHistory
from orders.tests.conftest import balance
from outbox import services as outbox_services
from payments import services as payments_services

pytestmark = pytest.mark.django_db

PARCEL = "/api/v1/parcels/{}/"


@pytest.fixture
def carol(make_user):
    return make_user("carol")


@pytest.fixture
def paid(checkout, alice, bob, carol, make_item):
    """alice paid one order: 2 lamps from bob (25.00) and a vase from carol (4.00)."""
    lamp = make_item(bob, title="Desk lamp", price="12.50", quantity=3)
    vase = make_item(carol, title="Vase", price="4.00", quantity=2)
    order = checkout(alice, (lamp, 2), (vase, 1))
    services.pay_order(order_id=order.order_id, buyer_id=alice.user_id)
    parcels = {p.seller_id: p for p in Parcel.objects.filter(order_id=order.order_id)}
    return {
        "order_id": order.order_id,
        "lamp": lamp,
        "vase": vase,
        "bob": parcels[bob.user_id].pk,
        "carol": parcels[carol.user_id].pk,
    }


@pytest.fixture
def money(assert_money_invariants):
    """The money invariants plus escrow's: it holds exactly the unsettled parcels' totals."""

    def check() -> None:
        assert_money_invariants()
        assert payments_services.get_escrow_balance() == services.get_unsettled_parcels_total()

    return check


def parcel_state(parcel_id: int) -> tuple:
    parcel = Parcel.objects.get(pk=parcel_id)
    return (
        parcel.status,
        parcel.status_reason,
        parcel.refunded_amount,
        ParcelHistory.objects.filter(parcel=parcel).count(),
    )


# --- Opening -------------------------------------------------------------------------------


def test_paying_opens_one_parcel_per_seller_with_its_lines_total_and_ship_by(paid, alice, bob, carol, money, settings):
    parcel = services.get_parcel_for_user(parcel_id=paid["bob"], user_id=alice.user_id)

    assert (parcel.status, parcel.seller_id, parcel.total) == ("awaiting_shipment", bob.user_id, Decimal("25.00"))
    assert [(line.title, line.quantity, line.line_total) for line in parcel.lines] == [
        ("Desk lamp", 2, Decimal("25.00"))
    ]
    assert parcel.ship_by - parcel.created_at == timedelta(days=settings.PARCEL_SHIP_DAYS)
    assert services.get_parcel(parcel_id=paid["carol"]).total == Decimal("4.00")
    assert payments_services.get_escrow_balance() == Decimal("29.00")
    assert (balance(alice), balance(bob), balance(carol)) == (Decimal("971.00"), Decimal("1000.00"), Decimal("1000.00"))
    money()


def test_a_stranger_cannot_see_a_parcel_but_both_parties_and_moderators_can(
    paid, alice, bob, carol, make_user, moderator
):
    with pytest.raises(services.ParcelNotFound):
        services.get_parcel_for_user(parcel_id=paid["bob"], user_id=make_user("eve").user_id)
    with pytest.raises(services.ParcelNotFound):
        services.get_parcel_for_user(parcel_id=paid["bob"], user_id=carol.user_id)  # seller of the other parcel
    for user in (alice, bob, moderator):
        assert services.get_parcel_for_user(parcel_id=paid["bob"], user_id=user.user_id).parcel_id == paid["bob"]


# --- The happy path ------------------------------------------------------------------------


def test_ship_then_confirm_pays_the_seller_from_escrow_once(paid, alice, bob, money, settings):
    shipped = services.ship_parcel(
        parcel_id=paid["bob"], seller_id=bob.user_id, carrier="La Poste", tracking_code="LP-123"
    )

    assert (shipped.status, shipped.carrier, shipped.tracking_code) == ("shipped", "La Poste", "LP-123")
    assert shipped.confirm_by - shipped.shipped_at == timedelta(days=settings.PARCEL_CONFIRM_DAYS)
    assert payments_services.get_held(seller_id=bob.user_id) == Decimal("25.00")

    completed = services.confirm_parcel(parcel_id=paid["bob"], buyer_id=alice.user_id)
    again = services.confirm_parcel(parcel_id=paid["bob"], buyer_id=alice.user_id)

    assert (completed.status, completed.status_reason) == ("completed", "confirmed")
    assert again == completed
    assert balance(bob) == Decimal("1025.00")
    assert payments_services.get_held(seller_id=bob.user_id) == Decimal("0.00")
    assert payments_services.get_escrow_balance() == Decimal("4.00")  # carol's parcel still waits
    assert [(h.from_status, h.to_status, h.reason) for h in completed.history] == [
        ("", "awaiting_shipment", "paid"),
        ("awaiting_shipment", "shipped", "shipped"),
        ("shipped", "completed", "confirmed"),
    ]
    money()


def test_every_parcel_transition_is_published_through_the_outbox(paid, alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ship_parcel(parcel_id=paid["bob"], seller_id=bob.user_id, tracking_code="X1")
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_parcel(parcel_id=paid["bob"], buyer_id=alice.user_id)

    events = outbox_services.list_messages(topic="orders.parcel_transitioned")
    assert [(m.payload["to_status"], m.payload["tracking_code"], m.status) for m in events] == [
        ("shipped", "X1", "delivered"),
        ("completed", "X1", "delivered"),
    ]
    assert events[0].payload["parcel_id"] == paid["bob"]


# --- Refunds ---------------------------------------------------------------------------------


def test_the_seller_cancelling_before_shipping_refunds_in_full_and_restocks(paid, alice, bob, money, item_stock):
    before = item_stock(paid["lamp"])

    refunded = services.cancel_parcel(parcel_id=paid["bob"], actor_id=bob.user_id, reason="Broke it while packing")
    again = services.cancel_parcel(parcel_id=paid["bob"], actor_id=bob.user_id)

    assert (refunded.status, refunded.status_reason, refunded.refunded_amount) == (
        "refunded",
        "cancelled_by_seller",
        Decimal("25.00"),
    )
    assert again == refunded
    assert item_stock(paid["lamp"]) == (before[0] + 2, before[1])
    assert balance(alice) == Decimal("996.00")
    note = payments_services.get_credit_note(reference=f"parcel:{paid['bob']}", user_id=alice.user_id)
    assert note.number == f"CN-{timezone.localtime().year}-000001"
    assert note.amount == Decimal("25.00")
    money()


def test_a_moderator_refunds_part_of_a_disputed_parcel_the_rest_goes_to_the_seller(
    paid, alice, bob, moderator, money, item_stock, django_capture_on_commit_callbacks
):
    services.ship_parcel(parcel_id=paid["bob"], seller_id=bob.user_id)
    services.dispute_parcel(
        parcel_id=paid["bob"], buyer_id=alice.user_id, reason="damaged", message="The shade is cracked."
    )
    stock = item_stock(paid["lamp"])

    with django_capture_on_commit_callbacks(execute=True):
        refunded = services.resolve_dispute(
            parcel_id=paid["bob"], moderator_id=moderator.user_id, outcome="refund", amount="10.00"
        )

    assert (refunded.status, refunded.refunded_amount) == ("refunded", Decimal("10.00"))
    assert (balance(alice), balance(bob)) == (Decimal("981.00"), Decimal("1015.00"))
    assert item_stock(paid["lamp"]) == stock  # shipped: nothing goes back on the shelf
    note = payments_services.get_credit_note(reference=f"parcel:{paid['bob']}", user_id=moderator.user_id)
    assert (note.status, note.amount) == ("ready", Decimal("10.00"))
    assert payments_services.open_credit_note_pdf(document=note).read(5) == b"%PDF-"
    money()


def test_refunding_twice_pays_once_and_releasing_after_a_refund_is_a_conflict(paid, alice, bob, moderator, money):
    services.ship_parcel(parcel_id=paid["bob"], seller_id=bob.user_id)
    services.dispute_parcel(
        parcel_id=paid["bob"], buyer_id=alice.user_id, reason="not_received", message="Nothing came."
    )
    first = services.resolve_dispute(parcel_id=paid["bob"], moderator_id=moderator.user_id, outcome="refund")
    second = services.resolve_dispute(parcel_id=paid["bob"], moderator_id=moderator.user_id, outcome="refund")

    assert second == first
    assert balance(alice) == Decimal("996.00")
    with pytest.raises(services.InvalidStatus):
        services.resolve_dispute(parcel_id=paid["bob"], moderator_id=moderator.user_id, outcome="release")
    with pytest.raises(payments_services.HoldAlreadySettled):
        payments_services.refund_hold(
            reference=f"parcel:{paid['bob']}", amount=Decimal("1.00"), actor_id=None, reason=""
        )
    assert balance(alice) == Decimal("996.00")
    money()


def test_a_moderator_releasing_a_dispute_pays_the_seller(paid, alice, bob, moderator, money):
    services.ship_parcel(parcel_id=paid["bob"], seller_id=bob.user_id)
    services.dispute_parcel(parcel_id=paid["bob"], buyer_id=alice.user_id, reason="other", message="Wrong colour?")

    released = services.resolve_dispute(parcel_id=paid["bob"], moderator_id=moderator.user_id, outcome="release")

    assert (released.status, released.status_reason) == ("completed", "released_by_moderator")
    assert balance(bob) == Decimal("1025.00")
    money()


# --- Deadlines -----------------------------------------------------------------------------


def test_the_sweep_refunds_unshipped_parcels_and_completes_unconfirmed_ones(paid, alice, bob, carol, money, item_stock):
    services.ship_parcel(parcel_id=paid["bob"], seller_id=bob.user_id)
    vase_stock = item_stock(paid["vase"])
    later = timezone.now() + timedelta(days=30)

    sweep = services.sweep_parcel_deadlines(now=later)

    assert (sweep.refunded, sweep.completed) == (1, 1)
    assert parcel_state(paid["carol"])[:3] == ("refunded", "not_shipped", Decimal("4.00"))
    assert parcel_state(paid["bob"])[:2] == ("completed", "auto")
    assert item_stock(paid["vase"]) == (vase_stock[0] + 1, vase_stock[1])
    assert (balance(alice), balance(bob), balance(carol)) == (Decimal("975.00"), Decimal("1025.00"), Decimal("1000.00"))
    assert services.sweep_parcel_deadlines(now=later) == services.ParcelSweep(refunded=0, completed=0)
    money()


def test_actions_check_their_own_deadlines_without_the_sweeper(paid, alice, bob):
    Parcel.objects.filter(pk=paid["carol"]).update(ship_by=timezone.now() - timedelta(seconds=1))
    services.ship_parcel(parcel_id=paid["bob"], seller_id=bob.user_id)
    Parcel.objects.filter(pk=paid["bob"]).update(confirm_by=timezone.now() - timedelta(seconds=1))
    carol_id = Parcel.objects.get(pk=paid["carol"]).seller_id
    before = (parcel_state(paid["carol"]), parcel_state(paid["bob"]))

    with pytest.raises(services.DeadlinePassed):
        services.ship_parcel(parcel_id=paid["carol"], seller_id=carol_id)
    with pytest.raises(services.DeadlinePassed):
        services.dispute_parcel(parcel_id=paid["bob"], buyer_id=alice.user_id, reason="damaged", message="Late")

    assert (parcel_state(paid["carol"]), parcel_state(paid["bob"])) == before


# --- Refusals change nothing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("carrier", "DHL<script>"),
        ("carrier", "x" * 51),
        ("carrier", "Post\x00"),
        ("tracking_code", "AB 12"),
        ("tracking_code", "A" * 10_000),
        ("tracking_code", "ÄÖ-1"),
    ],
)
def test_bad_carrier_or_tracking_is_a_400_and_changes_nothing(paid, bob, api_as, field, value):
    before = parcel_state(paid["bob"])

    response = api_as(bob).post(PARCEL.format(paid["bob"]) + "ship/", {field: value}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert parcel_state(paid["bob"]) == before


@pytest.mark.parametrize("amount", ["0", "-5", "25.01", "abc", "1e400", "12.345"])
def test_bad_refund_amounts_are_a_400_and_change_nothing(paid, alice, bob, moderator, api_as, amount, money):
    services.ship_parcel(parcel_id=paid["bob"], seller_id=bob.user_id)
    services.dispute_parcel(parcel_id=paid["bob"], buyer_id=alice.user_id, reason="damaged", message="Cracked.")
    before = (parcel_state(paid["bob"]), balance(alice), balance(bob))

    response = api_as(moderator).post(
        PARCEL.format(paid["bob"]) + "resolve/", {"outcome": "refund", "amount": amount}, format="json"
    )

    assert response.status_code == 400
    assert "amount" in response.json()
    assert (parcel_state(paid["bob"]), balance(alice), balance(bob)) == before
    money()


def test_wrong_roles_get_a_clear_4xx_and_change_nothing(paid, alice, bob, make_user, api_as):
    services.ship_parcel(parcel_id=paid["bob"], seller_id=bob.user_id)
    url = PARCEL.format(paid["bob"])
    before = parcel_state(paid["bob"])
    eve = make_user("eve")

    refused = {
        "buyer ships": api_as(alice).post(url + "ship/", {}, format="json"),
        "seller confirms": api_as(bob).post(url + "confirm/", format="json"),
        "seller disputes": api_as(bob).post(url + "dispute/", {"reason": "other", "message": "x"}, format="json"),
        "buyer resolves": api_as(alice).post(url + "resolve/", {"outcome": "refund"}, format="json"),
        "stranger confirms": api_as(eve).post(url + "confirm/", format="json"),
        "stranger reads": api_as(eve).get(url),
        "stranger's credit note": api_as(eve).get(url + "credit-note/"),
    }

    assert {what: r.status_code for what, r in refused.items()} == {
        "buyer ships": 403,
        "seller confirms": 403,
        "seller disputes": 403,
        "buyer resolves": 403,
        "stranger confirms": 404,
        "stranger reads": 404,
        "stranger's credit note": 404,
    }
    assert refused["buyer resolves"].json()["code"] == "not_allowed"
    assert parcel_state(paid["bob"]) == before


@pytest.mark.parametrize(
    "body",
    [{}, {"reason": "damaged"}, {"reason": "damaged", "message": ""}, {"reason": "lost", "message": "x"},
     {"reason": "damaged", "message": "x" * 10_000}, {"reason": "damaged", "message": "a\x00b"}],
)  # fmt: skip
def test_bad_dispute_input_is_a_400_and_changes_nothing(paid, alice, bob, api_as, body):
    services.ship_parcel(parcel_id=paid["bob"], seller_id=bob.user_id)
    before = parcel_state(paid["bob"])

    response = api_as(alice).post(PARCEL.format(paid["bob"]) + "dispute/", body, format="json")

    assert response.status_code == 400
    assert parcel_state(paid["bob"]) == before


def test_wrong_states_are_409_invalid_status(paid, alice, bob, api_as):
    url = PARCEL.format(paid["bob"])

    confirm_unshipped = api_as(alice).post(url + "confirm/", format="json")
    services.ship_parcel(parcel_id=paid["bob"], seller_id=bob.user_id)
    cancel_shipped = api_as(bob).post(url + "cancel/", {}, format="json")

    assert (confirm_unshipped.status_code, confirm_unshipped.json()["code"]) == (409, "invalid_status")
    assert (cancel_shipped.status_code, cancel_shipped.json()["code"]) == (409, "invalid_status")


# --- API -------------------------------------------------------------------------------------


def test_the_whole_path_through_the_api(paid, alice, bob, moderator, api_as, django_capture_on_commit_callbacks):
    url = PARCEL.format(paid["bob"])
    shipped = api_as(bob).post(url + "ship/", {"carrier": "Royal Mail", "tracking_code": "RM-42"}, format="json")
    assert (shipped.status_code, shipped.json()["status"], shipped.json()["tracking_code"]) == (200, "shipped", "RM-42")
    disputed = api_as(alice).post(
        url + "dispute/", {"reason": "not_as_described", "message": "Blue, not red."}, format="json"
    )
    assert disputed.json()["dispute"]["message"] == "Blue, not red."
    assert (
        api_as(alice).post(url + "dispute/", {"reason": "other", "message": "again"}, format="json").status_code == 200
    )

    with django_capture_on_commit_callbacks(execute=True):
        resolved = api_as(moderator).post(url + "resolve/", {"outcome": "refund", "amount": "20.00"}, format="json")

    body = resolved.json()
    assert (resolved.status_code, body["status"], body["refunded_amount"]) == (200, "refunded", "20.00")
    assert body["credit_note"]["number"].startswith("CN-")
    pdf = api_as(alice).get(url + "credit-note/")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    order = api_as(alice).get(f"/api/v1/orders/{paid['order_id']}/").json()
    assert order["status"] == "paid"
    assert [(p["seller"], p["status"]) for p in order["parcels"]] == [
        ("bob", "refunded"),
        ("carol", "awaiting_shipment"),
    ]
    wallet = api_as(bob).get("/api/v1/wallet/").json()
    assert (wallet["balance"], wallet["held"]) == ("1005.00", "0.00")


def test_parcel_lists_by_role_and_status_in_constant_queries(
    paid, alice, bob, carol, api_as, django_assert_num_queries
):
    client = api_as(alice)
    client.get("/api/v1/parcels/")  # warm the session and caches

    # count, the page, its history, its lines, the parties' names: whatever the parcels.
    with django_assert_num_queries(5):
        mine = client.get("/api/v1/parcels/?role=buyer").json()

    assert mine["count"] == 2
    assert api_as(bob).get("/api/v1/parcels/?role=seller").json()["count"] == 1
    assert api_as(bob).get("/api/v1/parcels/?role=seller&status=shipped").json()["count"] == 0
    assert api_as(bob).get("/api/v1/parcels/?role=buyer").json()["count"] == 0
    assert api_as(bob).get("/api/v1/parcels/?role=admin").status_code == 400
