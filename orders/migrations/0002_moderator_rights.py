from functools import partial

from django.db import migrations

from shop.common.migration_helpers import grant_to_moderators

grant = partial(
    grant_to_moderators,
    app_label="orders",
    codenames=["view_order", "change_order", "view_orderline", "view_orderhistory"],
)


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial"), ("accounts", "0002_moderators_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
