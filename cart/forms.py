from django import forms

from cart import services


class QuantityForm(forms.Form):
    quantity = forms.IntegerField(min_value=1, max_value=services.MAX_LINE_QUANTITY)


class AddToCartForm(QuantityForm):
    item_id = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=1, max_value=services.MAX_LINE_QUANTITY, initial=1, required=False)

    def clean_quantity(self) -> int:
        return self.cleaned_data.get("quantity") or 1
