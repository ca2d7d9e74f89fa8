from django.utils.functional import SimpleLazyObject

from notifications import services


def unread_notifications(request) -> dict:
    """`notifications_unread` for the bell in base.html: one COUNT, only when rendered.

    Lazy, so a template that never shows the bell costs no query; anonymous visitors
    never query at all.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": SimpleLazyObject(lambda: services.get_unread_count(user_id=user.pk))}
