"""The project's URLs plus uploaded media, for the live server of the browser tests.

shop.urls serves media only when DEBUG is on, and tests run with DEBUG off; without this
an item's picture would be a 404, which the browser reports as a console error.
"""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from shop import urls as project_urls


def media(request, path: str):
    # MEDIA_ROOT read per request: the tests point it at a temporary folder.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", media),
    *project_urls.urlpatterns,
]
handler500 = project_urls.handler500
