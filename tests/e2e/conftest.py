"""End-to-end: the real server (uvicorn, a demo fund in SQLite) driven by headless Chromium (Debian's
package, never a downloaded browser) through Playwright. Screenshots go to ``artifacts/screenshots/``."""

from __future__ import annotations

import os
import shutil
import socket
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


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """A demo fund served on a free port of 127.0.0.1, stopped by PID at the end."""
    db = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'demo.sqlite'}"
    env = {**os.environ, "CAISSE_DEMO_MODE": "true", "CAISSE_DATABASE_URL": db}
    subprocess.run([CAISSE, "demo", "--no-serve", "--affiliates", "300", "--db", db], check=True, env=env,
                   capture_output=True)
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
