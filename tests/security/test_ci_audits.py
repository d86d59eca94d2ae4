"""The CI audits (`make audit`): how pip-audit's answers are judged, and bandit's configuration still bites."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from caisse.security.dependency_audit import judge

ROOT = Path(__file__).resolve().parents[2]


def dep(name, vulns=(), skip=None):
    d = {"name": name, "version": "1.0"}
    if skip:
        d["skip_reason"] = skip
    else:
        d["vulns"] = list(vulns)
    return d


def test_a_known_vulnerability_fails_and_is_named():
    report = {"dependencies": [dep("fine"), dep("jinja2", [{"id": "GHSA-xxxx", "aliases": ["CVE-2099-1"],
                                                           "fix_versions": ["9.9"]}])]}
    v = judge(report, "", 1)
    assert v.exit_code == 1 and "VULNERABLE jinja2 1.0: GHSA-xxxx (CVE-2099-1) fixed in 9.9" in v.lines


def test_no_network_warns_loudly_but_does_not_fail():
    v = judge(None, "requests.exceptions.ConnectionError: Max retries exceeded (NameResolutionError)", 1)
    assert v.exit_code == 0 and any("NOT audited" in line for line in v.lines)


def test_a_service_that_knows_no_package_is_not_a_silent_pass():
    report = {"dependencies": [dep("a", skip="Dependency not found on PyPI and could not be audited: a (1)"),
                               dep("caisse", skip="distribution marked as editable")]}
    v = judge(report, "", 0)
    assert v.exit_code == 0 and any("could audit none" in line for line in v.lines)


def test_other_failures_fail():
    assert judge(None, "Traceback ... ValueError: bad requirement", 1).exit_code == 1


def test_clean_audit_passes_and_lists_what_it_could_not_audit():
    v = judge({"dependencies": [dep("a"), dep("b", skip="Dependency not found: b")]}, "", 0)
    assert v.exit_code == 0 and "1 dependencies could not be audited: b" in v.lines[0]


def test_bandit_with_the_project_configuration_still_finds_real_problems(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n\n"
                   "def load(data):\n    import pickle\n    return pickle.loads(data)\n")
    out = subprocess.run([sys.executable, "-m", "bandit", "-q", "-c", str(ROOT / "pyproject.toml"), "-f", "csv",
                          str(bad)], capture_output=True, text=True, check=False)
    assert out.returncode == 1
    assert "B602" in out.stdout and "B301" in out.stdout


def _name(requirement: str) -> str:
    import re

    return re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_the_lock_pins_every_declared_dependency_and_what_is_installed():
    """`make install` installs with ``-c requirements.lock`` and `make audit` audits the lock: a dependency added to
    pyproject.toml without `make lock` would be neither pinned nor audited."""
    import tomllib
    from importlib import metadata

    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: '{line}' is not pinned with =="
            pins[name.lower().replace("_", "-")] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    missing = sorted({_name(r) for r in declared} - set(pins))
    assert not missing, f"requirements.lock lacks {missing}: run make lock"
    for name, version in pins.items():
        assert metadata.version(name) == version, f"{name}: installed {metadata.version(name)}, locked {version}"
