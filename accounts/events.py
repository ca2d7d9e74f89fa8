"""Signals published by accounts.

`user_created` is sent INSIDE the transaction that creates the user (unlike the
after-commit events of orders) so that listeners, such as payments opening the wallet,
commit or roll back together with the user (DESIGN §2 Wallets).
"""

from django.dispatch import Signal

# kwargs: user_id: int
user_created = Signal()
