"""Demo data for `make run`: loaded once, on the first run (DESIGN §6).

A living marketplace (issue 15 part 7): five sellers with names, 300 listings with a
picture each (drawn at load time, catalogue.demo_pictures), completed purchases with
reviews and replies, an open parcel, conversations and favourites. Everything goes
through the services, so the wallets, escrow, ledger and ratings add up like real ones.
"""

import os
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts import services as accounts_services
from cart import services as cart_services
from catalogue import services as catalogue_services
from community import services as community_services
from orders import services as orders_services
from shop.common.migration_helpers import MODERATORS_GROUP

# Not a secret: these are throw-away logins for a local demo database.
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "market-day-2026")
# username: (first name, last name); the first four sell, everyone buys.
DEMO_PEOPLE = {
    "alice": ("Alice", "Martin"),
    "bob": ("Bob", "Okafor"),
    "carol": ("Carol", "Nguyen"),
    "dave": ("Dave", "Schmidt"),
    "erin": ("Erin", "Walsh"),
}
SELLERS = ("alice", "bob", "carol", "dave")
DEMO_USERS = (*DEMO_PEOPLE, "moderator")

REVIEWS = [
    (5, "Exactly as described and posted the next morning. Thank you!", "Glad you like it, enjoy!"),
    (5, "Lovely condition, well packed.", ""),
    (4, "Good item, shipping took a few days.", "Sorry for the wait: the post office was closed on Monday."),
    (5, "", ""),
    (3, "Works, but more wear than the photos showed.", "Thanks for the honest feedback, I will add more photos."),
    (4, "Friendly seller, quick answers.", ""),
    (5, "Second purchase from this seller, always great.", "Thank you for coming back!"),
    (2, "Arrived late and the box was damaged.", "I am sorry: I have changed carriers since."),
]
QUESTIONS = [
    ("Hello! Is this still available, and could you post it this week?", "Yes, it is. I can post it tomorrow."),
    ("Does it come with the original box?", "It does, and the receipt too."),
    ("Would you take less if I buy two of your items?", "Happy to: add both to your cart and I will refund 5."),
    ("Any scratches not visible in the picture?", ""),
]


class Command(BaseCommand):
    help = "Create the demo people, listings with pictures, purchases, reviews, messages and favourites, once."

    def handle(self, *args, **options) -> None:
        if accounts_services.find_user_id(username="alice") is not None:
            self.stdout.write("Demo data already loaded.")
            self._print_logins()
            return
        accounts = {}
        for name, (first, last) in DEMO_PEOPLE.items():
            account = accounts_services.register_user(
                username=name, email=f"{name}@bazaar.example", password=DEMO_PASSWORD
            )
            accounts[name] = accounts_services.update_profile(user_id=account.user_id, first_name=first, last_name=last)
        accounts["moderator"] = accounts_services.register_user(
            username="moderator", email="moderator@bazaar.example", password=DEMO_PASSWORD
        )
        moderator = get_user_model().objects.get(pk=accounts["moderator"].user_id)
        moderator.is_staff = True
        moderator.save(update_fields=["is_staff"])
        moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
        self.stdout.write(self.style.SUCCESS("Demo users created."))
        listed = catalogue_services.load_demo_catalogue(
            seller_ids=[accounts[name].user_id for name in SELLERS], items=300, pictures=True
        )
        self.stdout.write(self.style.SUCCESS(f"Demo catalogue: {listed} items with pictures."))
        parcels = orders_services.load_demo_parcels(
            buyer_id=accounts["bob"].user_id,
            seller_id=accounts["alice"].user_id,
            moderator_id=accounts["moderator"].user_id,
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo parcels: {parcels} bought by bob from alice, one per fulfilment state.")
        )
        self._community(accounts)
        self._print_logins()

    def _community(self, accounts: dict) -> None:
        """Purchases (completed and one waiting), reviews, conversations and favourites."""
        rng = random.Random(2026)
        ids = {name: account.user_id for name, account in accounts.items()}
        listings = {name: list(catalogue_services.list_seller_cards(seller_id=ids[name])[:300]) for name in SELLERS}
        affordable = {
            name: [card for card in cards if card.available > 0 and card.price <= Decimal("60.00")]
            for name, cards in listings.items()
        }
        reviews = 0
        pairs = [(buyer, seller) for buyer in DEMO_PEOPLE for seller in SELLERS if buyer != seller]
        rng.shuffle(pairs)
        for index, (buyer, seller) in enumerate(pairs[:11]):
            if not affordable[seller]:
                continue
            card = affordable[seller].pop()
            cart_services.add_to_cart(user_id=ids[buyer], item_id=card.id, quantity=1)
            order = orders_services.place_order(buyer_id=ids[buyer]).order
            orders_services.pay_order(order_id=order.order_id, buyer_id=ids[buyer])
            (parcel,) = orders_services.get_parcels_of_orders(order_ids=[order.order_id])[order.order_id]
            if index == 10:
                continue  # one parcel left waiting for its seller to ship it
            orders_services.ship_parcel(parcel_id=parcel.parcel_id, seller_id=ids[seller], carrier="Royal Mail")
            orders_services.confirm_parcel(parcel_id=parcel.parcel_id, buyer_id=ids[buyer])
            rating, text, reply = REVIEWS[index % len(REVIEWS)]
            review = community_services.review_parcel(
                parcel_id=parcel.parcel_id, buyer_id=ids[buyer], rating=rating, text=text
            )
            if reply:
                community_services.reply_to_review(review_id=review.review_id, seller_id=ids[seller], text=reply)
            reviews += 1
        conversations = 0
        for (question, answer), (buyer, seller) in zip(QUESTIONS, pairs[11:], strict=False):
            card = rng.choice([card for card in listings[seller] if card.available > 0])
            posted = community_services.start_conversation(item_id=card.id, buyer_id=ids[buyer], body=question)
            if answer:
                community_services.post_message(
                    conversation_id=posted.conversation.conversation_id, sender_id=ids[seller], body=answer
                )
            conversations += 1
        favourites = 0
        for buyer in DEMO_PEOPLE:
            others = [card for seller in SELLERS if seller != buyer for card in listings[seller] if card.available > 0]
            for card in rng.sample(others, 6):
                community_services.add_favourite(user_id=ids[buyer], item_id=card.id)
                favourites += 1
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo community: {reviews} reviewed purchases, {conversations} conversations, {favourites} favourites."
            )
        )

    def _print_logins(self) -> None:
        self.stdout.write("Demo logins (username / password):")
        for name in DEMO_USERS:
            self.stdout.write(f"  {name} / {DEMO_PASSWORD}")
