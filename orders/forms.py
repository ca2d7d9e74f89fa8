from django import forms

from orders.constants import OrderStatus


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *OrderStatus.choices], required=False)


class CheckoutForm(forms.Form):
    idempotency_key = forms.CharField(max_length=255, required=False, widget=forms.HiddenInput)
