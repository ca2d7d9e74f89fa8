"""Test settings: the real settings, with eager Celery and fast hashing.

Still honours DATABASE_URL and REDIS_URL, so CI runs the same suite on PostgreSQL.
"""

from shop.settings import *  # noqa: F403

# The live-worker tests run a real worker with this turned off (conftest.celery_worker).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)  # noqa: F405
CELERY_TASK_EAGER_PROPAGATES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
# Throttling is exercised by its own tests with explicit rates; elsewhere it would make
# the suite depend on how fast it runs.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"auth": "1000/min", "top_up": "1000/min", "messages": "1000/min", "reports": "1000/min"},
}
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
