"""A real browser (Debian's chromium driven by Playwright) against a live server."""

import os
import shutil
from collections.abc import Iterator
from decimal import Decimal

import pytest

from tests.e2e.steps import png_picture

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


FAILED_LOAD = "Failed to load resource"


@pytest.fixture
def make_page(browser, live_server):
    """New isolated browser contexts (one per user) whose pages fail the test on any JS error.

    One console error is not a fault: a page answered with its 4xx status on purpose (a
    form with errors is a 400, a refused payment a 409, someone else's order a 404) and
    shown in full. Chrome logs "Failed to load resource" for it, so that message is
    forgiven for the URL of a page (a document) that was loaded, and for nothing else:
    a missing picture, stylesheet, script or a failing htmx request still fails the test.
    """
    contexts = []
    errors = BrowserErrors()
    failed_loads: list[str] = []
    documents: set[str] = set()

    def on_console(msg) -> None:
        if msg.type != "error":
            return
        if msg.text.startswith(FAILED_LOAD):
            failed_loads.append(msg.location.get("url", ""))
        else:
            errors.append(f"console: {msg.text}")

    def on_response(response) -> None:
        if response.request.resource_type == "document":
            documents.add(response.url)

    def make(*, width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", on_console)
        page.on("response", on_response)
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        return page

    yield make
    for context in contexts:
        context.close()
    errors.extend(f"console: {FAILED_LOAD}: {url}" for url in failed_loads if url not in documents)
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


@pytest.fixture
def moderators_group(transactional_db) -> None:
    """The moderators group, as its data migrations build it.

    Live-server tests flush the database after each test, which removes rows made by data
    migrations; rerun the project's `grant_to_moderators` steps on the migration state.
    """
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    from shop.common.migration_helpers import grant_to_moderators

    loader = MigrationLoader(connection)
    state_apps = loader.project_state().apps
    for migration in loader.graph.nodes.values():
        for operation in migration.operations:
            code = getattr(operation, "code", None)
            if isinstance(operation, RunPython) and getattr(code, "func", None) is grant_to_moderators:
                code(state_apps, None)


@pytest.fixture
def moderator(moderators_group, moderator):
    """The root conftest's moderator, with the group restored first."""
    return moderator


@pytest.fixture
def lived_in_shop(categories, make_user, make_item):
    """A shop with history, so that every page has something to show.

    alice sells 30 demo listings and three more; bob (topped up by 500.00) has paid for
    the 1,234.50 lamp, has an order awaiting payment and one line in his cart. Returns the ids.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cart import services as cart_services
    from catalogue import services as catalogue_services
    from orders import services as orders_services
    from payments import services as payments_services

    alice, bob = make_user("alice"), make_user("bob")
    payments_services.top_up(user_id=bob.user_id, amount=Decimal("500.00"))
    catalogue_services.load_demo_catalogue(seller_ids=[alice.user_id], items=30)
    lamp = catalogue_services.create_item(
        seller_id=alice.user_id,
        title="Brass desk lamp",
        description="Heavy brass base, warm light. Works perfectly.",
        category_slug="furniture",
        price=Decimal("1234.50"),
        quantity=5,
        picture=SimpleUploadedFile("lamp.png", png_picture()["buffer"], content_type="image/png"),
    ).item_id
    kettle = make_item(alice, title="Enamel kettle", price="18.00", quantity=3)
    mugs = make_item(alice, title="Six ceramic mugs", price="22.00", quantity=2)

    cart_services.add_to_cart(user_id=bob.user_id, item_id=lamp, quantity=1)
    paid = orders_services.place_order(buyer_id=bob.user_id).order.order_id
    orders_services.pay_order(order_id=paid, buyer_id=bob.user_id)
    cart_services.add_to_cart(user_id=bob.user_id, item_id=kettle, quantity=2)
    waiting = orders_services.place_order(buyer_id=bob.user_id).order.order_id
    cart_services.add_to_cart(user_id=bob.user_id, item_id=mugs, quantity=1)
    return {"lamp": lamp, "kettle": kettle, "mugs": mugs, "paid_order": paid, "waiting_order": waiting}
