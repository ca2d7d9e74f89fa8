"""JWT refresh tokens: rotated, the old one dead at once, all dead after logout (issue 9, part 3).

accounts/tests/test_api.py already shows rotation and that a blacklisted token is
refused; these add what an attacker holding an old or stolen token would try. The
login lockout (django-axes, pages and API) is tested in accounts/tests/test_lockout.py.
"""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "a-Strong-pass-42"


def _login(client: APIClient, username: str) -> dict:
    response = client.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def test_a_rotated_refresh_token_cannot_be_used_again(api_client, alice):
    first = _login(api_client, "alice")["refresh"]

    second = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first}, format="json")
    replayed = api_client.post("/api/v1/auth/token/refresh/", {"refresh": first}, format="json")

    assert second.status_code == 200
    assert second.json()["refresh"] != first
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "token_not_valid"


def test_logout_kills_the_refresh_token_but_not_other_sessions(api_client, alice):
    phone = _login(api_client, "alice")["refresh"]
    laptop = _login(api_client, "alice")["refresh"]

    logout = api_client.post("/api/v1/auth/token/blacklist/", {"refresh": phone}, format="json")

    assert logout.status_code == 200
    refused = api_client.post("/api/v1/auth/token/refresh/", {"refresh": phone}, format="json")
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_not_valid"
    assert api_client.post("/api/v1/auth/token/refresh/", {"refresh": laptop}, format="json").status_code == 200


def test_an_access_token_is_not_a_refresh_token_and_a_forged_one_is_refused(api_client, alice):
    tokens = _login(api_client, "alice")
    header, payload, signature = tokens["access"].split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"

    as_refresh = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["access"]}, format="json")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")
    with_forged = api_client.get("/api/v1/me/")

    assert as_refresh.status_code == 401
    assert with_forged.status_code == 401
    assert with_forged.json()["code"] == "token_not_valid"


def test_a_deactivated_user_token_stops_working(api_client, alice):
    from django.contrib.auth import get_user_model

    tokens = _login(api_client, "alice")
    get_user_model().objects.filter(pk=alice.user_id).update(is_active=False)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    assert api_client.get("/api/v1/me/").status_code == 401
    api_client.credentials()
    assert (
        api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json").status_code == 401
    )
