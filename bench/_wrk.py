"""Run wrk against a URL and read requests/s and latency percentiles from its output."""

import re
import shutil
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class WrkResult:
    url: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors plus non-2xx/3xx responses

    def ratio_to(self, reference: "WrkResult") -> float:
        return self.requests_per_second / reference.requests_per_second if reference.requests_per_second else 0.0


def ensure_wrk() -> str:
    """The wrk binary; installed with apt-get when missing (the bench machines are Debian)."""
    path = shutil.which("wrk")
    if path:
        return path
    print("wrk not found: installing it with apt-get")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    path = shutil.which("wrk")
    if not path:
        raise RuntimeError("wrk is needed for the page benchmarks")
    return path


def run_wrk(url: str, *, connections: int = 16, threads: int = 2, seconds: int = 10) -> WrkResult:
    out = subprocess.run(
        [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return parse_wrk(url, out)


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * _UNITS_MS[unit]


def parse_wrk(url: str, out: str) -> WrkResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return WrkResult(url, rps, p50, p99, requests, errors + (int(non2xx.group(1)) if non2xx else 0))
