"""Real processes for the fault tests: gunicorn, Celery worker and beat, a private Redis
and a private PostgreSQL cluster, each started, broken and stopped by the test.

Every process runs in its own session (process group), so a kill reaches its children
(gunicorn's and Celery's workers) and nothing else; every wait has a deadline.
"""

import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PASSWORD = "a-Strong-pass-42"
REPORT = ROOT / "var" / "reliability" / "faults.json"


class FaultSetupError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], object], *, timeout: float, interval: float = 0.3, what: str = "") -> object:
    """Poll until predicate() is truthy; raise with `what` when the deadline passes."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except Exception as exc:  # the thing polled is down: that is what we wait out
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"not within {timeout:.0f}s: {what} (last error: {last_error!r})")


class Proc:
    """One long-running process with its log file; stopped by its process group."""

    def __init__(self, name: str, argv: list[str], *, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_dir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Proc":
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, sig: int) -> None:
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def stop(self, timeout: float = 20) -> None:
        if self.process is None:
            return
        self.signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal_group(signal.SIGKILL)
            self.process.wait(timeout=10)
        # A group member may outlive its leader: make sure none is left.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def kill9(self) -> None:
        """SIGKILL to the whole group at once: no handler runs, nothing is acknowledged."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-tail:]
        except FileNotFoundError:
            return ""

    def wait_for_log(self, text: str, *, timeout: float) -> None:
        def seen() -> bool:
            if not self.running:
                raise FaultSetupError(f"{self.name} exited:\n{self.log()}")
            return text in self.log(tail=200_000)

        try:
            wait_for(seen, timeout=timeout, what=f"{self.name} to log {text!r}")
        except TimeoutError as exc:
            raise FaultSetupError(f"{exc}\n--- {self.name} log ---\n{self.log()}") from exc


class Stack:
    """The processes of one test, sharing one environment; all stopped at teardown."""

    def __init__(self, *, tmp: Path, database_url: str, redis_url: str, **settings: object) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        (tmp / "prometheus").mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "PYTEST", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="shop.settings",
            DJANGO_DEBUG="true",
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            MEDIA_ROOT=str(tmp / "media"),
            LOG_FORMAT="text",
            # Throttles are tested elsewhere; here they would only slow the set-up down.
            AUTH_THROTTLE_RATE="100000/min",
            TOP_UP_THROTTLE_RATE="100000/min",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY="3",
            GUNICORN_TIMEOUT="30",
            PROMETHEUS_MULTIPROC_DIR=str(tmp / "prometheus"),
        )
        env.update({k: str(v) for k, v in settings.items()})
        self.env = env
        self.procs: list[Proc] = []

    def proc(self, name: str, argv: list[str], **extra_env: str) -> Proc:
        proc = Proc(name, argv, env={**self.env, **extra_env}, log_dir=self.tmp)
        self.procs.append(proc)
        return proc

    # --- the three kinds of process ---------------------------------------------------

    def web(self) -> Proc:
        proc = self.proc("web", [PYTHON, "-m", "gunicorn", "-c", "docker/gunicorn.conf.py", "shop.wsgi"]).start()
        wait_for(lambda: requests.get(f"{self.base_url}/healthz", timeout=2).ok, timeout=60, what="gunicorn")
        return proc

    def worker(self, *, slow_render_seconds: float = 0, marker: Path | None = None, slow_notify: bool = False) -> Proc:
        name = f"faults-{uuid.uuid4().hex[:8]}"
        common = ["worker", "-P", "prefork", "-c", "1", "--without-mingle", "--without-gossip", "-l", "INFO"]
        if slow_render_seconds:
            argv = [PYTHON, "-m", "tests.faults.slow_worker", *common, "-n", f"{name}@%h"]
            extra = {"FAULT_SLOW_RENDER_SECONDS": str(slow_render_seconds), "FAULT_RENDER_MARKER": str(marker)}
            if slow_notify:
                extra["FAULT_SLOW_NOTIFY"] = "1"
        else:
            argv = [PYTHON, "-m", "celery", "-A", "shop", *common, "-n", f"{name}@%h"]
            extra = {}
        proc = self.proc("worker", argv, **extra).start()
        proc.wait_for_log("ready.", timeout=90)
        return proc

    def beat(self) -> Proc:
        schedule = self.tmp / f"beat-schedule-{uuid.uuid4().hex[:6]}"
        proc = self.proc("beat", [PYTHON, "-m", "celery", "-A", "shop", "beat", "-s", str(schedule), "-l", "INFO"])
        proc.start()
        proc.wait_for_log("beat: Starting", timeout=60)
        return proc

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            proc.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ({p.log_path.name}) ---\n{p.log()}" for p in self.procs)

    # --- the shop, through its own API and a probe --------------------------------------

    def api(self, token: str | None = None) -> "Api":
        return Api(self.base_url, token)

    def probe(self, command: str, **args: object) -> dict:
        """Read the database through the project's own models (tests/faults/probe.py)."""
        out = subprocess.run(
            [PYTHON, "-m", "tests.faults.probe", command, json.dumps(args)],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if out.returncode != 0:
            raise FaultSetupError(f"probe {command} failed:\n{out.stdout}\n{out.stderr}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def migrate(self) -> None:
        out = subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if out.returncode != 0:
            raise FaultSetupError(f"migrate failed:\n{out.stdout}\n{out.stderr}")


class Api:
    """A thin JSON client for /api/v1/ with a bearer token."""

    def __init__(self, base_url: str, token: str | None) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, *, timeout: float = 20, **kwargs) -> requests.Response:
        return self.session.request(method, f"{self.base_url}/api/v1/{path}", timeout=timeout, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.call("POST", path, **kwargs)


def register(stack: Stack, username: str) -> Api:
    anonymous = stack.api()
    response = anonymous.post(
        "auth/register/", json={"username": username, "email": f"{username}@example.com", "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    token = anonymous.post("auth/token/", json={"username": username, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return stack.api(token.json()["access"])


def sell(seller: Api, *, title: str, price: str, quantity: int, category: str = "fault-things") -> int:
    response = seller.post("items/", json={"title": title, "category": category, "price": price, "quantity": quantity})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def buy(buyer: Api, *, item_id: int, quantity: int = 1) -> dict:
    """Cart add then checkout: returns the order (awaiting_payment)."""
    added = buyer.post("cart/lines/", json={"item_id": item_id, "quantity": quantity})
    assert added.status_code in (200, 201), added.text
    order = buyer.post("orders/")
    assert order.status_code == 201, order.text
    assert order.json()["status"] == "awaiting_payment", order.text
    return order.json()


# --- Private servers -------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of the test's own on a free port, no persistence: stopping it loses
    every queued message, the harshest kind of broker outage."""

    def __init__(self, tmp: Path) -> None:
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = Proc(
            "redis",
            [
                self.binary or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            env=dict(os.environ),
            log_dir=tmp,
        )

    def start(self) -> None:
        self.proc.start()
        wait_for(self.ping, timeout=20, what="redis-server")

    def stop(self) -> None:
        self.proc.stop()

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")


def postgres_bin_dir() -> Path | None:
    """PG_BIN, else initdb on PATH, else the Debian layout (newest version first)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent  # the real directory, with createdb beside it
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(found[0]).parent if found else None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster the test owns, so restarting it disturbs no one.

    As root, the server runs as the `postgres` system user (PostgreSQL refuses root).
    """

    def __init__(self) -> None:
        self.bin = postgres_bin_dir()
        self.port = free_port()
        # Not under pytest's tmp_path: its parents are private to the user running pytest.
        self.home = Path(tempfile.mkdtemp(prefix="bazaar-faults-pg-"))
        self.dir = self.home / "pgdata"
        self.socket_dir = self.home / "sock"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/bazaar_faults"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            self.prefix = ["runuser", "-u", "postgres", "--"]

    def missing(self) -> str | None:
        if self.bin is None or not (self.bin / "initdb").exists():
            return "PostgreSQL server binaries (initdb, pg_ctl) not found; set PG_BIN"
        if self.prefix and not shutil.which("runuser"):
            return "running as root without runuser: cannot start PostgreSQL as another user"
        if self.prefix:
            try:
                import pwd

                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user to run the server"
        return None

    def _run(self, *argv: str, timeout: float = 120) -> None:
        out = subprocess.run([*self.prefix, *argv], capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise FaultSetupError(f"{argv[0]} failed:\n{out.stdout}\n{out.stderr}")

    def init(self) -> None:
        for path in (self.dir, self.socket_dir):
            path.mkdir(mode=0o700)
            if self.prefix:
                shutil.chown(path, user="postgres")
        if self.prefix:
            shutil.chown(self.home, user="postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.dir), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        self._run(
            str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "bazaar_faults"
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.dir),
            "-l",
            str(self.dir / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        if (self.dir / "postmaster.pid").exists():
            with contextlib.suppress(FaultSetupError):
                self.stop("immediate")
        shutil.rmtree(self.home, ignore_errors=True)


def record(name: str, **figures: object) -> None:
    """Keep this run's figures (var/reliability/faults.json) for docs/reliability.md."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    data[name] = {"at": time.strftime("%Y-%m-%dT%H:%M:%S"), **figures}
    REPORT.write_text(json.dumps(data, indent=2, sort_keys=True))


def money(value: str) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
