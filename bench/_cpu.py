"""Where a run's CPU went, by process group, from /proc (Linux; elsewhere every figure is 0).

before = snapshot(port=8766, database="bazaar_bench_checkout")
...  # the run
split = cpu_split(before, snapshot(port=8766, database="bazaar_bench_checkout"))
# {"gunicorn": s, "postgres (bench database)": s, "postgres (other)": s, "redis": s,
#  "bench client": s, "rest of the machine": s, "machine busy": s, "machine total": s}

On a machine shared with others this shows how much of the two cores the run really had,
and whether the shop, the database or the load generator used it.
"""

import os
import resource
from pathlib import Path

PROC = Path("/proc")
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_seconds(stat: str) -> float:
    # Fields after the command (which may hold spaces): state is [0]; utime, stime are [11], [12].
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _processes() -> dict[int, tuple[str, str, float]]:
    """pid -> (command name, command line, CPU seconds) for every process we may read."""
    found = {}
    for entry in PROC.glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        found[int(entry.name)] = (name, cmdline, _process_seconds(stat))
    return found


def _backend_pids(database: str) -> set[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database])
        return {pid for (pid,) in cursor.fetchall()}


def _machine_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of all cores since boot, from /proc/stat."""
    values = [int(v) for v in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / TICK, sum(values) / TICK


def snapshot(*, port: int, database: str) -> dict:
    if not (PROC / "stat").exists():
        return {}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    busy, total = _machine_seconds()
    return {
        "processes": _processes(),
        "backends": _backend_pids(database),
        "port": f"127.0.0.1:{port}",
        "self": usage.ru_utime + usage.ru_stime,
        "busy": busy,
        "total": total,
    }


def cpu_split(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds used between two snapshots, by group (processes alive at both ends)."""
    if not before or not after:
        return {}
    groups = {"gunicorn": 0.0, "postgres (bench database)": 0.0, "postgres (other)": 0.0, "redis": 0.0}
    backends = before["backends"] | after["backends"]
    for pid, (name, cmdline, seconds) in after["processes"].items():
        if pid == os.getpid():
            continue
        start = before["processes"].get(pid)
        used = seconds - start[2] if start and start[0] == name else seconds if pid in backends else 0.0
        if "gunicorn" in cmdline and after["port"] in cmdline:
            groups["gunicorn"] += used
        elif pid in backends:
            groups["postgres (bench database)"] += used
        elif name.startswith(("postgres", "postmaster")):
            groups["postgres (other)"] += used
        elif name.startswith("redis-server"):
            groups["redis"] += used
    groups["bench client"] = after["self"] - before["self"]
    busy, total = after["busy"] - before["busy"], after["total"] - before["total"]
    groups["rest of the machine"] = max(busy - sum(groups.values()), 0.0)
    groups["machine busy"] = busy
    groups["machine total"] = total
    return {name: round(value, 2) for name, value in groups.items()}


class WaitSampler:
    """What the bench database's backends are doing, sampled from pg_stat_activity.

    with WaitSampler(url, database) as sampler: ...
    sampler.shares() -> {"active, on CPU": 0.21, "active, waiting Lock": 0.02, ...}

    Every 20 ms it reads each backend's state and wait event: the share of samples that
    wait on a Lock is the lock waiting, "idle in transaction" is a transaction held open
    while Django works between two statements.
    """

    def __init__(self, url: str, database: str, interval: float = 0.02) -> None:
        import threading

        self._url, self._database, self._interval = url, database, interval
        self._counts: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "WaitSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg2

        connection = psycopg2.connect(self._url)
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                while not self._stop.wait(self._interval):
                    cursor.execute(
                        "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                        "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                        [self._database],
                    )
                    for state, wait_type, wait_event in cursor.fetchall():
                        if state == "active":
                            name = f"active, waiting {wait_type} ({wait_event})" if wait_type else "active, on CPU"
                        else:
                            name = state or "unknown"
                        self._counts[name] = self._counts.get(name, 0) + 1
        finally:
            connection.close()

    def shares(self) -> dict[str, float]:
        total = sum(self._counts.values())
        ordered = sorted(self._counts.items(), key=lambda kv: -kv[1])
        return {name: round(count / total, 3) for name, count in ordered} if total else {}
