"""Browser helpers for the end-to-end tests: screenshots, axe-core, logging in through the form."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).parents[2] / "artifacts" / "screenshots"
AXE = Path(__file__).parents[1] / "e2e" / "vendor" / "axe.min.js"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_violations(page) -> list[dict]:
    """Run axe-core (vendored from npm, MPL-2.0) on the page; return serious and critical violations."""
    # evaluated through the DevTools protocol: the pages' Content-Security-Policy (script-src 'self') stays on and
    # would refuse an injected <script> tag — the pages are tested under the policy they are served with
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', "
                           "'wcag21aa']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def login(page, base: str, name: str, lang: str | None = "fr") -> None:
    """Log in through the form; ``lang``: the language chosen on the login page, which the login keeps on the
    account (the tests read French pages whatever an earlier test chose; None: the one the account remembers)."""
    page.goto(base + "/login" + (f"?lang={lang}" if lang else ""))
    page.fill("#login", name)
    page.fill("#password", name)
    follow(page, page.locator("main button[type=submit]"))


def follow(page, locator) -> None:
    """Click something that loads a new page, and wait for that page (not for the old one to be idle)."""
    with page.expect_navigation():
        locator.click()
