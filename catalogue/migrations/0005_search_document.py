"""A stored search document for full-text search, on PostgreSQL (issue 3 speed).

The expression index of 0003 made PostgreSQL re-parse title and description of every
matching row to recheck and rank it (about 115 ms for a common word over 100,000 items).
A trigger now keeps the same weighted tsvector in `search_document`, and the GIN index
(same name, so EXPLAIN tests still name it) covers that column. fastupdate is off: with a
pending list the planner prices the index by that list and skips it until a vacuum merges
it, while listings are written far less often than searched.
"""

import django.contrib.postgres.search
from django.db import migrations

INDEX = "cat_item_search"
FORWARD = f"""
CREATE OR REPLACE FUNCTION catalogue_item_search_document() RETURNS trigger AS $$
BEGIN
    NEW.search_document :=
        setweight(to_tsvector('english'::regconfig, COALESCE(NEW.title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.description, '')), 'B');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

-- Stock updates (reserved, quantity) do not name these columns, so they skip the trigger.
CREATE TRIGGER catalogue_item_search_document
    BEFORE INSERT OR UPDATE OF title, description, search_document ON catalogue_item
    FOR EACH ROW EXECUTE FUNCTION catalogue_item_search_document();

UPDATE catalogue_item SET search_document = NULL;
DROP INDEX IF EXISTS {INDEX};
CREATE INDEX {INDEX} ON catalogue_item USING gin (search_document) WITH (fastupdate = off)
    WHERE status = 'active';
"""
BACKWARD = f"""
DROP INDEX IF EXISTS {INDEX};
DROP TRIGGER IF EXISTS catalogue_item_search_document ON catalogue_item;
DROP FUNCTION IF EXISTS catalogue_item_search_document();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0004_moderator_rights")]

    operations = [
        migrations.AddField(
            model_name="item",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
