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


class CreditNoteOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    url = serializers.CharField()


class ParcelOutputSerializer(serializers.Serializer):
    """A parcel; context: `usernames` {user_id: username}, `credit_notes` {reference: number}."""

    id = serializers.IntegerField(source="parcel_id")
    order_id = serializers.IntegerField()
    buyer = serializers.SerializerMethodField()
    seller = serializers.SerializerMethodField()
    status = serializers.CharField()
    lines = OrderLineOutputSerializer(many=True)
    total = money()
    carrier = serializers.CharField()
    tracking_code = serializers.CharField()
    ship_by = serializers.DateTimeField()
    shipped_at = serializers.DateTimeField(allow_null=True)
    confirm_by = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    refunded_at = serializers.DateTimeField(allow_null=True)
    refunded_amount = money()
    dispute = serializers.SerializerMethodField()
    credit_note = serializers.SerializerMethodField()
    history = HistoryOutputSerializer(many=True)

    def get_buyer(self, parcel) -> str:
        return self.context.get("usernames", {}).get(parcel.buyer_id, "")

    def get_seller(self, parcel) -> str:
        return self.context.get("usernames", {}).get(parcel.seller_id, "")

    def get_dispute(self, parcel) -> dict | None:
        if not parcel.disputed_at:
            return None
        return {"reason": parcel.dispute_reason, "message": parcel.dispute_message, "opened_at": parcel.disputed_at}

    def get_credit_note(self, parcel) -> dict | None:
        number = self.context.get("credit_notes", {}).get(parcel.hold_reference)
        if not number:
            return None
        return {"number": number, "url": f"/api/v1/parcels/{parcel.parcel_id}/credit-note/"}


class OrderOutputSerializer(serializers.Serializer):
    """An order; context: `invoices` {order_id: InvoiceStatus} from payments, `parcels`
    {order_id: [ParcelSnapshot]}, plus what ParcelOutputSerializer needs."""

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
    parcels = serializers.SerializerMethodField()

    def get_parcels(self, order) -> list[dict]:
        parcels = self.context.get("parcels", {}).get(order.order_id, [])
        return ParcelOutputSerializer(parcels, many=True, context=self.context).data

    def get_failure(self, order) -> dict | None:
        return FailureOutputSerializer(order).data if order.failure_code else None

    def get_invoice(self, order) -> dict | None:
        invoice = self.context.get("invoices", {}).get(order.order_id)
        return InvoiceOutputSerializer(invoice).data if invoice else None
