"""Steps shared by the browser journeys: what a person does, through the page only."""

import io
import re

from playwright.sync_api import Page, expect

PASSWORD = "a-Strong-pass-42"


def sign_up(page: Page, username: str) -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text(f"Welcome to Bazaar, {username}!")).to_be_visible()


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    # Attached rather than visible: on a phone the menu is folded away.
    expect(page.get_by_role("link", name=username, exact=True, include_hidden=True)).to_be_attached()


def nav(page: Page, name: str) -> None:
    """Follow a main-menu link, opening the menu first on a narrow screen.

    The name is matched at the start: "Notifications" and "Messages" also carry their
    unread count, which the browser may join to the word without a space ("Messages1
    unread"), so the name may go on with anything but a letter. The menu is opened only
    when its button shows (a narrow screen): whether the link is visible at one instant
    is no test while htmx swaps the counts inside it.
    """
    pattern = re.compile(rf"^{re.escape(name)}(?![A-Za-z])")
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=pattern)
    burger = page.locator("label.nav-burger")
    if burger.is_visible() and not link.is_visible():
        burger.click()
    link.click()


def png_picture(width: int = 640, height: int = 480, colour: tuple = (47, 91, 234)) -> dict:
    """An in-memory PNG, in the shape Playwright's set_input_files takes."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(255, 196, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return {"name": "lamp.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


def list_item(
    page: Page,
    *,
    title: str,
    price: str,
    quantity: int,
    category: str,
    description: str = "",
    picture: dict | None = None,
) -> int:
    """Put an item on sale through /sell/new/; returns its id (from the item page's URL)."""
    page.goto("/sell/new/")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill(description)
    page.get_by_label("Category").select_option(label=category)
    page.get_by_label("Price").fill(price)
    page.get_by_label("Quantity").fill(str(quantity))
    if picture:
        page.get_by_label("Picture").set_input_files(picture)
    page.get_by_role("button", name="Put on sale").click()
    expect(page.get_by_text(f"“{title}” is on sale.")).to_be_visible()
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])
