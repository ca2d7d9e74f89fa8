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
from shop.common.money import format_credits

register = template.Library()


@register.simple_tag
def item_cards(items: list[ItemRow], viewer_id: int | None) -> SafeString:
    return mark_safe("".join([_card(item, viewer_id) for item in items]))


def _card(item: ItemRow, viewer_id: int | None) -> str:
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
    return (
        f'<li class="card item-card{" own" if own else ""}"><a class="item-link" href="/items/{item.id}/">{picture}'
        f'<span class="item-title">{escape(item.title)}</span></a>'
        f'<span class="price">{format_credits(item.price)}</span>'
        f'<span class="muted item-meta"><span class="condition">{item.condition_label}</span> · {category} · '
        f"{escape(item.seller_username)}</span>{badge}</li>"
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
