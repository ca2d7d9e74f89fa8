from django import forms

from orders.constants import DisputeReason, OrderStatus, ParcelStatus
from orders.services.parcels import CARRIER_MAX, DISPUTE_MESSAGE_MAX, REASON_TEXT_MAX, TRACKING_MAX


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Any status"), *OrderStatus.choices], required=False)


class CheckoutForm(forms.Form):
    idempotency_key = forms.CharField(max_length=255, required=False, widget=forms.HiddenInput)


# --- Fulfilment (DESIGN §2): lengths here match the services' own checks, so the page
# says "at most N characters" before the service would; characters are the service's job.


class SalesFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "All parcels"), *ParcelStatus.choices], required=False)


class ShipForm(forms.Form):
    carrier = forms.CharField(max_length=CARRIER_MAX, required=False, help_text="Optional, e.g. La Poste.")
    tracking_code = forms.CharField(
        label="Tracking code", max_length=TRACKING_MAX, required=False, help_text="Optional: letters, digits and -."
    )


class CancelParcelForm(forms.Form):
    reason = forms.CharField(
        label="Why (optional)", max_length=REASON_TEXT_MAX, required=False, help_text="The buyer sees it."
    )


class DisputeForm(forms.Form):
    reason = forms.ChoiceField(label="What went wrong", choices=[("", "Choose…"), *DisputeReason.choices])
    message = forms.CharField(
        label="Tell us more",
        max_length=DISPUTE_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A moderator reads it and decides: refund or release to the seller.",
    )
