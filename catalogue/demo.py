"""Demo catalogue: a realistic category tree and listings (for `make run` and `make bench`).

Deterministic for a given seed, so two runs (and the benchmark) see the same data.
"""

import random
from decimal import Decimal

# (slug, name, [(slug, name, [(product, low price, high price), ...]), ...])
TREE = [
    ("electronics", "Electronics", [
        ("phones", "Phones", [("Refurbished smartphone, 128 GB", 90, 420), ("Android phone with charger", 60, 250),
                              ("Flip phone for seniors", 25, 70), ("Phone case, leather", 8, 35)]),
        ("computers", "Computers", [("13-inch laptop, 16 GB RAM", 300, 950), ("Mechanical keyboard", 35, 160),
                                    ("27-inch monitor", 110, 380), ("Wireless mouse", 9, 45)]),
        ("audio", "Audio", [("Over-ear headphones", 40, 300), ("Bluetooth speaker", 20, 140),
                            ("Turntable with belt drive", 80, 400), ("Bookshelf speakers, pair", 60, 350)]),
    ]),
    ("home-garden", "Home & Garden", [
        ("furniture", "Furniture", [("Oak dining table", 120, 600), ("Armchair, green velvet", 80, 320),
                                    ("Bookcase, five shelves", 40, 180), ("Bedside table", 20, 90)]),
        ("kitchen", "Kitchen", [("Cast-iron skillet, 28 cm", 15, 60), ("Espresso machine", 70, 450),
                                ("Set of six ceramic mugs", 12, 40), ("Chef's knife, 20 cm", 25, 140)]),
        ("garden", "Garden", [("Terracotta pots, set of three", 10, 45), ("Cordless hedge trimmer", 40, 160),
                              ("Wooden garden bench", 60, 240), ("Heirloom tomato seedlings", 3, 12)]),
    ]),
    ("fashion", "Fashion", [
        ("women", "Women", [("Wool winter coat", 40, 220), ("Linen summer dress", 15, 80),
                            ("Leather ankle boots", 30, 150), ("Silk scarf", 10, 60)]),
        ("men", "Men", [("Denim jacket", 25, 110), ("Merino crew-neck jumper", 20, 95),
                        ("Oxford shoes, brown", 35, 170), ("Waxed cotton cap", 8, 40)]),
        ("accessories", "Accessories", [("Canvas backpack", 18, 90), ("Automatic wristwatch", 60, 600),
                                        ("Sunglasses, polarised", 12, 120), ("Leather belt", 10, 55)]),
    ]),
    ("books", "Books", [
        ("fiction", "Fiction", [("Paperback crime novel", 2, 9), ("Signed first edition novel", 40, 300),
                                ("Box set of fantasy trilogy", 15, 45), ("Classic novels, cloth bound", 6, 25)]),
        ("non-fiction", "Non-fiction", [("Illustrated history of cartography", 15, 70), ("Field guide to birds", 8, 30),
                                        ("Cookbook, Mediterranean", 6, 28), ("Travel guide, Japan", 5, 20)]),
        ("comics", "Comics", [("Graphic novel, hardcover", 10, 45), ("Manga volumes 1-10", 25, 80),
                              ("Vintage comic, 1970s issue", 15, 200)]),
    ]),
    ("sports", "Sports & Outdoors", [
        ("cycling", "Cycling", [("Road bike, 56 cm frame", 250, 1400), ("Bike helmet, size M", 20, 90),
                                ("Clip-on bike lights", 8, 40), ("Panniers, waterproof pair", 30, 120)]),
        ("camping", "Camping", [("Two-person tent", 40, 260), ("Down sleeping bag", 50, 300),
                                ("Camping stove", 18, 90), ("Headtorch, 300 lumen", 10, 50)]),
        ("fitness", "Fitness", [("Adjustable dumbbells, pair", 40, 250), ("Yoga mat, 6 mm", 10, 45),
                                ("Rowing machine", 150, 800), ("Kettlebell, 16 kg", 20, 70)]),
    ]),
    ("toys-games", "Toys & Games", [
        ("board-games", "Board games", [("Strategy board game, complete", 15, 70), ("Chess set, wooden", 20, 120),
                                        ("Jigsaw puzzle, 1000 pieces", 5, 25)]),
        ("building", "Building sets", [("Brick set, space station", 30, 220), ("Wooden train set", 20, 90),
                                       ("Marble run, 120 pieces", 15, 60)]),
        ("video-games", "Video games", [("Console game, sealed", 20, 70), ("Handheld console", 90, 320),
                                        ("Retro console with two pads", 50, 220)]),
    ]),
    ("music", "Musical Instruments", [
        ("guitars", "Guitars", [("Acoustic guitar, solid top", 120, 900), ("Electric guitar, sunburst", 150, 1200),
                                ("Guitar amplifier, 20 W", 50, 250)]),
        ("keys", "Keyboards & Pianos", [("Digital piano, 88 keys", 250, 1100), ("MIDI controller, 49 keys", 50, 200),
                                        ("Synthesiser, analogue", 300, 1500)]),
    ]),
    ("collectibles", "Collectibles & Art", [
        ("art", "Art", [("Framed watercolour landscape", 40, 400), ("Limited screen print, signed", 60, 500),
                        ("Small bronze sculpture", 90, 900)]),
        ("coins-stamps", "Coins & Stamps", [("Stamp album, 1950s Europe", 30, 250),
                                            ("Silver coin, uncirculated", 25, 180),
                                            ("Postcard collection, 200 cards", 20, 120)]),
    ]),
    ("baby-kids", "Baby & Kids", [
        ("prams", "Prams & Car seats", [("Three-wheel pram", 80, 450), ("Car seat, group 1", 35, 160)]),
        ("kids-clothing", "Kids' clothing", [("Snowsuit, age 2-3", 12, 45), ("Bundle of school uniforms", 8, 30),
                                             ("Rain boots, size 28", 6, 20)]),
    ]),
    ("photography", "Photography", [
        ("cameras", "Cameras", [("Mirrorless camera body", 350, 1400), ("35 mm film camera", 60, 450),
                                ("Instant camera", 40, 120)]),
        ("lenses", "Lenses", [("50 mm f/1.8 prime lens", 80, 300), ("Telephoto zoom lens", 200, 1100),
                              ("Tripod, carbon fibre", 60, 280)]),
    ]),
]  # fmt: skip

# (Item.Condition value, what the seller says about it), in the proportions of a
# second-hand shop: mostly used goods, some as new.
CONDITIONS = [
    ("like_new", "Used only a handful of times and kept in its box."),
    ("good", "Light signs of use, fully working, no damage."),
    ("good", "Some visible wear, everything works as it should."),
    ("new", "Brand new and unopened; an unwanted gift."),
    ("fair", "Honest wear from years of use, priced to match."),
]
EXTRAS = [
    "Collection in person or posted the day after payment.",
    "Comes from a smoke-free, pet-free home.",
    "Original receipt included.",
    "Happy to answer questions before you buy.",
    "Selling because I am moving flat.",
    "Cleaned and checked before listing.",
    "Bundle discount if you buy two of my items.",
]
COLOURS = ["black", "white", "navy", "forest green", "grey", "red", "natural", "sand", "blue", "mustard"]


def ensure_categories(category_model) -> list:
    """Create the tree once (by slug); return the subcategories, the ones items go in."""
    leaves = []
    for top_position, (slug, name, children) in enumerate(TREE):
        top, _ = category_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": top_position, "parent": None}
        )
        for position, (child_slug, child_name, products) in enumerate(children):
            child, _ = category_model.objects.get_or_create(
                slug=child_slug, defaults={"name": child_name, "position": position, "parent": top}
            )
            leaves.append((child, products))
    return leaves


def generate_items(*, seller_ids: list[int], categories: list, count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        category, products = categories[index % len(categories)]
        product, low, high = rng.choice(products)
        condition, condition_text = rng.choice(CONDITIONS)
        colour = rng.choice(COLOURS)
        price = Decimal(rng.randint(low * 100, high * 100)) / 100
        if price >= 20:
            price = price.quantize(Decimal("1")) - Decimal("0.01")  # prices like 149.99
        quantity = rng.choice([0, 1, 1, 1, 1, 2, 2, 3, 5, 10])
        rows.append(
            {
                "seller_id": seller_ids[index % len(seller_ids)],
                "category": category,
                "title": f"{product} ({colour})",
                "condition": condition,
                "description": f"{product} in {colour}. {condition_text} {rng.choice(EXTRAS)} {rng.choice(EXTRAS)}",
                "price": max(price, Decimal("1.00")),
                "quantity": quantity,
            }
        )
    return rows
