from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list_view, name="list"),
    path("notifications/bell/", views.bell_view, name="bell"),
    path("notifications/read-all/", views.notification_read_all_view, name="read-all"),
    path("notifications/<int:notification_id>/read/", views.notification_read_view, name="read"),
]
