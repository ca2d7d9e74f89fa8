from functools import partial

from django.db import migrations

from shop.common.migration_helpers import grant_to_moderators

# Moderators read parcels and their history, list disputes, and resolve them (DESIGN §4).
grant = partial(
    grant_to_moderators,
    app_label="orders",
    codenames=["view_parcel", "view_parcelhistory", "resolve_dispute", "view_dispute"],
)


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_parcels"), ("accounts", "0002_moderators_group")]

    operations = [
        migrations.CreateModel(
            name="Dispute",
            fields=[],
            options={"verbose_name": "dispute", "proxy": True, "indexes": [], "constraints": []},
            bases=("orders.parcel",),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
