"""Template filters available in every template (registered as builtins in settings)."""

from decimal import Decimal

from django import template

from shop.common.money import InvalidAmount, format_credits

register = template.Library()


@register.filter
def credits(value: Decimal | str | int | None) -> str:
    if value is None or value == "":
        return ""
    try:
        return format_credits(value)
    except InvalidAmount:
        return str(value)
