"""End-to-end: the real server (uvicorn, a demo fund in SQLite) driven by headless Chromium (Debian's
package, never a downloaded browser) through Playwright. Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CAISSE = str(Path(sys.executable).parent / "caisse")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demo_fund(tmp_path_factory) -> Path:
    """The demo fund the browser tests read, built once per test run: the first xdist worker builds it, the other
    waits for it (a lock in the run's temporary directory, common to the workers) instead of building its own."""
    run_dir = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_dir = run_dir.parent  # .../pytest-N, this run's, shared by its workers
    built = run_dir / "e2e-demo.sqlite"
    with open(run_dir / "e2e-demo.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.exists():
            part = run_dir / "e2e-demo.building.sqlite"
            db = f"sqlite:///{part}"
            env = {**os.environ, "CAISSE_DEMO_MODE": "true", "CAISSE_DATABASE_URL": db}
            subprocess.run([CAISSE, "demo", "--no-serve", "--affiliates", "300", "--db", db], check=True, env=env,
                           capture_output=True)
            part.rename(built)
    return built


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A demo fund (a copy of the run's, this worker's own) served on a free port of 127.0.0.1, stopped by PID at
    the end."""
    mine = tmp_path_factory.mktemp("e2e") / "demo.sqlite"
    with sqlite3.connect(_demo_fund(tmp_path_factory)) as source, sqlite3.connect(mine) as copy:
        source.backup(copy)
    db = f"sqlite:///{mine}"
    env = {**os.environ, "CAISSE_DEMO_MODE": "true", "CAISSE_DATABASE_URL": db}
    port = _free_port()
    proc = subprocess.Popen([CAISSE, "serve", "--port", str(port), "--db", db], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("the server did not start: " + proc.stderr.read().decode()[-2000:])
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-BE", viewport={"width": 1200, "height": 900})
    p = context.new_page()
    yield p
    context.close()

