from functools import partial

from django.db import migrations

from shop.common.migration_helpers import grant_to_moderators

# Moderators may read notifications in the admin (support: "did the buyer get told?").
grant = partial(grant_to_moderators, app_label="notifications", codenames=["view_notification"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial"), ("accounts", "0002_moderators_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
