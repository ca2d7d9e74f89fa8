from decimal import Decimal

import pytest

from payments import services
from payments.models import Transfer, Wallet
from shop.common.errors import InvalidInput

TOP_UP = "/api/v1/wallet/top-up/"


@pytest.mark.django_db
def test_wallet_opened_at_signup_from_treasury(alice, assert_money_invariants):
    wallet = services.get_wallet(user_id=alice.user_id)

    assert wallet.balance == Decimal("1000.00")
    opening = Transfer.objects.get(destination_id=wallet.wallet_id)
    assert opening.kind == "opening"
    assert opening.source.kind == "treasury"
    assert_money_invariants()


@pytest.mark.django_db
def test_top_up_api_credits_wallet_and_ledger(api_as, alice, assert_money_invariants):
    client = api_as(alice)

    response = client.post(TOP_UP, {"amount": "250.50"})

    assert response.status_code == 200
    assert response.json() == {"balance": "1250.50", "held": "0.00", "currency": "credits"}
    ledger = client.get("/api/v1/wallet/transactions/").json()
    assert ledger["count"] == 2
    assert [r["amount"] for r in ledger["results"]] == ["250.50", "1000.00"]
    assert ledger["results"][0]["kind"] == "top_up"
    assert_money_invariants()


@pytest.mark.django_db
@pytest.mark.parametrize("amount", ["0", "-5", "10000.01", "abc", "", "1e400", "NaN", "12.345", "Infinity"])
def test_top_up_refuses_bad_amounts_and_changes_nothing(api_as, alice, amount):
    client = api_as(alice)
    transfers_before = Transfer.objects.count()

    response = client.post(TOP_UP, {"amount": amount})

    assert response.status_code == 400
    assert "amount" in response.json()
    assert services.get_wallet(user_id=alice.user_id).balance == Decimal("1000.00")
    assert Transfer.objects.count() == transfers_before


@pytest.mark.django_db
def test_top_up_of_exactly_the_maximum_is_accepted(alice):
    assert services.top_up(user_id=alice.user_id, amount="10000").balance == Decimal("11000.00")


@pytest.mark.django_db
def test_wallet_endpoints_need_authentication(api_client):
    assert api_client.get("/api/v1/wallet/").status_code == 401
    assert api_client.post(TOP_UP, {"amount": "5"}).status_code == 401


@pytest.mark.django_db
def test_each_user_sees_only_their_own_ledger(api_as, alice, bob):
    services.top_up(user_id=bob.user_id, amount=Decimal("5"))

    ledger = api_as(alice).get("/api/v1/wallet/transactions/").json()

    assert [r["amount"] for r in ledger["results"]] == ["1000.00"]


@pytest.mark.django_db
def test_transfer_pays_several_sellers_at_once(alice, bob, make_user, assert_money_invariants):
    carol = make_user("carol")

    receipt = services.transfer(
        payer_id=alice.user_id, payees={bob.user_id: "10.00", carol.user_id: "5.25"}, reference="order:1"
    )

    assert receipt.payer_balance == Decimal("984.75")
    assert services.get_wallet(user_id=bob.user_id).balance == Decimal("1010.00")
    assert services.get_wallet(user_id=carol.user_id).balance == Decimal("1005.25")
    assert len(receipt.transfer_ids) == 2
    assert_money_invariants()


@pytest.mark.django_db
def test_transfer_without_funds_is_refused_and_changes_nothing(alice, bob):
    with pytest.raises(services.InsufficientFunds) as refused:
        services.transfer(payer_id=alice.user_id, payees={bob.user_id: "1000.01"})

    assert refused.value.code == "insufficient_funds"
    assert services.get_wallet(user_id=alice.user_id).balance == Decimal("1000.00")
    assert services.get_wallet(user_id=bob.user_id).balance == Decimal("1000.00")
    assert Transfer.objects.filter(kind="payment").count() == 0


@pytest.mark.django_db
def test_adjustment_goes_through_the_ledger_and_never_below_zero(alice, bob, assert_money_invariants):
    services.adjust_wallet(user_id=alice.user_id, amount=Decimal("-100"), memo="refund reversal", actor_id=bob.user_id)
    assert services.get_wallet(user_id=alice.user_id).balance == Decimal("900.00")

    with pytest.raises(services.InsufficientFunds):
        services.adjust_wallet(user_id=alice.user_id, amount=Decimal("-900.01"), memo="too much", actor_id=bob.user_id)
    with pytest.raises(InvalidInput):
        services.adjust_wallet(user_id=alice.user_id, amount=Decimal("5"), memo="  ", actor_id=bob.user_id)
    assert services.get_wallet(user_id=alice.user_id).balance == Decimal("900.00")
    assert_money_invariants()


@pytest.mark.django_db
def test_ledger_is_append_only(alice):
    transfer = Transfer.objects.first()

    with pytest.raises(ValueError, match="append-only"):
        transfer.save()
    with pytest.raises(ValueError, match="append-only"):
        transfer.delete()


@pytest.mark.django_db
def test_database_refuses_a_negative_user_balance(alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Wallet.objects.filter(user_id=alice.user_id).update(balance=Decimal("-1"))


@pytest.mark.django_db
def test_wallet_page_tops_up_and_shows_form_errors(client_as, alice):
    client = client_as(alice)

    ok = client.post("/wallet/", {"amount": "40"}, follow=True)
    assert b"1,040.00 cr" in ok.content

    bad = client.post("/wallet/", {"amount": "-3"})
    assert bad.status_code == 200
    assert bad.context["form"].errors["amount"] == ["The amount must be greater than zero."]
    assert services.get_wallet(user_id=alice.user_id).balance == Decimal("1040.00")
