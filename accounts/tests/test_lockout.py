import pytest
from django.core.cache import cache

STRONG = "a-Strong-pass-42"


@pytest.fixture(autouse=True)
def _fresh_attempts():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_token_api_locks_out_after_five_failures_even_with_the_right_password(api_client, make_user):
    make_user("gail", password=STRONG)

    failures = [
        api_client.post("/api/v1/auth/token/", {"username": "gail", "password": "wrong-guess-1"}).status_code
        for _ in range(5)
    ]
    locked = api_client.post("/api/v1/auth/token/", {"username": "gail", "password": STRONG})

    assert failures == [401, 401, 401, 401, 429]
    assert locked.status_code == 429
    assert locked.json()["code"] == "locked_out"


@pytest.mark.django_db
def test_login_page_locks_out_after_five_failures(client, make_user):
    make_user("hank", password=STRONG)

    for _ in range(5):
        client.post("/accounts/login/", {"username": "hank", "password": "wrong-guess-1"})
    locked = client.post("/accounts/login/", {"username": "hank", "password": STRONG})

    assert locked.status_code == 429
    assert b"Too many failed login attempts" in locked.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_is_per_username_so_others_can_still_log_in(api_client, make_user):
    make_user("ivan", password=STRONG)
    make_user("jill", password=STRONG)
    for _ in range(5):
        api_client.post("/api/v1/auth/token/", {"username": "ivan", "password": "wrong-guess-1"})

    response = api_client.post("/api/v1/auth/token/", {"username": "jill", "password": STRONG})

    assert response.status_code == 200
