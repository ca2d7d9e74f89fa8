"""Oscar's real purchase flow over HTTP, as a browser walks it (for bench.oscar).

client = OscarClient(base, session_key)   # a logged-in buyer, one per thread
outcome = client.purchase(product_id)     # "placed" or what went wrong

Oscar has no purchase API, so the client posts its HTML forms with the CSRF token from the
cookie Django sets, and follows the checkout's redirects step by step.
"""

import http.client
import re
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

# add to basket, checkout index -> shipping address -> shipping method -> payment method ->
# payment details (the last four redirect on, the basket needs no shipping), preview, place.
STEPS = ("add", "checkout", "preview", "place")


class OscarClient:
    def __init__(self, base: str, session_key: str) -> None:
        parts = urlsplit(base)
        self._host, self._port = parts.hostname, parts.port
        self._connection = http.client.HTTPConnection(self._host, self._port, timeout=60)
        self.cookies = {"sessionid": session_key}
        self.requests = 0

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        """(status, Location header, body) on a keep-alive connection, cookies kept."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            response = self._send(method, path, body, headers)
        except (http.client.HTTPException, ConnectionError):
            # gunicorn's sync workers close the connection after each answer: retry on a new one.
            self._connection.close()
            response = self._send(method, path, body, headers)
        text = response.read().decode("utf-8", "replace")
        self.requests += 1
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), text

    def _send(self, method, path, body, headers):
        self._connection.request(method, path, body=body, headers=headers)
        return self._connection.getresponse()

    def follow(self, path: str) -> tuple[int, str, str]:
        """GET and follow redirects on this host, as a browser does (at most 8)."""
        status, location, body = self.request("GET", path)
        for _ in range(8):
            if status not in (301, 302) or not location:
                break
            path = urlsplit(location).path
            status, location, body = self.request("GET", path)
        return status, path, body

    def purchase(self, product_id: int, timings: dict) -> str:
        if "csrftoken" not in self.cookies:
            self.request("GET", "/basket/")  # Django sets the CSRF cookie on a page with a form
        started = time.perf_counter()
        status, location, _ = self.request("POST", f"/basket/add/{product_id}/", {"quantity": 1})
        timings["add"].append(_ms(started))
        if status != 302:
            return f"add {status}"
        started = time.perf_counter()
        status, path, _ = self.follow("/checkout/")
        timings["checkout"].append(_ms(started))
        if status != 200 or not path.endswith("/payment-details/"):
            return f"checkout ended at {path} ({status})"
        started = time.perf_counter()
        status, _, body = self.request("GET", "/checkout/preview/")
        timings["preview"].append(_ms(started))
        if status != 200 or 'value="place_order"' not in body:
            return f"preview {status}"
        started = time.perf_counter()
        status, location, body = self.request("POST", "/checkout/preview/", {"action": "place_order"})
        timings["place"].append(_ms(started))
        if status == 302 and urlsplit(location).path.endswith("/thank-you/"):
            return "placed"
        error = re.search(r'class="alert[^"]*"[^>]*>\s*(.{0,80})', body)
        return f"place {status}: {error.group(1).strip() if error else ''}"

    def close(self) -> None:
        self._connection.close()


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
