"""A real browser (Debian's chromium driven by Playwright) against a live server."""

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Chromium started by the probe of this workplace: no sandbox as root, and no background
# networking, which the closed network would refuse noisily.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API keeps an event loop running in this thread; the test body's ORM
# calls are still synchronous, so tell Django not to refuse them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"needs chromium at {CHROMIUM} (.ci/run installs it with apt-get)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class BrowserErrors(list):
    """JavaScript errors and console errors seen by a page; a test fails if any appear."""


@pytest.fixture
def make_page(browser, live_server):
    """New isolated browser contexts (one per user) whose pages fail the test on any JS error."""
    contexts = []
    errors = BrowserErrors()

    def make(*, width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        return page

    yield make
    for context in contexts:
        context.close()
    assert list(errors) == [], f"JavaScript errors in the browser: {errors}"


@pytest.fixture
def page(make_page):
    return make_page()


@pytest.fixture
def shots_dir():
    """Where screenshots for docs/screenshots/ are written when E2E_SCREENSHOTS=1."""
    path = os.environ.get("E2E_SCREENSHOTS")
    if not path:
        return None
    os.makedirs(path, exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _live_media(settings, tmp_path):
    """Uploaded pictures go to a temporary folder and the live server serves them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ROOT_URLCONF = "tests.e2e.urls"


@pytest.fixture
def categories(db) -> None:
    """The demo category tree (Electronics › Phones, Home & Garden › Kitchen, ...), no items."""
    from catalogue import services as catalogue_services

    catalogue_services.load_demo_catalogue(seller_ids=[], items=0)
