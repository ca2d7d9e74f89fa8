from django.urls import path

from community import views

app_name = "community"

urlpatterns = [
    path("sellers/<str:username>/", views.seller_view, name="seller"),
    path("sellers/<str:username>/reviews/", views.seller_reviews_view, name="seller-reviews"),
    path("parcels/<int:parcel_id>/review/", views.review_new_view, name="review-new"),
    path("reviews/<int:review_id>/edit/", views.review_edit_view, name="review-edit"),
    path("reviews/<int:review_id>/reply/", views.review_reply_view, name="review-reply"),
    path("messages/", views.inbox_view, name="inbox"),
    path("messages/unread/", views.unread_messages_view, name="unread"),
    path("messages/<int:conversation_id>/", views.conversation_view, name="conversation"),
    path("items/<int:item_id>/ask/", views.ask_view, name="ask"),
    path("favourites/", views.favourites_view, name="favourites"),
    path("favourites/toggle/", views.favourite_toggle_view, name="favourite-toggle"),
    path("favourites/hearts/", views.favourite_hearts_view, name="favourite-hearts"),
    path("report/<str:target_type>/<int:target_id>/", views.report_view, name="report"),
]
