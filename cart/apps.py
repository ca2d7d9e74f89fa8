from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "cart"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from cart import receivers

        user_logged_in.connect(receivers.merge_session_cart_on_login, dispatch_uid="cart.merge_session_cart")
