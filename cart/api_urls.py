from django.urls import path, re_path

from cart import api

app_name = "cart"

urlpatterns = [
    path("cart/", api.CartApi.as_view(), name="cart"),
    path("cart/lines/", api.CartLineAddApi.as_view(), name="cart-lines"),
    # At most 18 digits: a bigint, so an absurd id is a 404 rather than a database overflow.
    re_path(r"^cart/lines/(?P<item_id>[0-9]{1,18})/$", api.CartLineApi.as_view(), name="cart-line"),
]
