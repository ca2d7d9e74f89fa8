from functools import partial

from django.db import migrations

from shop.common.migration_helpers import grant_to_moderators

# Moderators hide and unhide items and manage the category tree (issue 3, DESIGN §4).
grant = partial(
    grant_to_moderators,
    app_label="catalogue",
    codenames=["view_item", "change_item", "add_category", "change_category", "view_category"],
)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_search_index"), ("accounts", "0002_moderators_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
