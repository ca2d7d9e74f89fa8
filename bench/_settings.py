"""Settings for benchmark servers: the real settings (production profile from the
environment, see bench._server.server_env) plus the reference views' URLs.

Only the URL root changes, so the reference views and the pages under test are served
by the same middleware, database settings and gunicorn workers (DESIGN §7).
"""

from shop.settings import *  # noqa: F403

ROOT_URLCONF = "bench._urls"
# The bench does not run collectstatic: plain static storage, so {% static %} needs no manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Bench-only accounts (sellers of the generated items): fast hashing while loading them.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
