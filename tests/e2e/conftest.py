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
ARTIFACTS = Path(__file__).parents[2] / "artifacts" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
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


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_violations(page) -> list[dict]:
    """Run axe-core (vendored from npm, MPL-2.0) on the page; return serious and critical violations."""
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
                           "'wcag21aa']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def login(page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.fill("#login", name)
    page.fill("#password", name)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
