from django.urls import path, re_path

from orders import api, api_parcels

app_name = "orders"

PARCEL = r"^parcels/(?P<parcel_id>[0-9]{1,18})/"

# Ids are at most 18 digits (a bigint): an absurd id is a 404, never a database overflow.
urlpatterns = [
    path("orders/", api.OrdersApi.as_view(), name="orders"),
    re_path(r"^orders/(?P<order_id>[0-9]{1,18})/$", api.OrderDetailApi.as_view(), name="order"),
    re_path(r"^orders/(?P<order_id>[0-9]{1,18})/pay/$", api.OrderPayApi.as_view(), name="order-pay"),
    re_path(r"^orders/(?P<order_id>[0-9]{1,18})/cancel/$", api.OrderCancelApi.as_view(), name="order-cancel"),
    path("sales/", api.SalesApi.as_view(), name="sales"),
    path("parcels/", api_parcels.ParcelsApi.as_view(), name="parcels"),
    re_path(PARCEL + r"$", api_parcels.ParcelDetailApi.as_view(), name="parcel"),
    re_path(PARCEL + r"ship/$", api_parcels.ParcelShipApi.as_view(), name="parcel-ship"),
    re_path(PARCEL + r"cancel/$", api_parcels.ParcelCancelApi.as_view(), name="parcel-cancel"),
    re_path(PARCEL + r"confirm/$", api_parcels.ParcelConfirmApi.as_view(), name="parcel-confirm"),
    re_path(PARCEL + r"dispute/$", api_parcels.ParcelDisputeApi.as_view(), name="parcel-dispute"),
    re_path(PARCEL + r"resolve/$", api_parcels.ParcelResolveApi.as_view(), name="parcel-resolve"),
]
