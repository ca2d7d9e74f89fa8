"""Settings for benchmark servers: the real settings (production profile from the
environment, see bench._server.server_env) plus the reference views' URLs.

Only the URL root changes, so the reference views and the pages under test are served
by the same middleware, database settings and gunicorn workers (DESIGN §7).
"""

import os

from shop.settings import *  # noqa: F403

ROOT_URLCONF = "bench._urls"
# The bench does not run collectstatic: plain static storage, so {% static %} needs no manifest.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Counts of large result sets and the first pages of large searches are cached this long
# (catalogue.pagination, catalogue.selectors.SearchRows); 0 measures them uncached.
CATALOGUE_COUNT_CACHE_SECONDS = int(os.environ.get("BENCH_BROWSE_CACHE_SECONDS", "30"))
# Bench-only accounts (sellers of the generated items): fast hashing while loading them.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
