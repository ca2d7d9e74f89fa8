from django.urls import path

from community import api

app_name = "community"

urlpatterns = [
    path("sellers/<str:username>/", api.SellerApi.as_view(), name="seller"),
    path("sellers/<str:username>/reviews/", api.SellerReviewsApi.as_view(), name="seller-reviews"),
    path("parcels/<int:parcel_id>/review/", api.ParcelReviewApi.as_view(), name="parcel-review"),
    path("reviews/<int:review_id>/", api.ReviewApi.as_view(), name="review"),
    path("reviews/<int:review_id>/reply/", api.ReviewReplyApi.as_view(), name="review-reply"),
    path("conversations/", api.ConversationsApi.as_view(), name="conversations"),
    path("conversations/<int:conversation_id>/messages/", api.ConversationMessagesApi.as_view(), name="messages"),
    path("items/<int:item_id>/conversations/", api.ItemConversationsApi.as_view(), name="item-conversations"),
    path("favourites/", api.FavouritesApi.as_view(), name="favourites"),
    path("reports/", api.ReportsApi.as_view(), name="reports"),
]
