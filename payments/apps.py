from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self) -> None:
        from accounts import events as accounts_events
        from outbox import services as outbox_services
        from payments import escrow, invoices, receivers, tasks

        accounts_events.user_created.connect(receivers.open_wallet_for_new_user, dispatch_uid="payments-open-wallet")
        outbox_services.subscribe(topic=invoices.RENDER_REQUESTED, consumer=tasks.render_requested_invoice_task)
        outbox_services.subscribe(
            topic=escrow.CREDIT_NOTE_RENDER_REQUESTED, consumer=tasks.render_requested_credit_note_task
        )
