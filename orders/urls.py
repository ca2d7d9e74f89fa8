from django.urls import path, re_path

from orders import views

app_name = "orders"

ORDER = r"^orders/(?P<order_id>[0-9]{1,18})/"
PARCEL = r"^parcels/(?P<parcel_id>[0-9]{1,18})/"

urlpatterns = [
    path("orders/", views.order_list_view, name="list"),
    path("orders/checkout/", views.checkout_view, name="checkout"),
    re_path(ORDER + r"$", views.order_detail_view, name="detail"),
    re_path(ORDER + r"pay/$", views.order_pay_view, name="pay"),
    re_path(ORDER + r"cancel/$", views.order_cancel_view, name="cancel"),
    path("sales/", views.sales_view, name="sales"),
    re_path(PARCEL + r"confirm/$", views.parcel_confirm_view, name="parcel-confirm"),
    re_path(PARCEL + r"dispute/$", views.parcel_dispute_view, name="parcel-dispute"),
    re_path(PARCEL + r"ship/$", views.parcel_ship_view, name="parcel-ship"),
    re_path(PARCEL + r"cancel/$", views.parcel_cancel_view, name="parcel-cancel"),
]
