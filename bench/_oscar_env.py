"""The django-oscar peer's own environment: built under var/bench/, never in the shop's venv.

python = build()                          # venv + current django-oscar release; OscarUnavailable if not
manage(python, url, "migrate")            # django-admin with the bench Oscar project's settings
with serve(python, url, port=8768) as base:  # same gunicorn settings as bench._server.gunicorn
    ...
"""

import contextlib
import importlib.metadata
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from bench import _server

ENV_DIR = _server.VAR / "oscar-venv"
OSCAR_VAR = _server.VAR / "oscar"
PROJECT = Path(__file__).resolve().parent / "oscar_project"
REDIS_URL = os.environ.get("BENCH_OSCAR_REDIS_URL", "redis://127.0.0.1:6379/5")


class OscarUnavailable(Exception):
    """The peer could not be built or prepared; the scenario prints why and skips."""


def packages() -> list[str]:
    # Oscar floats (its current release is the peer); the server stack is pinned to the
    # shop's own versions so both sides run the same gunicorn, driver and Redis client.
    ours = {name: importlib.metadata.version(name) for name in ("gunicorn", "psycopg2-binary", "redis")}
    return ["django-oscar", *(f"{name}=={version}" for name, version in ours.items()), "sorl-thumbnail"]


def build() -> Path:
    """The environment's python, created and installed once (a stamp records the package list)."""
    python = ENV_DIR / "bin" / "python"
    stamp = ENV_DIR / "bench-packages.json"
    wanted = packages()
    if python.exists() and stamp.exists() and json.loads(stamp.read_text()) == wanted:
        return python
    print(f"building the Oscar environment in {ENV_DIR.relative_to(_server.ROOT)} ...", flush=True)
    try:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(ENV_DIR)], check=True, capture_output=True)
        subprocess.run([python, "-m", "pip", "install", "--quiet", *wanted], check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or str(exc)
        raise OscarUnavailable(f"could not build django-oscar's environment: {detail.strip()[-600:]}") from exc
    stamp.write_text(json.dumps(wanted))
    return python


def version(python: Path) -> str:
    done = subprocess.run(
        [python, "-c", "import oscar, django; print(oscar.get_version(), django.get_version())"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise OscarUnavailable(f"django-oscar does not import in {ENV_DIR}:\n{done.stderr[-1500:]}")
    out = done.stdout.split()
    return f"django-oscar {out[0]} on Django {out[1]}"


def env(database_url: str, redis_url: str = REDIS_URL) -> dict[str, str]:
    OSCAR_VAR.mkdir(parents=True, exist_ok=True)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DATABASE_URL", "PYTHON"))},
        "PYTHONPATH": str(PROJECT),
        "DJANGO_SETTINGS_MODULE": "oscarbench.settings",
        "OSCAR_DATABASE_URL": database_url,
        "OSCAR_VAR": str(OSCAR_VAR),
        "OSCAR_REDIS_URL": redis_url,  # empty: per-process memory cache
        "OSCAR_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-" + "k" * 40),
    }


def manage(python: Path, database_url: str, *args: str) -> str:
    """A django-admin command in the Oscar environment; returns its stdout."""
    return _run(python, database_url, "-m", "django", *args)


def load(python: Path, database_url: str, *args: str) -> str:
    """bench/oscar_project/oscarbench/load.py in the Oscar environment; returns its stdout."""
    return _run(python, database_url, "-m", "oscarbench.load", *args)


def _run(python: Path, database_url: str, *args: str) -> str:
    done = subprocess.run([python, *args], env=env(database_url), capture_output=True, text=True)
    if done.returncode != 0:
        raise OscarUnavailable(f"{' '.join(args[1:3])} failed in the Oscar environment:\n{done.stderr[-1500:]}")
    return done.stdout


@contextlib.contextmanager
def serve(
    python: Path, database_url: str, *, port: int, workers: int = _server.WORKERS, redis_url: str = REDIS_URL
) -> Iterator[str]:
    """Oscar under gunicorn with the Bazaar bench's settings (sync workers, same count); with
    redis_url="" its cache is per-process memory, as Bazaar's is in the browse bench."""
    log = (_server.VAR / f"gunicorn-oscar-{port}.log").open("w")
    process = subprocess.Popen(
        [python, "-m", "gunicorn", "oscarbench.wsgi:application", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--worker-class", "sync", "--log-level", "warning"],
        env=env(database_url, redis_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            _server.wait_for(f"{base}/healthz", process)
        except RuntimeError as exc:
            raise OscarUnavailable(f"Oscar's gunicorn did not start ({exc}); see {log.name}") from exc
        yield base
    finally:
        _server.stop(process)
        log.close()
