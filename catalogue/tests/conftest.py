import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalogue.tests.factories import CategoryFactory, ItemFactory


@pytest.fixture
def tree(db):
    """Electronics > Phones, Audio; Books > Fiction."""
    electronics = CategoryFactory(slug="electronics", name="Electronics", position=0)
    books = CategoryFactory(slug="books", name="Books", position=1)
    return {
        "electronics": electronics,
        "phones": CategoryFactory(slug="phones", name="Phones", parent=electronics, position=0),
        "audio": CategoryFactory(slug="audio", name="Audio", parent=electronics, position=1),
        "books": books,
        "fiction": CategoryFactory(slug="fiction", name="Fiction", parent=books, position=0),
    }


@pytest.fixture
def item_of(tree):
    """item_of(account, **fields) -> Item, in Phones unless told otherwise."""

    def make(account, **fields):
        fields.setdefault("category", tree["phones"])
        return ItemFactory(seller_id=account.user_id, **fields)

    return make


def image_upload(fmt: str = "PNG", size=(800, 600), name: str | None = None) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=fmt)
    extension = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp", "GIF": "gif", "BMP": "bmp"}[fmt]
    content_type = {"JPEG": "image/jpeg"}.get(fmt, f"image/{extension}")
    return SimpleUploadedFile(name or f"photo.{extension}", buffer.getvalue(), content_type=content_type)


@pytest.fixture
def moderator(make_user):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    account = make_user("mod")
    user = get_user_model().objects.get(pk=account.user_id)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name="moderators"))
    return account


@pytest.fixture(autouse=True)
def fresh_cache():
    """The category tree and large browse counts are cached: every test starts cold."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
