"""The public service page and the manager's dashboard in real Chromium: no serious accessibility violation
(axe-core), readable on a phone without scrolling sideways, screenshots in artifacts/screenshots/."""

from __future__ import annotations

from support.browser import axe_violations, login, shot


def test_the_public_page_and_the_dashboard_are_accessible(server, page):
    problems = {}
    for lang in ("fr", "nl", "de"):
        page.goto(server + f"/public/service?lang={lang}")
        charts = page.locator("svg[role=img]").count()  # the demo fund has no requests yet: its rate chart only
        assert charts >= 1 and page.locator("svg[role=img] > title").count() == charts
        assert page.locator("svg[role=img] > desc").count() == charts
        problems[f"public page {lang}"] = axe_violations(page)
        shot(page, f"public-service-{lang}")
    page.set_viewport_size({"width": 375, "height": 800})  # a phone
    page.goto(server + "/public/service")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "scrolls sideways"
    shot(page, "public-service-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, server, "demo-manager")
    page.goto(server + "/desk/dashboard?lang=en")
    assert page.locator("h1").inner_text() == "Dashboard"
    assert page.locator("svg[role=img]").count() >= 3  # backlog, collection rate, arrears
    problems["dashboard"] = axe_violations(page)
    shot(page, "desk-dashboard-en")
    assert {k: v for k, v in problems.items() if v} == {}


def test_how_to_read_your_notice_is_accessible_without_login(server, page):
    """The annotated specimens: no serious accessibility violation in any language, every picture has its text
    alternative and its numbered list, readable on a phone without scrolling sideways."""
    problems = {}
    for lang in ("fr", "nl", "de", "en"):
        page.goto(server + f"/public/notices?lang={lang}")
        pictures = page.locator("section.specimen img")
        assert pictures.count() == 5
        for i in range(pictures.count()):
            assert "SPECIMEN" in pictures.nth(i).get_attribute("alt")
        assert page.locator("section.specimen ol.annotations").count() == 5
        problems[f"notices guide {lang}"] = axe_violations(page)
        shot(page, f"notices-guide-{lang}")
    page.set_viewport_size({"width": 375, "height": 800})  # a phone
    page.goto(server + "/public/notices")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "scrolls sideways"
    shot(page, "notices-guide-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert {k: v for k, v in problems.items() if v} == {}
