from django.conf import settings
from django.db import models
from django.db.models import Q


class CartLine(models.Model):
    """One item in a buyer's cart.

    The item lives in catalogue, so only its id is kept (STYLE §2.3): title, price and
    availability are read live from catalogue.services whenever the cart is shown.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item_id = models.BigIntegerField(db_index=True)
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "item_id"], name="cart_line_one_per_item"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × item {self.item_id}"
