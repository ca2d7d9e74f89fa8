"""Read the fault tests' database through the project's models and print one JSON line.

    python -m tests.faults.probe <command> '<json arguments>'

Run in a subprocess with the stack's environment (DATABASE_URL of the private cluster or
of the faults database), so the test process never opens a connection of its own to a
database that is being broken. tests/ is outside the import-linter root packages.
"""

import json
import os
import sys
from decimal import Decimal

import django


def setup_category(args: dict) -> dict:
    from catalogue.models import Category

    category, _ = Category.objects.get_or_create(slug="fault-things", defaults={"name": "Fault things"})
    return {"category_id": category.pk}


def order_state(args: dict) -> dict:
    """Status, expiry reason and invoice of some orders, and the items' counters."""
    from catalogue.models import Item
    from orders.models import Order, OrderHistory
    from payments.models import Invoice

    order_ids = args.get("order_ids", [])
    orders = {
        str(pk): {"status": status} for pk, status in Order.objects.filter(pk__in=order_ids).values_list("pk", "status")
    }
    for order_id, reason in (
        OrderHistory.objects.filter(order_id__in=order_ids).order_by("pk").values_list("order_id", "reason")
    ):
        orders[str(order_id)]["last_reason"] = reason
    for order_id, number, status in Invoice.objects.filter(order_id__in=order_ids).values_list(
        "order_id", "number", "status"
    ):
        orders[str(order_id)]["invoice"] = {"number": number, "status": status}
    invoices_per_order = {}
    for order_id in order_ids:
        invoices_per_order[str(order_id)] = Invoice.objects.filter(order_id=order_id).count()
    items = {
        str(pk): {"quantity": q, "reserved": r}
        for pk, q, r in Item.objects.filter(pk__in=args.get("item_ids", [])).values_list("pk", "quantity", "reserved")
    }
    return {"orders": orders, "items": items, "invoices_per_order": invoices_per_order}


def consistency(args: dict) -> dict:
    """Every invariant the PostgreSQL fault must not break (docs/reliability.md).

    Money: balances equal the ledger, none negative, all sum to zero. Stock: each item's
    reserved equals its lines in orders awaiting payment, and quantity equals the initial
    quantity minus its lines in paid orders. Orders: none left half-made (`new`), every
    paid order has exactly one invoice and
    moved exactly its total once; every order the API acknowledged is there.
    """
    from django.db.models import Count, Sum

    from catalogue.models import Item
    from orders.models import Order, OrderLine
    from payments import services as payments_services
    from payments.models import Invoice, Transfer

    audit = payments_services.audit_ledger()
    initial = {int(k): v for k, v in args.get("initial_quantities", {}).items()}
    stock_errors = []
    for item in Item.objects.filter(pk__in=list(initial)).order_by("pk"):
        held = (
            OrderLine.objects.filter(item_id=item.pk, order__status="awaiting_payment").aggregate(s=Sum("quantity"))[
                "s"
            ]
            or 0
        )
        sold = OrderLine.objects.filter(item_id=item.pk, order__status="paid").aggregate(s=Sum("quantity"))["s"] or 0
        if item.reserved != held or item.quantity != initial[item.pk] - sold or not 0 <= item.reserved <= item.quantity:
            stock_errors.append(
                {"item": item.pk, "quantity": item.quantity, "reserved": item.reserved, "held": held, "sold": sold}
            )
    paid_ids = list(Order.objects.filter(status="paid").values_list("pk", flat=True))
    invoice_counts = dict(
        Invoice.objects.filter(order_id__in=paid_ids)
        .values("order_id")
        .annotate(n=Count("pk"))
        .values_list("order_id", "n")
    )
    # Each paid order moved exactly its total, once; no other order moved any money.
    charged = dict(
        Transfer.objects.filter(kind="payment")
        .values("reference")
        .annotate(s=Sum("amount"))
        .values_list("reference", "s")
    )
    totals = dict(Order.objects.filter(status="paid").values_list("pk", "total"))
    charge_errors = sorted(
        {ref for ref, amount in charged.items() if totals.get(int(ref.split(":")[1])) != amount}
        | {f"order:{pk}" for pk in totals if f"order:{pk}" not in charged}
    )
    orders_by_status = dict(Order.objects.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    known = {int(k): v for k, v in args.get("acknowledged", {}).items()}
    statuses = dict(Order.objects.filter(pk__in=list(known)).values_list("pk", "status"))
    lost = sorted(
        order_id
        for order_id, status in known.items()
        if order_id not in statuses or (status == "paid" and statuses[order_id] != "paid")
    )
    return {
        "money_consistent": audit.consistent,
        "total_balance": str(audit.total_balance),
        "wallets_checked": audit.wallets_checked,
        "mismatched_wallets": list(audit.mismatched_wallet_ids),
        "negative_wallets": list(audit.negative_wallet_ids),
        "stock_errors": stock_errors,
        "items_checked": len(initial),
        "orders_by_status": orders_by_status,
        "charge_errors": charge_errors,
        "paid_without_one_invoice": sorted(i for i in paid_ids if invoice_counts.get(i) != 1),
        "acknowledged_but_lost": lost,
        "orders_checked": sum(orders_by_status.values()),
    }


def consequences(args: dict) -> dict:
    """What the outbox must have delivered for some paid orders, counted to catch losses
    and duplicates: notifications per (order, recipient, kind), e-mails, invoices, and the
    outbox rows still waiting or dead."""
    from django.db.models import Count

    from notifications.models import Notification
    from outbox.models import Message
    from payments.models import Invoice

    order_ids = args["order_ids"]
    notifications = Notification.objects.filter(order_id__in=order_ids, status="paid")
    per_key = notifications.values("order_id", "recipient_id", "kind").annotate(n=Count("pk"))
    return {
        "paid_notifications": notifications.count(),
        "duplicated_notifications": sum(1 for row in per_key if row["n"] != 1),
        "buyer_notified_orders": notifications.filter(kind="order_status").values("order_id").distinct().count(),
        "seller_notified_orders": notifications.filter(kind="sale").values("order_id").distinct().count(),
        "emails": dict(notifications.values("email_status").annotate(n=Count("pk")).values_list("email_status", "n")),
        "email_attempts_over_one": notifications.filter(email_attempts__gt=1).count(),
        "invoices": dict(
            Invoice.objects.filter(order_id__in=order_ids)
            .values("status")
            .annotate(n=Count("pk"))
            .values_list("status", "n")
        ),
        "outbox": dict(Message.objects.values("status").annotate(n=Count("pk")).values_list("status", "n")),
    }


COMMANDS = {
    "setup_category": setup_category,
    "order_state": order_state,
    "consistency": consistency,
    "consequences": consequences,
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    django.setup()
    command, raw = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "{}"
    result = COMMANDS[command](json.loads(raw))
    print(json.dumps(result, default=lambda v: str(v) if isinstance(v, Decimal) else repr(v)))


if __name__ == "__main__":
    main()
