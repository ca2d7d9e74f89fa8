from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cart import services
from shop.common.ids import MAX_ID
from shop.common.money import MAX_DIGITS


class CartOutputSerializer(serializers.Serializer):
    class LineSerializer(serializers.Serializer):
        item_id = serializers.IntegerField()
        title = serializers.CharField()
        unit_price = serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2, allow_null=True)
        quantity = serializers.IntegerField()
        line_total = serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2)
        available = serializers.IntegerField(help_text="Units of the item available right now.")
        is_available = serializers.BooleanField(help_text="False when this line cannot be bought as it is.")
        problem = serializers.CharField(help_text="item_unavailable, insufficient_stock, item_removed or empty.")

    lines = LineSerializer(many=True)
    total = serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2)
    item_count = serializers.IntegerField()


class QuantityField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=services.MAX_LINE_QUANTITY, **kwargs)


class CartApi(APIView):
    @extend_schema(responses=CartOutputSerializer)
    def get(self, request):
        return Response(CartOutputSerializer(services.get_cart(user_id=request.user.pk)).data)


class CartLineAddApi(APIView):
    class InputSerializer(serializers.Serializer):
        item_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
        quantity = QuantityField(default=1)

    @extend_schema(request=InputSerializer, responses={201: CartOutputSerializer})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart = services.add_to_cart(user_id=request.user.pk, **data.validated_data)
        return Response(CartOutputSerializer(cart).data, status=status.HTTP_201_CREATED)


class CartLineApi(APIView):
    class InputSerializer(serializers.Serializer):
        quantity = QuantityField()

    @extend_schema(request=InputSerializer, responses=CartOutputSerializer)
    def patch(self, request, item_id: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart = services.set_cart_quantity(user_id=request.user.pk, item_id=int(item_id), **data.validated_data)
        return Response(CartOutputSerializer(cart).data)

    @extend_schema(responses={204: None})
    def delete(self, request, item_id: str):
        services.remove_from_cart(user_id=request.user.pk, item_id=int(item_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
