from django.apps import AppConfig
from django.db.models.signals import post_save

from accounts import events


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        # Every path that creates a user (sign-up, admin, createsuperuser, demo data)
        # announces it, so no user is ever left without a wallet.
        post_save.connect(_announce_new_user, sender=self.get_model("User"), dispatch_uid="accounts-user-created")


def _announce_new_user(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        events.user_created.send(sender=sender, user_id=instance.pk)
