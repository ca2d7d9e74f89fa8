from django.urls import path, re_path

from cart import views

app_name = "cart"

urlpatterns = [
    path("cart/", views.cart_view, name="cart"),
    path("cart/add/", views.cart_add_view, name="add"),
    re_path(r"^cart/lines/(?P<item_id>[0-9]{1,18})/$", views.cart_line_view, name="line"),
]
