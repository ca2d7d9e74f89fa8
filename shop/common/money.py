"""Money: Decimal with two places, one virtual currency ("credits"). Never floats."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

CENT = Decimal("0.01")
MAX_DIGITS = 14


class InvalidAmount(ValueError):
    """Raised when a value cannot be read as an amount of credits."""


def to_money(value: Decimal | int | str) -> Decimal:
    """Read a value as credits with exactly two places; floats are refused on purpose."""
    if isinstance(value, float):
        raise InvalidAmount("floats are not money")
    try:
        amount = Decimal(value)
        if not amount.is_finite() or amount.adjusted() >= MAX_DIGITS - 2:
            raise InvalidAmount(f"not an amount: {value!r}")
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise InvalidAmount(f"not an amount: {value!r}") from exc


def format_credits(amount: Decimal) -> str:
    """Human form used on pages: thousands separators, two places, the unit."""
    return f"{to_money(amount):,.2f} cr"


def MoneyField(**kwargs) -> models.DecimalField:  # noqa: N802 - reads like a field class
    """The one column shape for amounts, so every app stores money alike."""
    return models.DecimalField(max_digits=MAX_DIGITS, decimal_places=2, **kwargs)
