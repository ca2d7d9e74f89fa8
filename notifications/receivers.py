"""Listeners to other apps' events: they only queue work (STYLE §2.3)."""

from notifications import services


def on_order_transitioned(sender, transition, **kwargs) -> None:
    # orders sends this after commit with send_robust; enqueue_order_transition never
    # raises, so nothing we do can fail the buyer's request.
    services.enqueue_order_transition(transition=transition)
