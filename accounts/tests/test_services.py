import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts import services
from shop.common.migration_helpers import MODERATORS_GROUP


@pytest.mark.django_db
def test_get_accounts_reads_many_users_in_one_query(make_user, django_assert_num_queries):
    alice = make_user("alice")
    moderator = make_user("mod")
    root = make_user("root")
    User = get_user_model()
    User.objects.filter(pk=alice.user_id).update(first_name="Alice", last_name="Liddell")
    User.objects.get(pk=moderator.user_id).groups.add(Group.objects.get(name=MODERATORS_GROUP))
    User.objects.filter(pk=root.user_id).update(is_superuser=True)

    with django_assert_num_queries(1):
        accounts = services.get_accounts(user_ids={alice.user_id, moderator.user_id, root.user_id, 999_999})

    assert set(accounts) == {alice.user_id, moderator.user_id, root.user_id}
    assert accounts[alice.user_id] == services.AccountSummary(
        user_id=alice.user_id,
        username="alice",
        email=alice.email,
        first_name="Alice",
        last_name="Liddell",
        is_moderator=False,
    )
    assert accounts[moderator.user_id].is_moderator is True
    assert accounts[root.user_id].is_moderator is True
