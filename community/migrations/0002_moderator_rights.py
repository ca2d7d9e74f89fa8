from functools import partial

from django.db import migrations

from shop.common.migration_helpers import grant_to_moderators

# Moderators work the reports queue, hide reviews, read reported conversations and the
# record of moderation actions (issue 15 part 6).
grant = partial(
    grant_to_moderators,
    app_label="community",
    codenames=[
        "view_report",
        "change_report",
        "view_review",
        "change_review",
        "view_conversation",
        "view_message",
        "view_moderationaction",
    ],
)


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial"), ("accounts", "0002_moderators_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
