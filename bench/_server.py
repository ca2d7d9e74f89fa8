"""Reusable bench helpers: a PostgreSQL database for the bench, and gunicorn on a port.

url = ensure_database("bazaar_bench")            # created and migrated if missing
with gunicorn(port=8765, database_url=url) as base:  # 4 sync workers, production profile
    ...  # base == "http://127.0.0.1:8765"
"""

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
DEFAULT_PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))


def ensure_database(name: str) -> str:
    """Create the database if missing and migrate it; returns its URL."""
    import psycopg2

    url = f"{DEFAULT_PG}/{name}"
    admin = psycopg2.connect(f"{DEFAULT_PG}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_env(url),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The production profile of DESIGN §5 on plain HTTP at 127.0.0.1 (no TLS redirect)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench._settings",
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-" + "k" * 40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        **extra,
    }


def setup_django(database_url: str) -> None:
    """Configure Django in this process against the bench database (for loading data)."""
    import django

    for key, value in server_env(database_url).items():
        if key.startswith(("DJANGO", "DATABASE_URL")):
            os.environ[key] = value
    django.setup()


@contextlib.contextmanager
def gunicorn(*, port: int, database_url: str, workers: int = WORKERS, **extra_env: str) -> Iterator[str]:
    """Serve the project with gunicorn sync workers; yields the base URL, stops it on exit."""
    VAR.mkdir(parents=True, exist_ok=True)
    log = (VAR / f"gunicorn-{port}.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "shop.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(database_url, **extra_env),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/healthz", process)
        yield base
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen) -> None:
    """Ask a server or worker to stop; kill it if it has not within 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_for(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {VAR}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def fetch_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
