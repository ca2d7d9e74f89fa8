from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from payments import services
from shop.common.money import MAX_DIGITS
from shop.common.pagination import PageNumberPagination


class WalletOutputSerializer(serializers.Serializer):
    balance = serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2)
    # Credits in escrow for the user's unsettled parcels as a seller (DESIGN §3 wallet).
    held = serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2)
    currency = serializers.SerializerMethodField()

    def get_currency(self, wallet) -> str:
        return "credits"


class WalletApi(APIView):
    @extend_schema(responses=WalletOutputSerializer)
    def get(self, request):
        return Response(WalletOutputSerializer(services.get_wallet_overview(user_id=request.user.pk)).data)


class WalletTransactionsApi(APIView):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(source="transfer_id")
        kind = serializers.CharField()
        amount = serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2)
        reference = serializers.CharField()
        memo = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(services.list_ledger(user_id=request.user.pk), request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class WalletTopUpApi(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "top_up"

    class InputSerializer(serializers.Serializer):
        # Read as text so "abc", "1e400" or "12.345" reach the service's exact checks.
        amount = serializers.CharField(max_length=32)

    @extend_schema(request=InputSerializer, responses=WalletOutputSerializer)
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        wallet = services.top_up(user_id=request.user.pk, amount=data.validated_data["amount"])
        return Response(WalletOutputSerializer(services.get_wallet_overview(user_id=wallet.user_id)).data)


class OrderInvoiceApi(APIView):
    """GET orders/{id}/invoice/: the PDF for the buyer or a moderator (DESIGN §3).

    200 application/pdf when ready; 202 {"status": "pending"} while it is being rendered
    (or retried after a failure); 404 when the order has no invoice or is not yours.
    """

    class PendingSerializer(serializers.Serializer):
        status = serializers.CharField()

    def perform_content_negotiation(self, request, force=False):
        # A client asking for application/pdf must not get 406: the PDF bypasses the
        # renderers, and the 202/404 bodies fall back to JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            202: PendingSerializer,
            404: OpenApiResponse(description="No invoice for this order, or not yours."),
        }
    )
    def get(self, request, order_id: int):
        document = services.get_invoice_for_user(order_id=order_id, user_id=request.user.pk)
        pdf = services.open_invoice_pdf(document=document)
        if pdf is None:
            return Response({"status": "pending"}, status=status.HTTP_202_ACCEPTED)
        return FileResponse(pdf, as_attachment=True, filename=document.download_name, content_type="application/pdf")


class ParcelCreditNoteApi(APIView):
    """GET parcels/{id}/credit-note/: the refund's credit note PDF for the buyer or a
    moderator: 200 application/pdf, 202 {"status": "pending"}, 404 (none, or not yours)."""

    PendingSerializer = OrderInvoiceApi.PendingSerializer

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            202: OrderInvoiceApi.PendingSerializer,
            404: OpenApiResponse(description="No credit note for this parcel, or not yours."),
        }
    )
    def get(self, request, parcel_id: int):
        document = services.get_credit_note(reference=f"parcel:{parcel_id}", user_id=request.user.pk)
        pdf = services.open_credit_note_pdf(document=document)
        if pdf is None:
            return Response({"status": "pending"}, status=status.HTTP_202_ACCEPTED)
        return FileResponse(pdf, as_attachment=True, filename=document.download_name, content_type="application/pdf")
