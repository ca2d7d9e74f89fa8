"""PostgreSQL full-text search: ranking and the GIN index (skipped on SQLite with the reason)."""

import pytest
from django.db import connection

from catalogue import selectors

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_search_ranks_title_matches_above_description_matches(api_client, bob, item_of):
    in_description = item_of(bob, title="Bundle of cables", description="Includes a spare guitar string")
    in_title = item_of(bob, title="Acoustic guitar", description="Solid spruce top")
    item_of(bob, title="Drum kit", description="Five pieces")

    response = api_client.get("/api/v1/items/?q=guitars")

    assert [r["id"] for r in response.json()["results"]] == [in_title.pk, in_description.pk]


def test_search_understands_web_search_syntax(api_client, bob, item_of):
    red = item_of(bob, title="Red bike", description="Road bike")
    item_of(bob, title="Blue bike", description="Road bike")

    response = api_client.get('/api/v1/items/?q=bike -blue "red bike"')

    assert [r["id"] for r in response.json()["results"]] == [red.pk]


def test_explicit_ordering_wins_over_rank(api_client, bob, item_of):
    cheap = item_of(bob, title="Guitar strings", price="5.00")
    dear = item_of(bob, title="Guitar", description="guitar guitar", price="500.00")

    response = api_client.get("/api/v1/items/?q=guitar&ordering=-price")

    assert [r["id"] for r in response.json()["results"]] == [dear.pk, cheap.pk]


def test_search_uses_the_gin_index(bob, item_of):
    item_of(bob, title="Acoustic guitar")
    queryset = selectors.search(selectors.browsable_items(), "guitar")
    sql, params = queryset.query.sql_with_params()

    with connection.cursor() as cursor:
        # On a table this small a scan is cheaper; forbid scans to see whether the index can serve
        # the match at all (a bitmap scan needs an index condition, so only the GIN index qualifies).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "cat_item_search" in plan
