import pytest
from django.contrib.auth import get_user_model

REGISTER = "/api/v1/auth/register/"
STRONG = "a-Strong-pass-42"


@pytest.mark.django_db
def test_register_creates_user_and_wallet_with_opening_balance(api_client):
    response = api_client.post(REGISTER, {"username": "carol", "email": "carol@example.com", "password": STRONG})

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "username", "email"}
    assert body["username"] == "carol"
    api_client.force_authenticate(get_user_model().objects.get(pk=body["id"]))
    assert api_client.get("/api/v1/wallet/").json()["balance"] == "1000.00"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "alice", "email": "new@example.com", "password": STRONG}, "username"),
        ({"username": "ALICE", "email": "new@example.com", "password": STRONG}, "username"),
        ({"username": "newbie", "email": "ALICE@example.com", "password": STRONG}, "email"),
        ({"username": "newbie", "email": "new@example.com", "password": "123"}, "password"),
        ({"username": "newbie", "email": "new@example.com", "password": "password"}, "password"),
        ({"username": "newbie", "email": "not-an-address", "password": STRONG}, "email"),
        ({"username": "bad name!", "email": "new@example.com", "password": STRONG}, "username"),
        ({"email": "new@example.com", "password": STRONG}, "username"),
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(api_client, alice, payload, field):
    users_before = get_user_model().objects.count()

    response = api_client.post(REGISTER, payload)

    assert response.status_code == 400
    assert field in response.json()
    assert get_user_model().objects.count() == users_before


@pytest.mark.django_db
def test_malformed_json_is_a_400_with_json_body(api_client):
    response = api_client.post(REGISTER, data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.django_db
def test_jwt_obtain_refresh_blacklist_and_me(api_client, make_user):
    make_user("dave", password=STRONG)
    tokens = api_client.post("/api/v1/auth/token/", {"username": "dave", "password": STRONG}).json()

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "dave"

    refreshed = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 200
    new_refresh = refreshed.json()["refresh"]
    assert new_refresh != tokens["refresh"]  # rotated

    assert api_client.post("/api/v1/auth/token/blacklist/", {"refresh": new_refresh}).status_code == 200
    reused = api_client.post("/api/v1/auth/token/refresh/", {"refresh": new_refresh})
    assert reused.status_code == 401
    assert reused.json()["code"] == "token_not_valid"


@pytest.mark.django_db
def test_wrong_password_is_401_json(api_client, alice):
    response = api_client.post("/api/v1/auth/token/", {"username": "alice", "password": "nope-nope-42"})

    assert response.status_code == 401
    assert response.json()["code"] == "no_active_account"


@pytest.mark.django_db
def test_me_requires_authentication(api_client):
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}


@pytest.mark.django_db
def test_me_patch_updates_profile_and_refuses_taken_email(api_as, alice, bob):
    client = api_as(alice)

    assert client.patch("/api/v1/me/", {"first_name": "Alice"}).json()["first_name"] == "Alice"
    taken = client.patch("/api/v1/me/", {"email": "bob@example.com"})
    assert taken.status_code == 400
    assert "email" in taken.json()
    assert client.get("/api/v1/me/").json()["email"] == "alice@example.com"


@pytest.mark.django_db
def test_auth_endpoints_are_throttled(api_client, settings):
    from django.core.cache import cache
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    cache.clear()
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "auth": "3/min"}
    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [
            api_client.post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code for _ in range(4)
        ]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
        cache.clear()
    assert codes == [401, 401, 401, 429]
