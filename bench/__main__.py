"""Run every benchmark scenario in turn: `python -m bench [name ...]`.

Each scenario is a module `bench.<name>` with `main(argv) -> int`; it prints its own
figures (with the machine's cores, the settings used and the invariant checks) and
writes them under var/bench/.
"""

import importlib
import os
import subprocess
import sys

# "oscar" builds its peer's environment under var/bench/ on first use (pip reaches the package
# index then); if that fails it prints why and skips, and the others run as before.
SCENARIOS = ["browse", "checkout", "invoices", "oscar"]


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if not a.startswith("-")] or SCENARIOS
    flags = [a for a in argv if a.startswith("-")]
    if len(wanted) > 1:
        # One process per scenario: each configures Django for its own database, and
        # django.setup() only takes effect once per process.
        codes = [subprocess.call([sys.executable, "-m", "bench", name, *flags]) for name in wanted]
        return 1 if any(codes) else 0
    print(f"machine: {os.cpu_count()} cores")
    failures = 0
    for name in wanted:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
            print(f"\n== {name}: not written yet, skipped")
            continue
        print(f"\n== {name}")
        failures += module.main(flags) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
