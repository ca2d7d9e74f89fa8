from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.home_view, name="home"),
    path("items/", views.browse_view, name="browse"),
    path("items/<int:item_id>/", views.item_detail_view, name="item"),
    path("sell/", views.sell_list_view, name="sell"),
    path("sell/new/", views.sell_new_view, name="sell-new"),
    path("sell/<int:item_id>/edit/", views.sell_edit_view, name="sell-edit"),
    path("sell/<int:item_id>/withdraw/", views.sell_withdraw_view, name="sell-withdraw"),
    path("sell/<int:item_id>/relist/", views.sell_relist_view, name="sell-relist"),
]
