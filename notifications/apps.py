from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from notifications import services, tasks
        from orders import events as orders_events
        from outbox import services as outbox_services

        # Consequences of other apps' commits reach us through the outbox, at least once
        # (DESIGN §2 Delivery of consequences); our tasks are idempotent consumers.
        outbox_services.subscribe(topic=orders_events.ORDER_TRANSITIONED, consumer=tasks.notify_order_transition_task)
        outbox_services.subscribe(topic=orders_events.PARCEL_TRANSITIONED, consumer=tasks.notify_parcel_transition_task)
        outbox_services.subscribe(topic=services.EMAIL_REQUESTED, consumer=tasks.send_notification_email_task)
