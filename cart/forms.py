from django import forms

from cart import services
from shop.common.ids import MAX_ID


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=services.MAX_LINE_QUANTITY)


class AddToCartForm(QuantityForm):
    item_id = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=1, max_value=services.MAX_LINE_QUANTITY, initial=1, required=False)

    def clean_quantity(self) -> int:
        return self.cleaned_data.get("quantity") or 1
