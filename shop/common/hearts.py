"""The favourite heart: one piece of markup shared by catalogue's cards and item page
(first render) and community's favourite views (after a click, and the lazy state).

It lives in the bottom layer because both apps draw it and neither may import the other's
templates' code. Values are ints and a token; the token is escaped anyway.
"""

from html import escape

TOGGLE_URL = "/favourites/toggle/"
STATES_URL = "/favourites/hearts/"


def heart_html(
    *,
    item_id: int,
    count: int,
    favourited: bool = False,
    csrf_token: str | None = None,
    own: bool = False,
    oob: bool = False,
) -> str:
    """A heart with the item's favourite count.

    Signed-in viewers (a csrf_token) get a form that works without JavaScript (POST, then
    back to the page) and with htmx (swaps itself). Visitors get a link to log in; the
    seller sees the count alone (no favouriting one's own items, docs/community.md).
    """
    label = f'<span class="heart-count">{int(count)}</span>'
    if own:
        return f'<span class="heart own" id="heart-{item_id}" title="Favourited by {int(count)}">♡ {label}</span>'
    if csrf_token is None:
        return (
            f'<a class="heart" id="heart-{item_id}" href="/accounts/login/?next=/items/{item_id}/" '
            f'aria-label="Log in to save to favourites">♡ {label}</a>'
        )
    icon, pressed, action = (
        ("♥", "true", "Remove from favourites") if favourited else ("♡", "false", "Save to favourites")
    )
    swap = ' hx-swap-oob="true"' if oob else ""
    return (
        f'<form class="heart{" on" if favourited else ""}" id="heart-{item_id}" method="post" action="{TOGGLE_URL}" '
        f'hx-post="{TOGGLE_URL}" hx-swap="outerHTML"{swap}>'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
        f'<input type="hidden" name="item_id" value="{int(item_id)}">'
        f'<button type="submit" class="heart-button" aria-pressed="{pressed}" aria-label="{action}" title="{action}" '
        f'data-testid="heart"><span class="heart-icon" aria-hidden="true">{icon}</span> {label}</button></form>'
    )


def states_loader_html(item_ids) -> str:
    """One request per page, after it loads, that marks the viewer's favourites (out-of-band
    swaps): the page itself stays the same number of queries for everyone."""
    ids = ",".join(str(int(pk)) for pk in item_ids)
    if not ids:
        return ""
    return f'<div hidden hx-get="{STATES_URL}?ids={ids}" hx-trigger="load" hx-swap="none"></div>'
