"""The demo's pictures (issue 15 part 7): drawn per subcategory, in the item's colour."""

import io

import pytest
from PIL import Image

from catalogue import demo, demo_pictures, services
from catalogue.models import Item


def test_every_subcategory_has_its_own_drawing():
    slugs = {child_slug for _, _, children in demo.TREE for child_slug, _, _ in children}
    assert slugs - set(demo_pictures._DRAWERS) == set()


def test_a_picture_is_a_jpeg_in_the_items_colour_and_varies_with_the_seed():
    red = demo_pictures.draw_picture(category_slug="kitchen", colour="red", seed=1)
    blue = demo_pictures.draw_picture(category_slug="kitchen", colour="blue", seed=1)
    other_seed = demo_pictures.draw_picture(category_slug="kitchen", colour="red", seed=2)

    with Image.open(io.BytesIO(red)) as image:
        assert (image.format, image.size) == ("JPEG", (640, 480))
        colours = {colour for _, colour in image.getcolors(640 * 480)}
    assert any(r > 150 and g < 90 and b < 90 for r, g, b in colours)  # the red mug is there
    assert len({red, blue, other_seed}) == 3
    assert demo_pictures.draw_picture(category_slug="kitchen", colour="red", seed=1) == red  # deterministic


@pytest.mark.parametrize(("text", "colour"), [("Mug (forest green)", "forest green"), ("Sofa in navy", "navy")])
def test_the_colour_comes_from_the_listing(text, colour):
    import random

    assert demo_pictures.colour_of(text, random.Random(0)) == colour


def test_demo_items_get_a_picture_and_a_thumbnail(alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.load_demo_catalogue(seller_ids=[alice.user_id], items=4, pictures=True)

    items = list(Item.objects.all())
    assert len(items) == 4
    for item in items:
        assert item.picture.name.startswith(f"items/{alice.user_id}/") and item.thumbnail.name
        with Image.open(item.thumbnail.path) as thumbnail:
            assert max(thumbnail.size) == 400


def test_the_benchmark_catalogue_draws_nothing(alice):
    services.load_demo_catalogue(seller_ids=[alice.user_id], items=3)
    assert not Item.objects.exclude(picture="").exists()
