from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as accounts_services
from orders import selectors, services
from orders.constants import OrderStatus
from orders.serializers import OrderOutputSerializer, money
from payments import services as payments_services
from shop.common.pagination import PageNumberPagination


def order_context(orders) -> dict:
    """What order output needs beyond the orders: invoices, parcels, names, credit notes.

    At most five queries whatever the number of orders (a list page stays constant)."""
    # Only a paid order has parcels and an invoice: a checkout's answer reads neither.
    order_ids = [order.order_id for order in orders if order.paid_at is not None]
    parcels = services.get_parcels_of_orders(order_ids=order_ids) if order_ids else {}
    return {
        "invoices": payments_services.get_invoice_statuses(order_ids=order_ids) if order_ids else {},
        "parcels": parcels,
        **parcel_context([parcel for found in parcels.values() for parcel in found]),
    }


def parcel_context(parcels) -> dict:
    """Usernames and credit note numbers for parcel output, two queries."""
    user_ids = {user_id for parcel in parcels for user_id in (parcel.buyer_id, parcel.seller_id)}
    accounts = accounts_services.get_accounts(user_ids=user_ids) if user_ids else {}
    refunded = [parcel.hold_reference for parcel in parcels if parcel.status == services.ParcelStatus.REFUNDED]
    return {
        "usernames": {user_id: account.username for user_id, account in accounts.items()},
        "credit_notes": payments_services.get_credit_note_numbers(references=refunded) if refunded else {},
    }


def paid_order_context(paid: services.PaidOrder) -> dict:
    """order_context from what a payment wrote: no query (a replay reads as any order)."""
    if paid.replayed:
        return order_context([paid.order])
    order_id = paid.order.order_id
    return {
        "invoices": {order_id: paid.invoice} if paid.invoice else {},
        "parcels": {order_id: list(paid.parcels)},
        "usernames": paid.usernames,
        "credit_notes": {},  # a parcel just opened has no refund yet
    }


def _order_response(
    order: services.OrderSnapshot, *, context: dict | None = None, status_code: int = 200, headers=None
) -> Response:
    data = OrderOutputSerializer(order, context=order_context([order]) if context is None else context).data
    return Response(data, status=status_code, headers=headers)


class OrdersApi(APIView):
    """GET: my orders (filter `status`). POST: checkout the cart."""

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=OrderStatus.choices, required=False)

    @extend_schema(
        parameters=[OpenApiParameter("status", enum=OrderStatus.values)],
        responses=OrderOutputSerializer(many=True),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(
            selectors.orders_for_buyer(buyer_id=request.user.pk, status=filters.validated_data.get("status")),
            request,
            view=self,
        )
        orders = [services.snapshot_of(order) for order in page]
        data = OrderOutputSerializer(orders, many=True, context=order_context(orders)).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("Idempotency-Key", location=OpenApiParameter.HEADER, required=False)],
        responses={201: OrderOutputSerializer},
    )
    def post(self, request):
        result = services.place_order(buyer_id=request.user.pk, idempotency_key=request.headers.get("Idempotency-Key"))
        headers = {"Idempotent-Replayed": "true"} if result.replayed else None
        return _order_response(result.order, status_code=status.HTTP_201_CREATED, headers=headers)


class OrderDetailApi(APIView):
    @extend_schema(responses=OrderOutputSerializer)
    def get(self, request, order_id: str):
        return _order_response(services.get_order_for_user(order_id=int(order_id), user_id=request.user.pk))


class OrderPayApi(APIView):
    @extend_schema(request=None, responses=OrderOutputSerializer)
    def post(self, request, order_id: str):
        paid = services.pay_order(order_id=int(order_id), buyer_id=request.user.pk)
        return _order_response(paid.order, context=paid_order_context(paid))


class OrderCancelApi(APIView):
    @extend_schema(request=None, responses=OrderOutputSerializer)
    def post(self, request, order_id: str):
        return _order_response(services.cancel_order(order_id=int(order_id), actor_id=request.user.pk))


class SalesApi(APIView):
    class OutputSerializer(serializers.Serializer):
        order_id = serializers.IntegerField()
        item_id = serializers.IntegerField()
        title = serializers.CharField()
        quantity = serializers.IntegerField()
        unit_price = money()
        line_total = money()
        buyer = serializers.CharField(source="order.buyer.username")
        paid_at = serializers.DateTimeField(source="order.paid_at")

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.sales_for_seller(seller_id=request.user.pk), request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)
