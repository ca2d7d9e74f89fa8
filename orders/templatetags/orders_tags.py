from django import template

from orders.constants import OrderStatus

register = template.Library()

_LABELS = dict(OrderStatus.choices)


@register.filter
def status_label(value: str) -> str:
    return _LABELS.get(value, value)


@register.filter
def reason_label(value: str) -> str:
    return value.replace("_", " ")
