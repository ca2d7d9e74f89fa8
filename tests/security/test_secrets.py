"""No secret in the repository (issue 9, part 3).

Scans every file git tracks for the shapes real credentials take (private keys, cloud
and service tokens, JWTs, passwords inside URLs) and for long literals assigned to a
secret-sounding name. The few literals that are deliberately public are listed with why.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CREDENTIAL_SHAPES = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Stripe live key": re.compile(r"\b[sr]k_live_[0-9a-zA-Z]{16,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "JWT": re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    # Not the documentation placeholder `user:password@host`.
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+]*://[^/\s:@'\"]+:(?!\$\{|password@)[^@\s/'\"]{6,}@"),
}
SECRET_ASSIGNMENT = re.compile(
    r"(?i)\b[\w.]*(?:secret|token|password|passwd|api_?key|private_?key)[\w.]*['\"]?\s*[:=]\s*['\"]([^'\"\s]{8,})['\"]"
)
PUBLIC_LITERALS = {
    "dev-only-insecure-key-never-use-in-production",  # settings: only while DJANGO_DEBUG is true
    "market-day-2026",  # load_demo: throw-away logins of a local demo database, printed on purpose
    "a-Strong-pass-42",  # test fixtures' password
    "Quiet-harbour-lantern-77",  # bench: users of a throw-away benchmark database
}
SKIP_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".ico", ".pdf", ".woff", ".woff2", ".ttf", ".svg"}


def tracked_files() -> list[Path]:
    if not (ROOT / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout: nothing tracked to scan")
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60)
    return [ROOT / name for name in out.stdout.decode().split("\0") if name]


def _text(path: Path) -> str | None:
    if path.suffix.lower() in SKIP_SUFFIXES or not path.is_file() or path.stat().st_size > 2_000_000:
        return None
    try:
        return path.read_text()
    except UnicodeDecodeError:
        return None


def test_no_credential_is_tracked():
    found = []
    scanned = 0
    for path in tracked_files():
        text = _text(path)
        if text is None:
            continue
        scanned += 1
        for name, shape in CREDENTIAL_SHAPES.items():
            found += [f"{path.relative_to(ROOT)}: {name}" for _ in shape.finditer(text)]
        # Tests type made-up passwords into forms on purpose; the credential shapes above
        # still apply to them.
        is_test = "tests" in path.relative_to(ROOT).parts or path.name.startswith(("test_", "conftest"))
        for match in () if is_test else SECRET_ASSIGNMENT.finditer(text):
            value = match.group(1)
            if value not in PUBLIC_LITERALS and not value.startswith(("${", "{{", "%(")):
                found.append(f"{path.relative_to(ROOT)}: {match.group(0)[:80]}")

    assert found == []
    assert scanned > 100


def test_no_env_file_or_key_file_is_tracked():
    names = [p.relative_to(ROOT).as_posix() for p in tracked_files()]

    assert [n for n in names if re.search(r"(^|/)\.env(\.|$)|\.(pem|key|p12|pfx)$|id_rsa", n)] == []


def test_the_scanner_finds_what_it_looks_for():
    # Assembled at run time, so this file does not itself contain what it plants.
    planted = (
        'DJANGO_SECRET_KEY = "q8f7w6e5r4t3y2u1i0o9"\n'
        "url = postgres://bazaar:" + "hunter22x@db/bazaar\n"
        "-----BEGIN RSA " + "PRIVATE KEY-----\n"
    )

    assert SECRET_ASSIGNMENT.search(planted).group(1) == "q8f7w6e5r4t3y2u1i0o9"
    assert CREDENTIAL_SHAPES["password in a URL"].search(planted)
    assert CREDENTIAL_SHAPES["private key"].search(planted)
    assert not CREDENTIAL_SHAPES["password in a URL"].search("postgres://bazaar:${POSTGRES_PASSWORD:-x}@db/bazaar")
