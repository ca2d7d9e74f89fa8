from django.urls import path

from notifications import api

app_name = "notifications"

urlpatterns = [
    path("notifications/", api.NotificationListApi.as_view(), name="notifications"),
    path("notifications/read-all/", api.NotificationReadAllApi.as_view(), name="notifications-read-all"),
    path("notifications/<int:notification_id>/read/", api.NotificationReadApi.as_view(), name="notification-read"),
]
