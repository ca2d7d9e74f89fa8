import pytest

from payments import services as payments_services


@pytest.mark.django_db
def test_wallet_balances_are_read_only_in_admin_and_adjusted_through_the_ledger(client_as, moderator, alice):
    moderator_client = client_as(moderator)
    wallet = payments_services.get_wallet(user_id=alice.user_id)
    change = moderator_client.post(f"/admin/payments/wallet/{wallet.wallet_id}/change/", {"balance": "99999"})
    assert change.status_code == 403

    adjusted = moderator_client.post(
        f"/admin/payments/wallet/{wallet.wallet_id}/adjust/", {"amount": "-25.00", "memo": "duplicate top-up"}
    )
    assert adjusted.status_code == 302
    assert payments_services.get_wallet(user_id=alice.user_id).balance == wallet.balance - 25
    assert payments_services.audit_ledger().consistent
