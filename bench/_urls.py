from django.urls import include, path

from bench import _reference

urlpatterns = [
    path("bench/reference/", _reference.rows_view),
    path("bench/constant/", _reference.constant_view),
    path("", include("shop.urls")),
]
