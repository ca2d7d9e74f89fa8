# Haystack finds indexes in each installed app's search_indexes module: the forked app must
# name Oscar's ProductIndex, or the search page has no indexed model and finds nothing.
from oscar.apps.search.search_indexes import ProductIndex  # noqa: F401
