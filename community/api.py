"""community's JSON API (DESIGN §3: profiles and reviews, messages, favourites; plus reports)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from community import services
from shop.common.ids import MAX_ID
from shop.common.money import MAX_DIGITS
from shop.common.pagination import PageNumberPagination

LATEST_REVIEWS = 5

# --- Output -------------------------------------------------------------------------------


class ReviewOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="review_id")
    parcel_id = serializers.IntegerField()
    buyer = serializers.CharField(source="buyer_username")
    seller = serializers.CharField(source="seller_username")
    rating = serializers.IntegerField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    editable_until = serializers.DateTimeField()
    reply = serializers.CharField()
    replied_at = serializers.DateTimeField(allow_null=True)


class CardOutputSerializer(serializers.Serializer):
    """An item as browse lists show it (catalogue's card)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    price = serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2)
    available = serializers.IntegerField()
    seller = serializers.CharField(source="seller_username")
    seller_id = serializers.IntegerField()
    seller_rating = serializers.CharField()
    favourite_count = serializers.IntegerField()
    category = serializers.SerializerMethodField()
    thumbnail = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_category(self, card) -> dict:
        return {"slug": card.category.slug, "name": card.category.name}

    def get_thumbnail(self, card) -> str | None:
        request = self.context.get("request")
        url = card.thumbnail_url
        return request.build_absolute_uri(url) if url and request else url


class SellerOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    member_since = serializers.DateTimeField()
    rating = serializers.DecimalField(source="rating_average", max_digits=2, decimal_places=1, allow_null=True)
    rating_count = serializers.IntegerField()
    histogram = serializers.SerializerMethodField()
    completed_sales = serializers.IntegerField()
    median_ship_seconds = serializers.FloatField(allow_null=True)
    typical_shipping = serializers.CharField()
    active_listings = serializers.IntegerField()

    def get_histogram(self, profile) -> dict[str, int]:
        return {str(stars): count for stars, count in zip(range(1, 6), profile.histogram, strict=True)}


class ConversationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="conversation_id")
    item_id = serializers.IntegerField()
    item_title = serializers.CharField()
    buyer = serializers.CharField(source="buyer_username")
    seller = serializers.CharField(source="seller_username")
    unread = serializers.IntegerField()
    last_message = serializers.CharField()
    last_message_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="message_id")
    conversation_id = serializers.IntegerField()
    sender = serializers.CharField(source="sender_username")
    body = serializers.CharField()
    hidden = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class FavouriteStateOutputSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    favourited = serializers.BooleanField()
    favourite_count = serializers.IntegerField()


class FavouriteOutputSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    item = CardOutputSerializer(source="card", allow_null=True)


def _text_field(**kwargs) -> serializers.CharField:
    # Presence only: community.services.text owns the rules (length, NUL, markup), so the
    # page and the API answer with the same words.
    return serializers.CharField(allow_blank=True, trim_whitespace=False, **kwargs)


# --- Profiles and reviews -------------------------------------------------------------------


class SellerApi(APIView):
    """A seller's public profile, their active listings (paged) and latest reviews."""

    permission_classes = [AllowAny]

    @extend_schema(responses=SellerOutputSerializer)
    def get(self, request, username: str):
        profile = services.get_seller_profile(username=username)
        paginator = PageNumberPagination()
        listings = paginator.paginate_queryset(
            services.list_seller_listings(seller_id=profile.seller_id), request, view=self
        )
        reviews = services.list_seller_reviews(seller_id=profile.seller_id)[:LATEST_REVIEWS]
        data = SellerOutputSerializer(profile).data
        data["listings"] = paginator.get_paginated_response(
            CardOutputSerializer(listings, many=True, context={"request": request}).data
        ).data
        data["latest_reviews"] = ReviewOutputSerializer(reviews, many=True).data
        return Response(data)


class SellerReviewsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ReviewOutputSerializer(many=True))
    def get(self, request, username: str):
        profile = services.get_seller_profile(username=username)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            services.list_seller_reviews(seller_id=profile.seller_id), request, view=self
        )
        return paginator.get_paginated_response(ReviewOutputSerializer(page, many=True).data)


class ParcelReviewApi(APIView):
    """The buyer of a completed parcel rates its seller, once."""

    class InputSerializer(serializers.Serializer):
        rating = serializers.IntegerField(min_value=1, max_value=5)
        text = _text_field(required=False, default="")

    @extend_schema(request=InputSerializer, responses={201: ReviewOutputSerializer})
    def post(self, request, parcel_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_parcel(parcel_id=parcel_id, buyer_id=request.user.pk, **data.validated_data)
        return Response(ReviewOutputSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewApi(APIView):
    """GET one visible review; PATCH: its author edits it within 7 days."""

    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        rating = serializers.IntegerField(min_value=1, max_value=5, required=False)
        text = _text_field(required=False)

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method != "GET" else [AllowAny()]

    @extend_schema(responses=ReviewOutputSerializer)
    def get(self, request, review_id: int):
        review = services.get_review(review_id=review_id)
        if review.hidden:
            raise services.ReviewNotFound()
        return Response(ReviewOutputSerializer(review).data)

    @extend_schema(request=InputSerializer, responses=ReviewOutputSerializer)
    def patch(self, request, review_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.edit_review(review_id=review_id, buyer_id=request.user.pk, **data.validated_data)
        return Response(ReviewOutputSerializer(review).data)


class ReviewReplyApi(APIView):
    class InputSerializer(serializers.Serializer):
        text = _text_field()

    @extend_schema(request=InputSerializer, responses=ReviewOutputSerializer)
    def post(self, request, review_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.reply_to_review(review_id=review_id, seller_id=request.user.pk, **data.validated_data)
        return Response(ReviewOutputSerializer(review).data)


# --- Messages -------------------------------------------------------------------------------


class _ThrottlePosts:
    """Sending is rate-limited (scope "messages"); reading is not."""

    throttle_scope = "messages"

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []


class ConversationsApi(APIView):
    @extend_schema(responses=ConversationOutputSerializer(many=True))
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(services.list_conversations(user_id=request.user.pk), request, view=self)
        response = paginator.get_paginated_response(ConversationOutputSerializer(page, many=True).data)
        response.data["unread_count"] = services.get_unread_message_count(user_id=request.user.pk)
        return response


class MessageInputSerializer(serializers.Serializer):
    body = _text_field()


class ItemConversationsApi(_ThrottlePosts, APIView):
    """The buyer asks the seller about an item: starts the conversation (201) or adds to it (200)."""

    @extend_schema(request=MessageInputSerializer, responses={201: MessageOutputSerializer})
    def post(self, request, item_id: int):
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        posted = services.start_conversation(item_id=item_id, buyer_id=request.user.pk, **data.validated_data)
        body = {
            "conversation": ConversationOutputSerializer(posted.conversation).data,
            "message": MessageOutputSerializer(posted.message).data,
        }
        return Response(body, status=status.HTTP_201_CREATED if posted.created_conversation else status.HTTP_200_OK)


class ConversationMessagesApi(_ThrottlePosts, APIView):
    """Participants (and moderators, reading) only: 404 for anyone else."""

    @extend_schema(responses=MessageOutputSerializer(many=True))
    def get(self, request, conversation_id: int):
        messages = services.list_messages(conversation_id=conversation_id, user_id=request.user.pk)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(messages, request, view=self)
        return paginator.get_paginated_response(MessageOutputSerializer(page, many=True).data)

    @extend_schema(request=MessageInputSerializer, responses={201: MessageOutputSerializer})
    def post(self, request, conversation_id: int):
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        posted = services.post_message(
            conversation_id=conversation_id, sender_id=request.user.pk, **data.validated_data
        )
        return Response(MessageOutputSerializer(posted.message).data, status=status.HTTP_201_CREATED)


# --- Favourites -------------------------------------------------------------------------------


class FavouritesApi(APIView):
    """GET my favourites; POST {item_id} adds (idempotent); DELETE {item_id} (or ?item_id=) removes."""

    class InputSerializer(serializers.Serializer):
        item_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    @extend_schema(responses=FavouriteOutputSerializer(many=True))
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(services.list_favourites(user_id=request.user.pk), request, view=self)
        return paginator.get_paginated_response(
            FavouriteOutputSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(request=InputSerializer, responses=FavouriteStateOutputSerializer)
    def post(self, request):
        item_id = self._item_id(request.data)
        state = services.add_favourite(user_id=request.user.pk, item_id=item_id)
        return Response(FavouriteStateOutputSerializer(state).data)

    @extend_schema(
        request=InputSerializer,
        parameters=[OpenApiParameter("item_id", int, required=False)],
        responses=FavouriteStateOutputSerializer,
    )
    def delete(self, request):
        item_id = self._item_id(request.data or request.query_params)
        state = services.remove_favourite(user_id=request.user.pk, item_id=item_id)
        return Response(FavouriteStateOutputSerializer(state).data)

    def _item_id(self, payload) -> int:
        data = self.InputSerializer(data=payload)
        data.is_valid(raise_exception=True)
        return data.validated_data["item_id"]


# --- Reports ------------------------------------------------------------------------------------


class ReportsApi(APIView):
    """Report a listing, a review or a message to the moderators, once per target
    (rate-limited: scope "reports", shared with the report page)."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "reports"

    class InputSerializer(serializers.Serializer):
        target_type = serializers.ChoiceField(choices=services.ReportTarget.choices)
        target_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        reason = serializers.ChoiceField(choices=services.REPORT_REASONS)
        text = _text_field(required=False, default="")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="report_id")
        target_type = serializers.CharField()
        target_id = serializers.IntegerField()
        reason = serializers.CharField()
        status = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report(reporter_id=request.user.pk, **data.validated_data)
        return Response(self.OutputSerializer(report).data, status=status.HTTP_201_CREATED)
