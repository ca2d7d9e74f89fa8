from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from catalogue import events as catalogue_events
        from community import events as community_events
        from notifications import services, tasks
        from orders import events as orders_events
        from outbox import services as outbox_services

        # Consequences of other apps' commits reach us through the outbox, at least once
        # (DESIGN §2 Delivery of consequences); our tasks are idempotent consumers.
        outbox_services.subscribe(topic=orders_events.ORDER_TRANSITIONED, consumer=tasks.notify_order_transition_task)
        outbox_services.subscribe(topic=orders_events.PARCEL_TRANSITIONED, consumer=tasks.notify_parcel_transition_task)
        outbox_services.subscribe(topic=services.EMAIL_REQUESTED, consumer=tasks.send_notification_email_task)
        outbox_services.subscribe(topic=community_events.MESSAGE_POSTED, consumer=tasks.notify_message_posted_task)
        outbox_services.subscribe(topic=community_events.REVIEW_POSTED, consumer=tasks.notify_review_posted_task)
        outbox_services.subscribe(topic=catalogue_events.ITEM_ALERT, consumer=tasks.notify_item_alert_task)
