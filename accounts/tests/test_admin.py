import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def moderator_client(client_as, moderator):
    return client_as(moderator)


@pytest.mark.django_db
def test_moderator_deactivates_users_but_cannot_grant_rights(moderator_client, alice):
    users = get_user_model().objects

    response = moderator_client.post(
        "/admin/accounts/user/", {"action": "deactivate_users", "_selected_action": [alice.user_id]}
    )
    assert response.status_code == 302
    assert users.get(pk=alice.user_id).is_active is False

    page = moderator_client.get(f"/admin/accounts/user/{alice.user_id}/change/")
    assert page.status_code == 200
    assert b'name="is_superuser"' not in page.content
    assert b'name="is_staff"' not in page.content
