from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("wallet/", views.wallet_view, name="wallet"),
    path("orders/<int:order_id>/invoice/", views.invoice_download_view, name="invoice"),
    path("orders/<int:order_id>/invoice/status/", views.invoice_status_view, name="invoice-status"),
    path("parcels/<int:parcel_id>/credit-note/", views.credit_note_download_view, name="credit-note"),
    path("parcels/<int:parcel_id>/credit-note/status/", views.credit_note_status_view, name="credit-note-status"),
]
