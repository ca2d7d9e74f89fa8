from functools import partial

from django.db import migrations

from shop.common.migration_helpers import grant_to_moderators

grant = partial(
    grant_to_moderators, app_label="payments", codenames=["view_wallet", "adjust_wallet", "view_transfer"]
)


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial"), ("accounts", "0002_moderators_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
