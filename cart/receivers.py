"""Listeners: merge the anonymous session cart into the user's cart at login."""

from cart import services, session


def merge_session_cart_on_login(sender, request, user, **kwargs) -> None:
    # Django keeps the session data across login (cycle_key), so the visitor's lines are
    # still there; they are merged by the same rules as adding, never raising at login.
    if request is None or not hasattr(request, "session"):
        return
    lines = session.pop_lines(request.session)
    if lines:
        services.merge_into_cart(user_id=user.pk, lines=lines)
