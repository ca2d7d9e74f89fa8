from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from notifications import receivers
        from orders import events as orders_events

        orders_events.order_transitioned.connect(
            receivers.on_order_transitioned, dispatch_uid="notifications-order-transitioned"
        )
