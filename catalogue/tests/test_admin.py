import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group

from catalogue.models import Category, Item

CHANGELIST = "/admin/catalogue/item/"


def test_moderators_have_the_catalogue_rights(db):
    codenames = set(
        Group.objects.get(name="moderators")
        .permissions.filter(content_type__app_label="catalogue")
        .values_list("codename", flat=True)
    )

    assert codenames == {"view_item", "change_item", "add_category", "change_category", "view_category"}


def test_moderator_hides_and_unhides_items_in_bulk(client_as, moderator, alice, item_of):
    active, other, withdrawn = item_of(alice), item_of(alice), item_of(alice, status="withdrawn")
    client = client_as(moderator)
    ids = [active.pk, other.pk, withdrawn.pk]

    response = client.post(CHANGELIST, {"action": "hide_selected", "_selected_action": ids}, follow=True)

    assert response.status_code == 200
    assert "2 item(s) hidden; 1 were not active." in response.content.decode()
    assert dict(Item.objects.values_list("pk", "status")) == {
        active.pk: "hidden",
        other.pk: "hidden",
        withdrawn.pk: "withdrawn",
    }
    assert LogEntry.objects.filter(change_message="Hidden by a moderator.").count() == 3

    client.post(CHANGELIST, {"action": "unhide_selected", "_selected_action": [active.pk]})
    assert dict(Item.objects.values_list("pk", "status")) == {
        active.pk: "active",
        other.pk: "hidden",
        withdrawn.pk: "withdrawn",
    }


def test_moderator_hides_one_item_from_its_page_and_cannot_edit_the_rest(client_as, moderator, alice, item_of):
    item = item_of(alice, title="Fake watch", quantity=3, reserved=1)
    client = client_as(moderator)
    url = f"{CHANGELIST}{item.pk}/change/"

    assert client.get(url).status_code == 200
    response = client.post(url, {"hidden": "on", "title": "Changed", "quantity": "0", "reserved": "0"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.title, item.quantity, item.reserved) == ("hidden", "Fake watch", 3, 1)
    client.post(url, {})
    assert Item.objects.get(pk=item.pk).status == "active"


def test_moderator_cannot_add_or_delete_items(client_as, moderator, alice, item_of):
    item = item_of(alice)
    client = client_as(moderator)

    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{item.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Item.objects.filter(pk=item.pk).exists()


def test_moderator_manages_categories_in_two_levels(client_as, moderator, tree):
    client = client_as(moderator)

    created = client.post(
        "/admin/catalogue/category/add/",
        {"name": "Tablets", "slug": "tablets", "parent": tree["electronics"].pk, "position": 2},
    )
    assert created.status_code == 302
    assert Category.objects.get(slug="tablets").parent == tree["electronics"]

    too_deep = client.post(
        "/admin/catalogue/category/add/", {"name": "iPads", "slug": "ipads", "parent": tree["phones"].pk, "position": 0}
    )
    assert too_deep.status_code == 200
    assert "parent" in too_deep.context["adminform"].form.errors
    assert not Category.objects.filter(slug="ipads").exists()


@pytest.mark.django_db
def test_a_category_with_children_cannot_move_under_another(tree):
    from django.core.exceptions import ValidationError

    electronics = tree["electronics"]
    electronics.parent = tree["books"]

    with pytest.raises(ValidationError):
        electronics.full_clean()
