from django.urls import path

from catalogue import api

app_name = "catalogue"

urlpatterns = [
    path("categories/", api.CategoriesApi.as_view(), name="categories"),
    path("items/", api.ItemsApi.as_view(), name="items"),
    # Before items/<id>/ (issue 3): "mine" must never be read as an id.
    path("items/mine/", api.ItemsMineApi.as_view(), name="items-mine"),
    path("items/<int:item_id>/", api.ItemDetailApi.as_view(), name="item"),
]
