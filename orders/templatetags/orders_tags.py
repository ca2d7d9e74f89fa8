from django import template

from orders.constants import DisputeReason, OrderStatus, ParcelStatus

register = template.Library()

_LABELS = dict(OrderStatus.choices)
_PARCEL_LABELS = dict(ParcelStatus.choices)
_DISPUTE_LABELS = dict(DisputeReason.choices)


@register.filter
def status_label(value: str) -> str:
    return _LABELS.get(value, value)


@register.filter
def parcel_status_label(value: str) -> str:
    return _PARCEL_LABELS.get(value, value)


@register.filter
def dispute_reason_label(value: str) -> str:
    return _DISPUTE_LABELS.get(value, value)


@register.filter
def reason_label(value: str) -> str:
    return value.replace("_", " ")
