from django.urls import path, re_path

from payments import api

app_name = "payments"

urlpatterns = [
    path("wallet/", api.WalletApi.as_view(), name="wallet"),
    path("wallet/transactions/", api.WalletTransactionsApi.as_view(), name="wallet-transactions"),
    path("wallet/top-up/", api.WalletTopUpApi.as_view(), name="wallet-top-up"),
    path("orders/<int:order_id>/invoice/", api.OrderInvoiceApi.as_view(), name="order-invoice"),
    re_path(
        r"^parcels/(?P<parcel_id>[0-9]{1,18})/credit-note/$", api.ParcelCreditNoteApi.as_view(), name="credit-note"
    ),
]
