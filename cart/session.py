"""The anonymous visitor's cart, kept in the session until they log in (then merged)."""

from cart import services

SESSION_KEY = "cart"


def get_lines(session) -> dict[int, int]:
    """(item id -> quantity) of the session cart; tolerant of a tampered or old session."""
    raw = session.get(SESSION_KEY) or {}
    lines = {}
    for key, value in raw.items() if isinstance(raw, dict) else ():
        try:
            item_id, quantity = int(key), int(value)
        except (TypeError, ValueError):
            continue
        if quantity > 0:
            lines[item_id] = quantity
    return lines


def add(session, *, item_id: int, quantity: int) -> None:
    """Add units to the session cart under the same rules as a user's cart."""
    lines = get_lines(session)
    total = lines.get(item_id, 0) + quantity
    services.check_can_add(item_id=item_id, quantity=total, buyer_id=None)
    lines[item_id] = total
    _save(session, lines)


def set_quantity(session, *, item_id: int, quantity: int) -> None:
    lines = get_lines(session)
    if item_id not in lines:
        raise services.CartLineNotFound()
    services.check_can_add(item_id=item_id, quantity=quantity, buyer_id=None)
    lines[item_id] = quantity
    _save(session, lines)


def remove(session, *, item_id: int) -> None:
    lines = get_lines(session)
    if lines.pop(item_id, None) is None:
        raise services.CartLineNotFound()
    _save(session, lines)


def pop_lines(session) -> dict[int, int]:
    lines = get_lines(session)
    session.pop(SESSION_KEY, None)
    return lines


def _save(session, lines: dict[int, int]) -> None:
    # JSON session keys are strings.
    session[SESSION_KEY] = {str(item_id): quantity for item_id, quantity in lines.items()}
