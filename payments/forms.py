from django import forms
from django.conf import settings

from payments import services
from shop.common.errors import InvalidInput


class TopUpForm(forms.Form):
    amount = forms.CharField(
        max_length=32, widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "50.00"})
    )

    def clean_amount(self):
        try:
            return services.read_amount(self.cleaned_data["amount"], maximum=settings.WALLET_TOP_UP_MAX)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail) from exc


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, help_text="Positive credits the user, negative debits."
    )
    memo = forms.CharField(max_length=255, help_text="Why: kept in the ledger.")
