from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("wallet/", views.wallet_view, name="wallet"),
]
