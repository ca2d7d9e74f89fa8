"""Oscar's search app, forked the documented way (an app with the label "search" whose
modules Oscar's get_class() reads before its own), to list the catalogue and its categories
from the database: no search index to build.

Oscar up to 3.2.3 did exactly this when neither Solr nor Elasticsearch was configured
(SimpleProductSearchHandler); 3.2.4 removed that handler, and in 4.2.1 the catalogue and
category views are haystack search views. views.py puts the old handler's queryset back
under Oscar 4.2.1's own views and templates. The search page itself stays Oscar's.
"""
