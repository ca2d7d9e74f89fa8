from django.urls import path

from accounts import api

app_name = "accounts"

urlpatterns = [
    path("auth/register/", api.RegisterApi.as_view(), name="register"),
    path("auth/token/", api.TokenObtainApi.as_view(), name="token"),
    path("auth/token/refresh/", api.TokenRefreshApi.as_view(), name="token-refresh"),
    path("auth/token/blacklist/", api.TokenBlacklistApi.as_view(), name="token-blacklist"),
    path("me/", api.MeApi.as_view(), name="me"),
]
