"""Item cards and category options for the browse and home pages, built in Python.

A browse page shows 24 cards; rendered through `{% include %}` they cost more than all
the rest of the page, and even format_html (which escapes through lazy-aware wrappers)
was a fifth of it (docs/benchmarks.md). Here every value that comes from users or the
database goes through html.escape, the function Django's own escape calls, and the
result is marked safe once.
"""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from catalogue.selectors import CategoryNode, ItemRow
from shop.common.hearts import heart_html, states_loader_html
from shop.common.money import format_credits

register = template.Library()


@register.simple_tag
def item_cards(items: list[ItemRow], viewer_id: int | None, csrf_token: str | None = None) -> SafeString:
    token = str(csrf_token) if viewer_id is not None and csrf_token else None
    return mark_safe("".join([_card(item, viewer_id, token) for item in items]))


@register.simple_tag
def favourite_states(items, viewer_id: int | None) -> SafeString:
    """The lazy loader that fills in the signed-in viewer's hearts (nothing for visitors)."""
    if viewer_id is None:
        return mark_safe("")
    return mark_safe(states_loader_html(getattr(item, "id", item) for item in items))


@register.simple_tag
def item_heart(item_id: int, count: int, viewer_id: int | None, seller_id: int, csrf_token=None) -> SafeString:
    token = str(csrf_token) if viewer_id is not None and csrf_token else None
    return mark_safe(heart_html(item_id=item_id, count=count, csrf_token=token, own=seller_id == viewer_id))


def _card(item: ItemRow, viewer_id: int | None, csrf_token: str | None = None) -> str:
    own = item.seller_id == viewer_id
    category = escape(item.category.name)
    if item.thumbnail_url:
        src = escape(item.thumbnail_url)
        picture = f'<img class="thumb" src="{src}" alt="" loading="lazy" width="400" height="300">'
    else:
        picture = f'<span class="thumb placeholder" aria-hidden="true">{escape(item.category.name[:1])}</span>'
    if own:
        badge = '<span class="badge own-badge">Your listing</span>'
    elif item.available > 0:
        badge = f'<span class="badge ok">{item.available} available</span>'
    else:
        badge = '<span class="badge bad">Sold out</span>'
    seller = escape(item.seller_username)
    # The seller's rating links to their profile (issue 15); "☆ new" before any review.
    rating = item.seller_rating or "☆ new"
    heart = heart_html(item_id=item.id, count=item.favourite_count, csrf_token=csrf_token, own=own)
    return (
        f'<li class="card item-card{" own" if own else ""}"><a class="item-link" href="/items/{item.id}/">{picture}'
        f'<span class="item-title">{escape(item.title)}</span></a>'
        f'<span class="price">{format_credits(item.price)}</span>'
        f'<span class="muted item-meta"><span class="condition">{item.condition_label}</span> · {category} · '
        f"{seller}</span>"
        f'<a class="seller-link rating" href="/sellers/{seller}/" aria-label="{seller}: seller profile, {rating}">'
        f'{rating}</a><span class="card-foot">{badge}{heart}</span></li>'
    )


@register.simple_tag
def category_options(categories: list[CategoryNode], selected: str | None) -> SafeString:
    """The <option>s of the two-level category select (same reason as item_cards)."""
    options = []
    for top in categories:
        options.append(_option(top, selected, indent=""))
        options.extend(_option(child, selected, indent="\u2003") for child in top.children)
    return mark_safe("".join(options))


def _option(node: CategoryNode, selected: str | None, *, indent: str) -> str:
    chosen = " selected" if node.slug == selected else ""
    return f'<option value="{escape(node.slug)}"{chosen}>{indent}{escape(node.name)}</option>'
