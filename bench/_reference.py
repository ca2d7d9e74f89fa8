"""The reference views of DESIGN §7, served beside the pages under test.

rows_view reads the same 24 rows a browse page shows with one indexed SQL query and
renders them in a minimal template: the floor any real page is compared to.
"""

from django.db import connection
from django.http import HttpResponse
from django.template import engines

_TEMPLATE = engines["django"].from_string(
    "<!doctype html><title>ref</title><ul>{% for id, title, price in rows %}"
    "<li>{{ id }} {{ title }} {{ price }}</li>{% endfor %}</ul>"
)
_SQL = "SELECT id, title, price FROM catalogue_item WHERE status = 'active' ORDER BY created_at DESC, id DESC LIMIT 24"


def rows_view(request):
    with connection.cursor() as cursor:
        cursor.execute(_SQL)
        rows = cursor.fetchall()
    return HttpResponse(_TEMPLATE.render({"rows": rows}))


def constant_view(request):
    return HttpResponse("ok")
