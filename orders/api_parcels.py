"""DRF views of fulfilment (DESIGN §3 parcels/): one view per operation (STYLE §2.6)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from orders import selectors, services
from orders.api import parcel_context
from orders.serializers import ParcelOutputSerializer
from orders.services.parcels import parcel_snapshots
from shop.common.pagination import PageNumberPagination


def _parcel_response(parcel: services.ParcelSnapshot) -> Response:
    return Response(ParcelOutputSerializer(parcel, context=parcel_context([parcel])).data)


class ParcelsApi(APIView):
    """GET: my parcels as buyer (default) or seller, optionally of one status."""

    class FilterSerializer(serializers.Serializer):
        role = serializers.ChoiceField(choices=["buyer", "seller"], default="buyer")
        status = serializers.ChoiceField(choices=services.ParcelStatus.choices, required=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("role", enum=["buyer", "seller"]),
            OpenApiParameter("status", enum=services.ParcelStatus.values),
        ],
        responses=ParcelOutputSerializer(many=True),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.parcels_for(user_id=request.user.pk, **filters.validated_data), request, view=self
        )
        parcels = parcel_snapshots(page)
        data = ParcelOutputSerializer(parcels, many=True, context=parcel_context(parcels)).data
        return paginator.get_paginated_response(data)


class ParcelDetailApi(APIView):
    @extend_schema(responses=ParcelOutputSerializer)
    def get(self, request, parcel_id: str):
        return _parcel_response(services.get_parcel_for_user(parcel_id=int(parcel_id), user_id=request.user.pk))


class ParcelShipApi(APIView):
    class InputSerializer(serializers.Serializer):
        # Lengths and characters are checked by the service, for the page's form too.
        carrier = serializers.CharField(required=False, allow_blank=True, max_length=200, trim_whitespace=False)
        tracking_code = serializers.CharField(required=False, allow_blank=True, max_length=200, trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses=ParcelOutputSerializer)
    def post(self, request, parcel_id: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _parcel_response(
            services.ship_parcel(parcel_id=int(parcel_id), seller_id=request.user.pk, **data.validated_data)
        )


class ParcelCancelApi(APIView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    @extend_schema(request=InputSerializer, responses=ParcelOutputSerializer)
    def post(self, request, parcel_id: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _parcel_response(
            services.cancel_parcel(
                parcel_id=int(parcel_id), actor_id=request.user.pk, reason=data.validated_data.get("reason", "")
            )
        )


class ParcelConfirmApi(APIView):
    @extend_schema(request=None, responses=ParcelOutputSerializer)
    def post(self, request, parcel_id: str):
        return _parcel_response(services.confirm_parcel(parcel_id=int(parcel_id), buyer_id=request.user.pk))


class ParcelDisputeApi(APIView):
    class InputSerializer(serializers.Serializer):
        reason = serializers.ChoiceField(choices=services.DisputeReason.choices)
        message = serializers.CharField(max_length=2000)

    @extend_schema(request=InputSerializer, responses=ParcelOutputSerializer)
    def post(self, request, parcel_id: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _parcel_response(
            services.dispute_parcel(parcel_id=int(parcel_id), buyer_id=request.user.pk, **data.validated_data)
        )


class ParcelResolveApi(APIView):
    """Moderators only: release the money to the seller, or refund (all or `amount`)."""

    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=["release", "refund"])
        # Read as text so "abc", "1e400" or "12.345" reach the service's exact checks.
        amount = serializers.CharField(required=False, allow_blank=True, max_length=32)

    @extend_schema(request=InputSerializer, responses=ParcelOutputSerializer)
    def post(self, request, parcel_id: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _parcel_response(
            services.resolve_dispute(parcel_id=int(parcel_id), moderator_id=request.user.pk, **data.validated_data)
        )
