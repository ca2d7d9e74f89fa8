"""PostgreSQL full-text search: ranking and the GIN index (skipped on SQLite with the reason)."""

import pytest
from django.db import connection

from catalogue import selectors, services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ITEMS = "/api/v1/items/"


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


def test_the_last_word_also_matches_as_a_prefix(api_client, bob, item_of):
    acoustic = item_of(bob, title="Acoustic guitar", description="Solid spruce top")
    amplifier = item_of(bob, title="Guitar amplifier", description="20 W")
    item_of(bob, title="Drum kit", description="Five pieces")

    def found(q):
        return [r["id"] for r in api_client.get(ITEMS, {"q": q}).json()["results"]]

    assert found("guit") == [amplifier.pk, acoustic.pk]  # same rank: newest first
    assert found("acoustic guit") == [acoustic.pk]
    assert found("guitars amp") == [amplifier.pk]  # stemmed, then prefix
    assert found("gu") == []  # prefixes start at three characters
    assert found("guitar -amplifier") == [acoustic.pk]  # a negated word is not a prefix
    assert found('"acoustic guit"') == []  # nor is a quoted one


def test_two_words_rank_both_in_the_title_first(api_client, bob, item_of):
    in_description = item_of(bob, title="Bundle of cables", description="For an acoustic guitar")
    one_in_title = item_of(bob, title="Acoustic amp", description="Made for a guitar")
    both_in_title = item_of(bob, title="Acoustic guitar", description="Spruce top")
    item_of(bob, title="Electric guitar", description="Sunburst")

    response = api_client.get(ITEMS, {"q": "acoustic guitar"})

    assert [r["id"] for r in response.json()["results"]] == [both_in_title.pk, one_in_title.pk, in_description.pk]


@pytest.mark.parametrize("text", ["guit", "acoustic guit", "zyzzogeton"])
def test_prefix_and_two_word_searches_use_the_gin_index(alice, bob, text):
    services.load_demo_catalogue(seller_ids=[alice.user_id, bob.user_id], items=600)
    queryset = selectors.search(selectors.active_items(), text).order_by("-rank", "-created_at", "-id")[:24]
    sql, params = queryset.query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalogue_item")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "Bitmap Index Scan on cat_item_search" in plan
