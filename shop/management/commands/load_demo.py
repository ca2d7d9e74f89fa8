"""Demo data for `make run`: loaded once, on the first run (DESIGN §6)."""

import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts import services as accounts_services
from catalogue import services as catalogue_services
from orders import services as orders_services
from shop.common.migration_helpers import MODERATORS_GROUP

# Not a secret: these are throw-away logins for a local demo database.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "market-day-2026")
DEMO_USERS = ("alice", "bob", "moderator")


class Command(BaseCommand):
    help = "Create the demo users (alice, bob, moderator) and their listings, once."

    def handle(self, *args, **options) -> None:
        if accounts_services.find_user_id(username="alice") is not None:
            self.stdout.write("Demo data already loaded.")
            self._print_logins()
            return
        accounts = {
            name: accounts_services.register_user(username=name, email=f"{name}@bazaar.example", password=DEMO_PASSWORD)
            for name in DEMO_USERS
        }
        moderator = get_user_model().objects.get(pk=accounts["moderator"].user_id)
        moderator.is_staff = True
        moderator.save(update_fields=["is_staff"])
        moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
        self.stdout.write(self.style.SUCCESS("Demo users created."))
        listed = catalogue_services.load_demo_catalogue(
            seller_ids=[accounts["alice"].user_id, accounts["bob"].user_id], items=300
        )
        self.stdout.write(self.style.SUCCESS(f"Demo catalogue: {listed} items listed by alice and bob."))
        parcels = orders_services.load_demo_parcels(
            buyer_id=accounts["bob"].user_id,
            seller_id=accounts["alice"].user_id,
            moderator_id=accounts["moderator"].user_id,
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo parcels: {parcels} bought by bob from alice, one per fulfilment state.")
        )
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write("Demo logins (username / password):")
        for name in DEMO_USERS:
            self.stdout.write(f"  {name} / {DEMO_PASSWORD}")
