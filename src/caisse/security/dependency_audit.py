"""`python -m caisse.security.dependency_audit`: pip-audit on the locked dependencies, for CI (`make audit`).

pip-audit asks the package index's advisory service about every distribution pinned in ``requirements.lock`` (what
``make install`` installs, exactly; pinned, so no resolution is needed: ``--no-deps --disable-pip``). CI must:
- **fail** on a known vulnerability (exit 1, each one named with its advisory id and the fixed versions);
- **not fail** when the advisory service cannot be reached (no network, or an index mirror without the
  vulnerability API: pip-audit then reports every package as "not found" and would otherwise pass in silence),
  but say so loudly, because then nothing was audited;
- list the packages it could not audit when only some were.

The project itself is not in the lock: it is not published.
"""

from __future__ import annotations

import json

# subprocess (B404, B603): runs pip-audit with this very interpreter, a fixed argument list and no shell
import subprocess  # nosec B404
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

NETWORK_HINTS = ("ConnectionError", "NameResolutionError", "Max retries exceeded", "Temporary failure in name",
                 "timed out", "Timeout", "Network is unreachable", "Connection refused", "SSLError", "ProxyError")
BANNER = "!" * 78


@dataclass
class Verdict:
    exit_code: int
    lines: list[str] = field(default_factory=list)


def judge(report: dict | None, stderr: str, returncode: int) -> Verdict:
    """Decide from pip-audit's JSON report (None when it wrote none), its stderr and its exit code."""
    if report is None:
        if any(hint in stderr for hint in NETWORK_HINTS):
            return Verdict(0, [BANNER, "!! pip-audit could not reach the vulnerability service: dependencies were "
                               "NOT audited", "!! " + _last_line(stderr), BANNER])
        return Verdict(1, [f"pip-audit failed (exit {returncode}): {_last_line(stderr)}"])
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason") and "editable" not in d["skip_reason"]]
    audited = [d for d in deps if not d.get("skip_reason")]
    lines: list[str] = []
    for d in vulnerable:
        for v in d["vulns"]:
            fixed = ", ".join(v.get("fix_versions") or []) or "no fixed version yet"
            lines.append(f"VULNERABLE {d['name']} {d.get('version')}: {v.get('id')} "
                         f"({', '.join(v.get('aliases') or [])}) fixed in {fixed}")
    if vulnerable:
        return Verdict(1, lines)
    if skipped and not audited:
        return Verdict(0, [BANNER, f"!! pip-audit could audit none of the {len(skipped)} locked dependencies "
                           "(the vulnerability service is unreachable from here): NOT audited", BANNER])
    if skipped:
        lines.append(f"warning: {len(skipped)} dependencies could not be audited: "
                     + ", ".join(f"{d['name']}" for d in skipped))
    lines.append(f"pip-audit: no known vulnerability in {len(audited)} audited dependencies")
    return Verdict(0, lines)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "(no message)"


LOCK = Path(__file__).resolve().parents[3] / "requirements.lock"


def run(lock: Path = LOCK) -> Verdict:
    if not lock.is_file():
        return Verdict(1, [f"requirements.lock: not found at {lock} (make lock writes it)"])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pip-audit.json"
        proc = subprocess.run(  # noqa: S603  # nosec B603
            [sys.executable, "-m", "pip_audit", "--requirement", str(lock), "--no-deps", "--disable-pip",
             "--progress-spinner", "off", "--format", "json", "--output", str(out)],
            capture_output=True, text=True, timeout=900, check=False)
        report = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
    return judge(report, proc.stderr, proc.returncode)


def main() -> int:
    verdict = run()
    for line in verdict.lines:
        print(line, file=sys.stderr if verdict.exit_code or line.startswith(("!", "warning")) else sys.stdout)
    return verdict.exit_code


if __name__ == "__main__":
    sys.exit(main())
