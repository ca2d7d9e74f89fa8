"""Output shapes shared by the orders API views (read-only, from the public dataclasses)."""

from rest_framework import serializers

from shop.common.money import MAX_DIGITS


def money():
    return serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2)


class OrderLineOutputSerializer(serializers.Serializer):
    item_id = serializers.IntegerField()
    seller_id = serializers.IntegerField()
    title = serializers.CharField()
    unit_price = money()
    quantity = serializers.IntegerField()
    line_total = money()


class HistoryOutputSerializer(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    actor_id = serializers.IntegerField(allow_null=True)
    occurred_at = serializers.DateTimeField()


class FailureOutputSerializer(serializers.Serializer):
    code = serializers.CharField(source="failure_code")
    item_ids = serializers.ListField(child=serializers.IntegerField(), source="short_item_ids")


class InvoiceOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, invoice) -> str:
        return f"/api/v1/orders/{invoice.order_id}/invoice/"


class OrderOutputSerializer(serializers.Serializer):
    """An order; `invoice` comes from payments, passed in context as {order_id: InvoiceStatus}."""

    id = serializers.IntegerField(source="order_id")
    status = serializers.CharField()
    total = money()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    failure = serializers.SerializerMethodField()
    lines = OrderLineOutputSerializer(many=True)
    history = HistoryOutputSerializer(many=True)
    invoice = serializers.SerializerMethodField()

    def get_failure(self, order) -> dict | None:
        return FailureOutputSerializer(order).data if order.failure_code else None

    def get_invoice(self, order) -> dict | None:
        invoice = self.context.get("invoices", {}).get(order.order_id)
        return InvoiceOutputSerializer(invoice).data if invoice else None
