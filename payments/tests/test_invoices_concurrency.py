"""Real threads on PostgreSQL: invoice numbers stay unique and gap-free (DESIGN §2 Invoices)."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payments import services
from payments.models import Invoice, InvoiceCounter
from payments.tests.test_invoices import draft_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_payments_get_unique_gap_free_numbers(make_user, concurrently, assert_money_invariants):
    sellers = [make_user(f"seller{i}") for i in range(3)]
    buyers = [make_user(f"buyer{i}") for i in range(16)]
    # Every fourth buyer cannot afford the order: their refusals must not burn a number.
    drafts = [
        draft_for(
            buyer,
            [
                (sellers[i % 3], "Lamp", 1, "10.00"),
                (sellers[(i + 1) % 3], "Chair", 1, "2000.00" if i % 4 == 0 else "5.00"),
            ],
            order_id=5000 + i,
        )
        for i, buyer in enumerate(buyers)
    ]

    results = concurrently(lambda i: services.settle_order(draft=drafts[i]), threads=16)

    refused = [r for r in results if isinstance(r, services.InsufficientFunds)]
    assert len(refused) == 4
    assert all(isinstance(r, services.Settlement) for r in results if r not in refused), results
    year = timezone.now().year
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 13))
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [f"INV-{year}-{n:06d}" for n in range(1, 13)]
    assert InvoiceCounter.objects.get(year=year).last_number == 12
    paid_orders = {d.order_id for d, r in zip(drafts, results, strict=True) if isinstance(r, services.Settlement)}
    assert set(Invoice.objects.values_list("order_id", flat=True)) == paid_orders
    assert {r.invoice_id for r in results if isinstance(r, services.Settlement)} == set(
        Invoice.objects.values_list("pk", flat=True)
    )
    assert services.get_wallet(user_id=buyers[1].user_id).balance == Decimal("985.00")
    assert_money_invariants()


def test_the_first_invoices_of_a_new_year_race_onto_one_counter_row(make_user, concurrently):
    seller = make_user("seller")
    buyers = [make_user(f"buyer{i}") for i in range(8)]
    new_year = timezone.now().replace(year=2031, month=1, day=1)
    drafts = [draft_for(b, [(seller, "Cup", 1, "1.00")], paid_at=new_year) for b in buyers]

    results = concurrently(lambda i: services.settle_order(draft=drafts[i]), threads=8)

    assert all(isinstance(r, services.Settlement) for r in results), results
    assert sorted(Invoice.objects.filter(year=2031).values_list("sequence", flat=True)) == list(range(1, 9))
    assert InvoiceCounter.objects.get(year=2031).last_number == 8


def test_the_counter_is_locked_after_the_wallets(make_user):
    buyer, seller = make_user("buyer"), make_user("seller")
    services.settle_order(draft=draft_for(buyer, [(seller, "Cup", 1, "1.00")]))  # the year's row exists

    # As in orders.pay_order: the caller's transaction; the on-commit render comes later.
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        services.settle_order(draft=draft_for(buyer, [(seller, "Mug", 1, "2.00")]))

    sql = [q["sql"] for q in queries.captured_queries]
    wallet_lock = next(i for i, s in enumerate(sql) if 'FROM "payments_wallet"' in s and "FOR UPDATE" in s)
    # The counter's row lock is taken by its UPDATE … RETURNING, and held until commit.
    counter_lock = next(i for i, s in enumerate(sql) if s.startswith("UPDATE payments_invoicecounter"))
    invoice_insert = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "payments_invoice"'))
    assert "RETURNING last_number" in sql[counter_lock]
    assert wallet_lock < counter_lock < invoice_insert
    assert not [s for s in sql[counter_lock + 1 :] if "FOR UPDATE" in s]  # nothing locked after the counter
