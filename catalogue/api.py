from decimal import Decimal

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services as accounts_services
from catalogue import browse, selectors, services
from catalogue.models import Item
from catalogue.pagination import ItemPagination
from catalogue.pictures import validate_picture
from shop.common.money import MAX_DIGITS
from shop.common.pagination import PageNumberPagination

PARSERS = [JSONParser, MultiPartParser, FormParser]


class CategoryOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    children = serializers.SerializerMethodField()

    def get_children(self, node) -> list[dict]:
        return [{"id": c.id, "slug": c.slug, "name": c.name, "children": []} for c in node.children]


class SellerRatingOutputSerializer(serializers.Serializer):
    """The seller's stars: average to one decimal ("4.6", null before the first) and count."""

    average = serializers.DecimalField(max_digits=2, decimal_places=1, allow_null=True)
    count = serializers.IntegerField()


def seller_rating(*, count: int, total: int) -> dict:
    # Built by hand, not by the serializer above: a list page would build 24 of them.
    average = accounts_services.rating_average(count=count, total=total)
    return {"average": None if average is None else str(average), "count": count}


class ItemOutputSerializer(serializers.ModelSerializer):
    """Read-only view of an item for buyers; `is_own` marks the viewer's own listings."""

    category = serializers.SerializerMethodField()
    seller = serializers.CharField(source="seller.username")
    available = serializers.IntegerField()
    is_own = serializers.SerializerMethodField()
    thumbnail = serializers.ImageField(read_only=True)

    class Meta:
        model = Item
        fields = [
            "id",
            "title",
            "category",
            "price",
            "available",
            "status",
            "condition",
            "seller",
            "seller_id",
            "thumbnail",
            "created_at",
            "favourite_count",
            "is_own",
        ]
        read_only_fields = fields

    def get_category(self, item) -> dict:
        return {"slug": item.category.slug, "name": item.category.name}

    def get_is_own(self, item) -> bool:
        return item.seller_id == self.context.get("viewer_id")


class ItemListOutputSerializer(serializers.Serializer):
    """An item as browse lists show it (the fields of ItemOutput); `is_own` marks the viewer's own listings."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.SerializerMethodField()
    price = serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2)
    available = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Item.Status.choices)
    condition = serializers.ChoiceField(choices=Item.Condition.choices)
    seller = serializers.CharField(source="seller_username")
    seller_id = serializers.IntegerField()
    thumbnail = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    favourite_count = serializers.IntegerField()
    seller_rating = serializers.SerializerMethodField()
    is_own = serializers.SerializerMethodField()

    def get_category(self, row) -> dict:
        return {"slug": row.category.slug, "name": row.category.name}

    @extend_schema_field(SellerRatingOutputSerializer)
    def get_seller_rating(self, row) -> dict:
        return seller_rating(count=row.seller_rating_count, total=row.seller_rating_sum)

    def get_thumbnail(self, row) -> str | None:
        request = self.context.get("request")
        if row.thumbnail_url is None or request is None:
            return row.thumbnail_url
        return request.build_absolute_uri(row.thumbnail_url)

    def get_is_own(self, row) -> bool:
        return row.seller_id == self.context.get("viewer_id")


class ItemDetailOutputSerializer(ItemOutputSerializer):
    """One item (from selectors.item_with_details: the seller's ratings come joined)."""

    picture = serializers.ImageField(read_only=True)
    seller_rating = serializers.SerializerMethodField()

    class Meta(ItemOutputSerializer.Meta):
        fields = [*ItemOutputSerializer.Meta.fields, "description", "picture", "updated_at", "seller_rating"]
        read_only_fields = fields

    @extend_schema_field(SellerRatingOutputSerializer)
    def get_seller_rating(self, item) -> dict:
        count, total = selectors.seller_rating_counts(item)
        return seller_rating(count=count, total=total)


class SellerItemOutputSerializer(ItemDetailOutputSerializer):
    """The seller's own view: the counters behind `available` (DESIGN §2)."""

    class Meta(ItemDetailOutputSerializer.Meta):
        fields = [*ItemDetailOutputSerializer.Meta.fields, "quantity", "reserved", "sold"]
        read_only_fields = fields


class SellerListOutputSerializer(ItemOutputSerializer):
    class Meta(ItemOutputSerializer.Meta):
        fields = [*ItemOutputSerializer.Meta.fields, "quantity", "reserved", "sold"]
        read_only_fields = fields


def _context(request) -> dict:
    return {"request": request, "viewer_id": request.user.pk if request.user.is_authenticated else None}


class CategoriesApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CategoryOutputSerializer(many=True))
    def get(self, request):
        return Response(CategoryOutputSerializer(selectors.category_tree(), many=True).data)


class ItemsApi(APIView):
    """GET browses the active items (DESIGN §3 filters); POST puts a new item on sale."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = PARSERS

    class CreateInputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(max_length=5000, required=False, allow_blank=True, trim_whitespace=False)
        category = serializers.SlugField(max_length=80, help_text="A category slug, see categories/.")
        price = serializers.DecimalField(max_digits=MAX_DIGITS, decimal_places=2, min_value=Decimal("0.01"))
        quantity = serializers.IntegerField(min_value=0, max_value=services.MAX_QUANTITY)
        condition = serializers.ChoiceField(
            choices=Item.Condition.choices, default=Item.Condition.GOOD, help_text="good when left out."
        )
        picture = serializers.ImageField(required=False, validators=[validate_picture])

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Text search over title and description (200 characters max)."),
            OpenApiParameter("category", str, description="Category slug; a top category includes its subcategories."),
            OpenApiParameter("price_min", str),
            OpenApiParameter("price_max", str),
            OpenApiParameter("seller", str, description="Seller username."),
            OpenApiParameter("in_stock", bool),
            OpenApiParameter(
                "condition",
                str,
                many=True,
                explode=True,
                enum=list(browse.CONDITIONS),
                description=(
                    "Any of the conditions: repeat the parameter (condition=new&condition=like_new) "
                    "or give a comma list (condition=new,like_new)."
                ),
            ),
            OpenApiParameter("ordering", str, enum=[value for value, _ in browse.ORDERING_CHOICES]),
        ],
        responses=ItemListOutputSerializer(many=True),
    )
    def get(self, request):
        found = browse.find_items(request.query_params)
        if found.errors:
            raise ValidationError(found.errors)
        paginator = ItemPagination(count_key=found.filters.matching_key)
        page = paginator.paginate_queryset(found.rows, request, view=self)
        rows = ItemListOutputSerializer(page, many=True, context=_context(request))
        return paginator.get_paginated_response(rows.data)

    @extend_schema(request=CreateInputSerializer, responses={201: SellerItemOutputSerializer})
    def post(self, request):
        data = self.CreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = data.validated_data
        snapshot = services.create_item(
            seller_id=request.user.pk,
            title=fields["title"],
            description=fields.get("description", ""),
            category_slug=fields["category"],
            price=fields["price"],
            quantity=fields["quantity"],
            condition=fields["condition"],
            picture=fields.get("picture"),
        )
        item = selectors.item_with_details(item_id=snapshot.item_id)
        data = SellerItemOutputSerializer(item, context=_context(request)).data
        return Response(data, status=status.HTTP_201_CREATED)


class ItemsMineApi(APIView):
    """The seller's own listings, any status, with reserved and sold counts."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SellerListOutputSerializer(many=True))
    def get(self, request):
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(selectors.sellers_items(seller_id=request.user.pk), request, view=self)
        return paginator.get_paginated_response(
            SellerListOutputSerializer(page, many=True, context=_context(request)).data
        )


class ItemDetailApi(APIView):
    """GET one item; PATCH edits and DELETE withdraws the caller's own item (others' are 404)."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = PARSERS

    class UpdateInputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200, required=False)
        description = serializers.CharField(max_length=5000, required=False, allow_blank=True, trim_whitespace=False)
        category = serializers.SlugField(max_length=80, required=False)
        price = serializers.DecimalField(
            max_digits=MAX_DIGITS, decimal_places=2, min_value=Decimal("0.01"), required=False
        )
        quantity = serializers.IntegerField(min_value=0, max_value=services.MAX_QUANTITY, required=False)
        condition = serializers.ChoiceField(choices=Item.Condition.choices, required=False)
        picture = serializers.ImageField(required=False, validators=[validate_picture])
        remove_picture = serializers.BooleanField(required=False, default=False)
        status = serializers.ChoiceField(
            choices=[services.ItemStatus.ACTIVE, services.ItemStatus.WITHDRAWN],
            required=False,
            help_text="withdrawn takes the item off sale; active puts a withdrawn item back.",
        )

    @extend_schema(responses=SellerItemOutputSerializer)
    def get(self, request, item_id: int):
        item = self._visible_item(request, item_id)
        serializer = SellerItemOutputSerializer if item.seller_id == request.user.pk else ItemDetailOutputSerializer
        return Response(serializer(item, context=_context(request)).data)

    @extend_schema(request=UpdateInputSerializer, responses=SellerItemOutputSerializer)
    def patch(self, request, item_id: int):
        data = self.UpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "category" in fields:
            fields["category_slug"] = fields.pop("category")
        services.update_item(item_id=item_id, seller_id=request.user.pk, **fields)
        item = selectors.item_with_details(item_id=item_id)
        return Response(SellerItemOutputSerializer(item, context=_context(request)).data)

    @extend_schema(responses=SellerItemOutputSerializer)
    def delete(self, request, item_id: int):
        # DELETE withdraws: orders keep pointing at the row (issue 3 decision).
        services.withdraw_item(item_id=item_id, seller_id=request.user.pk)
        item = selectors.item_with_details(item_id=item_id)
        return Response(SellerItemOutputSerializer(item, context=_context(request)).data)

    def _visible_item(self, request, item_id: int):
        item = selectors.item_with_details(item_id=item_id)
        if item is None:
            raise Http404
        if item.status != services.ItemStatus.ACTIVE:
            user = request.user
            if not user.is_authenticated or (
                item.seller_id != user.pk and not accounts_services.is_moderator(user_id=user.pk)
            ):
                raise Http404
        return item
