"""Item condition (issue 15 part 5): new, like_new, good or fair; existing listings become good.

On PostgreSQL 11+ adding a column with a constant default rewrites no rows. The index
is partial on active items like the other browse indexes (catalogue.models).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0005_search_document")]

    operations = [
        migrations.AddField(
            model_name="item",
            name="condition",
            field=models.CharField(
                choices=[("new", "New"), ("like_new", "Like new"), ("good", "Good"), ("fair", "Fair")],
                default="good",
                max_length=10,
            ),
        ),
        migrations.AddIndex(
            model_name="item",
            index=models.Index(
                condition=models.Q(("status", "active")),
                fields=["condition", "-created_at", "-id"],
                name="cat_item_cond_newest",
            ),
        ),
        migrations.AddConstraint(
            model_name="item",
            constraint=models.CheckConstraint(
                condition=models.Q(("condition__in", ["new", "like_new", "good", "fair"])),
                name="catalogue_item_condition_known",
            ),
        ),
    ]
