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


class SellerStats(models.Model):
    """A seller's rating aggregates, one row per seller who was ever reviewed.

    Kept here, in the bottom layer, so catalogue's cards and community's profiles read
    the same figures without importing each other. Only accounts.services.record_rating
    writes it, with F() increments inside the review's transaction, so concurrent reviews
    never lose an update (issue 15: the average stays right under concurrency).
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, primary_key=True, related_name="seller_stats")
    rating_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    stars_1 = models.PositiveIntegerField(default=0)
    stars_2 = models.PositiveIntegerField(default=0)
    stars_3 = models.PositiveIntegerField(default=0)
    stars_4 = models.PositiveIntegerField(default=0)
    stars_5 = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "seller stats"
        constraints = [
            # The last guard: the sum of 1-5 star ratings lies between count and 5 × count,
            # and the histogram adds up to the count.
            models.CheckConstraint(
                condition=models.Q(rating_sum__gte=models.F("rating_count"))
                & models.Q(rating_sum__lte=models.F("rating_count") * 5),
                name="accounts_sellerstats_sum_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    rating_count=models.F("stars_1")
                    + models.F("stars_2")
                    + models.F("stars_3")
                    + models.F("stars_4")
                    + models.F("stars_5")
                ),
                name="accounts_sellerstats_histogram_adds_up",
            ),
        ]

    def __str__(self) -> str:
        return f"ratings of user {self.user_id}"
