"""The moderators group (DESIGN §4); each app's own migration adds its rights to it."""

from functools import partial

from django.db import migrations

from shop.common.migration_helpers import grant_to_moderators

grant = partial(grant_to_moderators, app_label="accounts", codenames=["view_user", "change_user"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
