from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """The shop's user; custom from the first migration so it can grow without pain."""

    email = models.EmailField("email address")

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # One account per address whatever its case: "Bob@x" and "bob@x" are the same inbox.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
