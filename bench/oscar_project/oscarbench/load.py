"""Data for the Oscar peer, run with the Oscar environment's Python:

    python -m oscarbench.load catalogue CSV TREE_JSON   # Bazaar's exported catalogue
    python -m oscarbench.load items COUNT QUANTITY      # the purchase run's products
    python -m oscarbench.load buyers COUNT              # prints {"sessions": [...]}

Rows go in with bulk_create, as Bazaar's loader does; Oscar's models are used as Oscar
defines them (products, categories, one partner per Bazaar seller, stock records).
"""

import csv
import json
import sys
from decimal import Decimal

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from oscar.core.loading import get_model  # noqa: E402
from oscar.core.utils import slugify  # noqa: E402

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")
BATCH = 2000


def product_class():
    # Bazaar sells without shipping, so Oscar's checkout skips its address and method steps.
    kind, _ = ProductClass.objects.get_or_create(
        slug="listing", defaults={"name": "Listing", "requires_shipping": False, "track_stock": True}
    )
    return kind


def categories(tree: list[dict]) -> dict[str, Category]:
    """Bazaar's category tree (top level, then children), by slug; made once."""
    by_slug = {c.slug: c for c in Category.objects.all()}
    for row in sorted(tree, key=lambda r: (r["parent"] is not None, r["position"])):
        if row["slug"] in by_slug:
            continue
        if row["parent"] is None:
            node = Category.add_root(name=row["name"], slug=row["slug"])
        else:
            node = by_slug[row["parent"]].add_child(name=row["name"], slug=row["slug"])
        by_slug[row["slug"]] = node
    return by_slug


def partners(seller_ids: set[int]) -> dict[int, Partner]:
    """One Oscar partner per Bazaar seller: the stock record carries who sells it."""
    have = {p.code: p for p in Partner.objects.all()}
    for seller_id in sorted(seller_ids):
        code = f"seller-{seller_id}"
        if code not in have:
            have[code] = Partner.objects.create(code=code, name=f"Seller {seller_id}")
    return {seller_id: have[f"seller-{seller_id}"] for seller_id in seller_ids}


def insert(rows: list[dict], kind, by_slug, by_seller) -> None:
    """Products, their category links and stock records for one batch, in one transaction."""
    with transaction.atomic():
        products = Product.objects.bulk_create(
            [
                Product(
                    title=r["title"],
                    slug=slugify(r["title"])[:255],
                    description=r["description"],
                    product_class=kind,
                    upc=f"bz-{r['id']}",
                    is_public=r["is_public"],
                )
                for r in rows
            ]
        )
        ProductCategory.objects.bulk_create(
            [ProductCategory(product=p, category=by_slug[r["category"]]) for p, r in zip(products, rows, strict=True)]
        )
        StockRecord.objects.bulk_create(
            [
                StockRecord(
                    product=p,
                    partner=by_seller[r["seller_id"]],
                    partner_sku=f"bz-{r['id']}",
                    price=Decimal(r["price"]),
                    price_currency="GBP",
                    num_in_stock=r["quantity"],
                    num_allocated=r["reserved"],
                )
                for p, r in zip(products, rows, strict=True)
            ]
        )


def _row(r: dict) -> dict:
    ints = {key: int(r[key]) for key in ("id", "seller_id", "quantity", "reserved")}
    return {**r, **ints, "is_public": r["status"] == "active"}


def load_catalogue(csv_path: str, tree_path: str) -> None:
    with open(csv_path, newline="") as f:
        rows = [_row(r) for r in csv.DictReader(f)]
    have = Product.objects.count()
    if have >= len(rows):
        print(f"oscar catalogue: {have:,} products already loaded")
        return
    kind = product_class()
    with open(tree_path) as f:
        by_slug = categories(json.load(f))
    by_seller = partners({r["seller_id"] for r in rows})
    loaded = set(Product.objects.values_list("upc", flat=True))
    todo = [r for r in rows if f"bz-{r['id']}" not in loaded]
    for start in range(0, len(todo), BATCH):
        insert(todo[start : start + BATCH], kind, by_slug, by_seller)
    print(f"oscar catalogue: loaded {len(todo):,} products")


def load_items(count: int, quantity: int) -> None:
    """Fresh products with plenty of stock for the purchase run (as bench.checkout makes)."""
    kind = product_class()
    by_slug = categories([{"slug": "bench", "name": "Bench", "parent": None, "position": 0}])
    start = Product.objects.count()
    rows = [
        {"id": f"item-{start + n}", "title": f"Bench thing {start + n}", "description": "", "category": "bench",
         "seller_id": 1, "price": str(Decimal(100 + (start + n) * 37 % 400) / 100), "quantity": quantity,
         "reserved": 0, "is_public": True}
        for n in range(count)
    ]  # fmt: skip
    insert(rows, kind, by_slug, partners({1}))
    ids = list(Product.objects.filter(upc__in=[f"bz-{r['id']}" for r in rows]).values_list("pk", flat=True))
    print(json.dumps({"product_ids": ids}))


def make_buyers(count: int) -> None:
    """Logged-in sessions for the buyers, made here as Bazaar's bench mints its JWTs."""
    User = get_user_model()  # noqa: N806
    sessions = []
    for n in range(1, count + 1):
        email = f"benchbuyer{n:05d}@bench.example"
        user, created = User.objects.get_or_create(username=f"benchbuyer{n:05d}", defaults={"email": email})
        if created:
            user.set_password("Quiet-harbour-lantern-77")
            user.save()
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    print(json.dumps({"sessions": sessions}))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "catalogue":
        load_catalogue(*args)
    elif command == "items":
        load_items(int(args[0]), int(args[1]))
    elif command == "buyers":
        make_buyers(int(args[0]))
    else:
        sys.exit(f"unknown command {command!r}")
