"""Security headers, the Content-Security-Policy and the production settings (issue 9, part 3).

The policy is on in every profile (shop/settings.py), so these tests and the browser
tests see what production sends. Production itself (DJANGO_DEBUG=false) is checked in a
subprocess, since settings are read once per process.
"""

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


class ScriptAudit(HTMLParser):
    """Finds what script-src 'self' would block: inline scripts, on* handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._inline = False
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:...>")
        if tag == "script":
            self.scripts += 1
            data_block = (attrs.get("type") or "").lower() in ("application/json", "application/ld+json")
            self._inline = "src" not in attrs and not data_block

    def handle_data(self, data):
        if self._inline and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]!r}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._inline = False


def _client(account=None) -> Client:
    client = Client()
    if account is not None:
        client.force_login(get_user_model().objects.get(pk=account.user_id))
    return client


def test_pages_and_api_carry_the_policy_and_the_security_headers(world):
    for response in (
        _client(world.alice).get("/"),
        _client().get("/items/"),
        _client(world.alice).get("/api/v1/wallet/"),
        _client().get("/api/docs/"),
    ):
        csp = policy(response)
        assert csp["default-src"] == ["'self'"]
        assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no CDN
        assert csp["object-src"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["base-uri"] == ["'self'"]
        assert csp["form-action"] == ["'self'"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_no_page_has_a_script_the_policy_would_block(world, moderator):
    alice, mod = _client(world.alice), _client(moderator)
    pages = [(alice, url) for url in world.member_pages]
    pages += [(_client(), url) for url in ("/accounts/login/", "/accounts/signup/", "/api/docs/")]
    pages += [
        (mod, url) for url in ("/admin/", "/admin/catalogue/item/", f"/admin/orders/order/{world.open_order}/change/")
    ]

    scripts = 0
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        audit = ScriptAudit()
        audit.feed(response.content.decode())
        assert audit.problems == [], url
        scripts += audit.scripts
    assert scripts > len(pages)  # htmx on every page, plus the page scripts


def test_swagger_init_script_is_a_file_the_policy_allows():
    page = Client().get("/api/docs/").content.decode()
    script = Client().get("/api/docs/?script=")

    assert 'src="/api/docs/?script="' in page
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_order_countdown_runs_from_a_static_file(world):
    page = _client(world.alice).get(f"/orders/{world.open_order}/").content.decode()

    assert '<script src="/static/js/countdown.js" defer></script>' in page


# --- Production ----------------------------------------------------------------------------

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "test-" + "k" * 60,
    "DJANGO_ALLOWED_HOSTS": "bazaar.example",
    "DJANGO_SETTINGS_MODULE": "shop.settings",
}

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
r = Client().get("/healthz", secure=True, HTTP_HOST="bazaar.example")
plain = Client().get("/items/", HTTP_HOST="bazaar.example")
print(json.dumps({
    "headers": dict(r.headers),
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
    "settings": {k: getattr(settings, k) for k in (
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
        "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS")},
}))
"""


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_sends_hsts_csp_and_secure_cookies():
    out = _run(["-c", PROBE], PRODUCTION)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    headers = result["headers"]

    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert result["plain_status"] == 301
    assert result["plain_location"] == "https://bazaar.example/items/"
    assert result["settings"] == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    }


def test_check_deploy_is_clean_in_production():
    out = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)

    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout + out.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}

    out = _run(["manage.py", "check"], env)

    assert out.returncode != 0
    assert "DJANGO_SECRET_KEY" in out.stderr
