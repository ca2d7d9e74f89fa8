from django.contrib import admin

from cart.models import CartLine


@admin.register(CartLine)
class CartLineAdmin(admin.ModelAdmin):
    """Read-only: carts are the buyers' own business; shown to help answer support questions."""

    list_display = ("id", "user", "item_id", "quantity", "added_at")
    search_fields = ("user__username",)
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
