"""Real threads on PostgreSQL: transfers and top-ups on the same wallets at once."""

import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments import services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_threads_of_transfers_and_top_ups_keep_money_consistent(
    make_user, concurrently, assert_money_invariants
):
    users = [make_user(f"racer{i}") for i in range(4)]
    ids = [u.user_id for u in users]
    circulating_before = sum(services.get_wallet(user_id=i).balance for i in ids)
    rng = random.Random(7)
    plans = [
        [(rng.choice(ids), rng.choice(ids), Decimal(rng.randint(50, 400)), rng.random() < 0.25) for _ in range(10)]
        for _ in range(20)
    ]

    def run(index: int) -> dict:
        outcome = {"top_ups": Decimal("0"), "refused": 0}
        for payer, payee, amount, is_top_up in plans[index]:
            try:
                if is_top_up:
                    services.top_up(user_id=payer, amount=amount)
                    outcome["top_ups"] += amount
                elif payer != payee:
                    services.transfer(payer_id=payer, payees={payee: amount})
            except services.InsufficientFunds:
                outcome["refused"] += 1
        return outcome

    results = concurrently(run, threads=20)

    assert not [r for r in results if isinstance(r, Exception)], results
    topped_up = sum(r["top_ups"] for r in results)
    circulating_after = sum(services.get_wallet(user_id=i).balance for i in ids)
    assert circulating_after == circulating_before + topped_up
    assert all(services.get_wallet(user_id=i).balance >= 0 for i in ids)
    assert_money_invariants()


def test_twenty_threads_draining_one_wallet_never_overdraw_it(make_user, concurrently, assert_money_invariants):
    payer = make_user("spender")
    payees = [make_user(f"payee{i}") for i in range(20)]

    def pay(index: int) -> str:
        try:
            services.transfer(payer_id=payer.user_id, payees={payees[index].user_id: Decimal("100.00")})
        except services.InsufficientFunds:
            return "refused"
        return "paid"

    outcomes = concurrently(pay, threads=20)

    assert sorted(outcomes) == ["paid"] * 10 + ["refused"] * 10
    assert services.get_wallet(user_id=payer.user_id).balance == Decimal("0.00")
    received = sum(services.get_wallet(user_id=p.user_id).balance - Decimal("1000.00") for p in payees)
    assert received == Decimal("1000.00")
    assert_money_invariants()


def test_transfer_locks_wallets_in_id_order_before_updating(alice, bob):
    with CaptureQueriesContext(connection) as queries:
        services.transfer(payer_id=bob.user_id, payees={alice.user_id: "1.00"})

    sql = [q["sql"] for q in queries.captured_queries]
    lock_at = next(i for i, s in enumerate(sql) if "FOR UPDATE" in s)
    update_at = next(i for i, s in enumerate(sql) if s.startswith('UPDATE "payments_wallet"'))
    assert lock_at < update_at
    assert sql[lock_at].endswith("ORDER BY 1 ASC FOR UPDATE")  # column 1 is the id
