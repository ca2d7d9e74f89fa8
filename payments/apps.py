from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self) -> None:
        from accounts import events as accounts_events
        from payments import receivers

        accounts_events.user_created.connect(receivers.open_wallet_for_new_user, dispatch_uid="payments-open-wallet")
