"""Reading the text people write to each other: plain text only, bounded, no control bytes."""

import re

from shop.common.errors import InvalidInput

# Something that reads as an HTML tag or comment: "<a href", "</p>", "<!--", "<img/>".
# "<3", "a < b" and "x<y" stay allowed: only markup is refused, not the character.
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
# C0 controls but tab, line feed and carriage return; NUL among them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value, *, field: str, max_length: int, required: bool) -> str:
    """The text stripped, or InvalidInput naming `field` (empty when required, too long,
    control characters, HTML markup). Stored as typed; pages escape it on the way out."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput("Send text.", field=field)
    if "\x00" in value or _CONTROL.search(value):
        raise InvalidInput("Remove the control characters (such as NUL) from the text.", field=field)
    text = value.strip().replace("\r\n", "\n")
    if required and not text:
        raise InvalidInput("Write something first.", field=field)
    if len(text) > max_length:
        raise InvalidInput(f"Keep it to {max_length:,} characters (this has {len(text):,}).", field=field)
    if _TAG.search(text):
        raise InvalidInput("Plain text only: remove the HTML tags.", field=field)
    return text


EXCERPT_LENGTH = 140


def excerpt(text: str) -> str:
    """The start of a text on one line, for notifications and lists."""
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"
