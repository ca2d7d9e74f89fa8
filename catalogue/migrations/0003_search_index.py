"""The full-text index for browse search, on PostgreSQL only (issue 3).

Not in Item.Meta.indexes: Django would try to build a GIN index on SQLite too (at every
table rebuild), and SQLite has neither GIN nor tsvector. The expression must stay exactly
what catalogue.selectors.search_vector() compiles to, or the planner will not use it;
test_search_uses_the_gin_index checks that with EXPLAIN.
"""

from django.db import migrations

INDEX = "cat_item_search"
CREATE = f"""
CREATE INDEX IF NOT EXISTS {INDEX} ON catalogue_item USING gin ((
    setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE(description, '')), 'B')
)) WHERE status = 'active'
"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_browse_indexes_pictures")]

    operations = [migrations.RunPython(create_index, drop_index)]
