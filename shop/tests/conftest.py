"""Fixtures for the observability tests."""

import io
import json
import logging

import pytest

from shop.observability.logging import ContextFilter, JsonFormatter


@pytest.fixture
def json_log():
    """The root logger also writes JSON into a buffer; returns a reader of parsed lines."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
