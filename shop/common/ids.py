"""Row ids as clients send them: 1 up to the largest BIGINT. A larger number is a 4xx the
database never sees (SQLite raises OverflowError on it, PostgreSQL a DataError: a 500)."""

MAX_ID = 2**63 - 1


def parse_id(raw: str | None) -> int | None:
    """The id written in `raw` (digits only, in range), or None."""
    text = (raw or "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
