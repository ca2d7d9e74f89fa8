"""Listeners to other apps' events."""

from payments import services


def open_wallet_for_new_user(sender, user_id: int, **kwargs) -> None:
    # Runs inside the transaction that creates the user (accounts.events), so a user
    # never exists without a wallet and its opening credit.
    services.open_wallet(user_id=user_id)
