from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import services
from shop.common.money import MAX_DIGITS
from shop.common.pagination import PageNumberPagination


class NotificationOutputSerializer(serializers.Serializer):
    class LineSerializer(serializers.Serializer):
        item_id = serializers.IntegerField()
        title = serializers.CharField()
        quantity = serializers.IntegerField()
        unit_price = serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2)
        line_total = serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2)

    id = serializers.IntegerField(source="notification_id")
    kind = serializers.CharField()
    order_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    url = serializers.CharField()
    total = serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2, allow_null=True)
    lines = LineSerializer(many=True)
    is_read = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationListApi(APIView):
    class FilterSerializer(serializers.Serializer):
        unread = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="only unread notifications")],
        responses=NotificationOutputSerializer(many=True),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notifications = services.list_notifications(
            user_id=request.user.pk, unread_only=filters.validated_data["unread"]
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(notifications, request, view=self)
        response = paginator.get_paginated_response(NotificationOutputSerializer(page, many=True).data)
        response.data["unread_count"] = services.get_unread_count(user_id=request.user.pk)
        return response


class NotificationReadApi(APIView):
    @extend_schema(request=None, responses=NotificationOutputSerializer)
    def post(self, request, notification_id: int):
        notification = services.mark_read(user_id=request.user.pk, notification_id=notification_id)
        return Response(NotificationOutputSerializer(notification).data)


class NotificationReadAllApi(APIView):
    class OutputSerializer(serializers.Serializer):
        marked = serializers.IntegerField()

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request):
        marked = services.mark_all_read(user_id=request.user.pk)
        return Response(self.OutputSerializer({"marked": marked}).data)
