from django.urls import path, re_path

from orders import api

app_name = "orders"

# Ids are at most 18 digits (a bigint): an absurd id is a 404, never a database overflow.
urlpatterns = [
    path("orders/", api.OrdersApi.as_view(), name="orders"),
    re_path(r"^orders/(?P<order_id>[0-9]{1,18})/$", api.OrderDetailApi.as_view(), name="order"),
    re_path(r"^orders/(?P<order_id>[0-9]{1,18})/pay/$", api.OrderPayApi.as_view(), name="order-pay"),
    re_path(r"^orders/(?P<order_id>[0-9]{1,18})/cancel/$", api.OrderCancelApi.as_view(), name="order-cancel"),
    path("sales/", api.SalesApi.as_view(), name="sales"),
]
