import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


@pytest.mark.django_db
def test_signup_page_creates_account_and_logs_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "erin",
            "email": "erin@example.com",
            "password1": "a-Strong-pass-42",
            "password2": "a-Strong-pass-42",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert response.context["user"].username == "erin"
    assert b"Welcome to Bazaar, erin" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"username": "alice", "email": "x@example.com"}, "username", "already exists"),
        ({"username": "zed", "email": "alice@example.com"}, "email", "already exists"),
        (
            {"username": "zed", "email": "z@example.com", "password1": "short", "password2": "short"},
            "password1",
            "too short",
        ),
        ({"username": "zed", "email": "z@example.com", "password2": "different-Pass-99"}, "password2", "differ"),
    ],
)
def test_signup_page_shows_field_errors(client, alice, data, field, message):
    form = {"password1": "a-Strong-pass-42", "password2": "a-Strong-pass-42", **data}
    users_before = get_user_model().objects.count()

    response = client.post("/accounts/signup/", form)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert get_user_model().objects.count() == users_before


@pytest.mark.django_db
def test_login_logout_and_profile(client, make_user):
    make_user("fay", password="a-Strong-pass-42")

    response = client.post("/accounts/login/", {"username": "fay", "password": "a-Strong-pass-42"}, follow=True)
    assert response.context["user"].username == "fay"
    assert client.get("/accounts/profile/").status_code == 200

    client.post("/accounts/logout/")
    assert client.get("/accounts/profile/").status_code == 302


@pytest.mark.django_db
def test_moderators_group_has_admin_rights_of_design():
    codenames = set(Group.objects.get(name="moderators").permissions.values_list("codename", flat=True))

    assert {"change_user", "view_user", "adjust_wallet", "view_wallet", "view_transfer"} <= codenames
