"""Schemathesis against /api/schema/, every operation, authenticated (issue 9, part 2).

Valid and invalid inputs (schemathesis' positive and negative modes) are generated from
the OpenAPI schema and sent in process to the WSGI application, as a signed-in user who
owns a listing, a cart and orders. Checked for every response: no 5xx, the documented
content type, and the body matching the schema of its status code.

FUZZ_EXAMPLES bounds the examples per operation (default 25; CI keeps the default).
The run's figures go to var/reliability/fuzz.json for docs/reliability.md.
"""

import json
import os
import time
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from cart import services as cart_services
from orders import services as orders_services

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
REPORT = Path(__file__).resolve().parents[2] / "var" / "reliability" / "fuzz.json"
SEEN: dict = {"cases": 0, "statuses": Counter(), "operations": set(), "started": time.monotonic()}


@pytest.fixture
def bearer(make_user, make_item, django_capture_on_commit_callbacks) -> dict[str, str]:
    """A signed-in user with something everywhere, so ids and lists are not all empty."""
    fuzzer, seller = make_user("fuzzer"), make_user("fuzz_seller")
    make_item(fuzzer, title="Fuzzer's own", quantity=3)
    item = make_item(seller, title="For sale", price="5.00", quantity=50)
    with django_capture_on_commit_callbacks(execute=True):
        cart_services.add_to_cart(user_id=fuzzer.user_id, item_id=item, quantity=1)
        paid = orders_services.place_order(buyer_id=fuzzer.user_id).order.order_id
        orders_services.pay_order(order_id=paid, buyer_id=fuzzer.user_id)
        cart_services.add_to_cart(user_id=fuzzer.user_id, item_id=item, quantity=1)
        orders_services.place_order(buyer_id=fuzzer.user_id)
        cart_services.add_to_cart(user_id=fuzzer.user_id, item_id=item, quantity=2)
    user = get_user_model().objects.get(pk=fuzzer.user_id)
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: a real WSGI request would otherwise close the test's
    database connection at its end (close_old_connections), and its transaction with it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    if SEEN["cases"]:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(
            json.dumps(
                {
                    "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    "examples_per_operation": EXAMPLES,
                    "operations": len(SEEN["operations"]),
                    "inputs_tried": SEEN["cases"],
                    "statuses": {str(k): v for k, v in sorted(SEEN["statuses"].items())},
                    "five_hundreds": sum(v for k, v in SEEN["statuses"].items() if k >= 500),
                    "seconds": round(time.monotonic() - SEEN["started"], 1),
                },
                indent=2,
            )
        )


def _load_schema():
    # Loaded at import: generating the schema reads no database. (schemathesis' lazy
    # from_fixture loader does not run under pytest 9.)
    from shop.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/schema/", application)
    loaded.config.generation.update(max_examples=EXAMPLES)
    return loaded


schema = _load_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@pytest.mark.django_db
def test_every_operation_answers_within_its_schema_and_never_5xx(case, bearer):
    response = case.call(headers=bearer)
    SEEN["cases"] += 1
    SEEN["statuses"][response.status_code] += 1
    SEEN["operations"].add(case.operation.label)
    case.validate_response(response, checks=[not_a_server_error, content_type_conformance, response_schema_conformance])
