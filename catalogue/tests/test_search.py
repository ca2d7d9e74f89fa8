"""PostgreSQL full-text search: ranking and the GIN index (skipped on SQLite with the reason)."""

import pytest
from django.db import connection

from catalogue import selectors, services

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


def test_search_uses_the_gin_index(alice, bob):
    services.load_demo_catalogue(seller_ids=[alice.user_id, bob.user_id], items=600)
    queryset = selectors.search(selectors.active_items(), "turntable")
    sql, params = queryset.query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalogue_item")
        # A few hundred rows fit in a handful of pages, where a sequential scan is cheaper;
        # forbid it to see which index the planner picks for a selective word.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Bitmap Index Scan on cat_item_search" in plan
