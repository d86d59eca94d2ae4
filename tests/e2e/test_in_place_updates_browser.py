"""In-place updates in real headless Chromium (htmx served from our origin under the pages' Content-Security-Policy):
the work queue filtered and a case taken, a bank line booked from the list, the simulator following the typed
income — each without leaving the page, focus and live regions right, no serious axe violation; and the same queue
filtered with JavaScript off, by the plain form."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from support.browser import axe_violations, follow, login, shot

MARK = "window.__still_the_same_page = true"
SAME_PAGE = "() => window.__still_the_same_page === true"


def _watch_console(page) -> list[str]:
    """Errors the page reports: a script or a style the policy refused, an htmx error, an uncaught exception (the
    browser's own line for an answer of status 4xx — a refusal the page explains — is not one)."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error"
            and not m.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def test_a_caseworker_filters_the_queue_and_takes_a_case_without_leaving_the_page(server, page):
    errors = _watch_console(page)
    login(page, server, "demo-caseworker")
    page.goto(server + "/desk/queue")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate(MARK)
    everything = page.locator("#queue-results tbody tr").count()
    assert everything > 0, "the demo's queue is empty"

    page.select_option("#f-holder", "none")
    page.wait_for_url(re.compile(r"/desk/queue\?.*holder=none"))  # the filter is in the address: bookmarkable
    page.wait_for_function("() => !document.querySelector('#queue-results[aria-busy]')")
    rows = page.locator("#queue-results tbody tr")
    assert rows.count() > 0 and all(t.strip() == "—" for t in rows.locator("td:nth-child(7)").evaluate_all(
        "cells => cells.map(c => c.firstChild.textContent)"))
    assert page.evaluate(SAME_PAGE), "filtering reloaded the page"
    assert re.fullmatch(r"Demandes affichées : \d+", page.locator("#queue-count").inner_text())

    page.check("#f-overdue")
    page.wait_for_url(re.compile(r"overdue=true"))
    page.wait_for_function("() => !document.querySelector('#queue-results[aria-busy]')")
    overdue = page.locator("#queue-results tbody tr")
    assert overdue.count() == page.locator("#queue-results tbody tr.overdue").count()
    assert page.locator("#queue-count").inner_text() == f"Demandes affichées : {overdue.count()}"
    shot(page, "desk-queue-filtered-in-place-fr")

    page.uncheck("#f-overdue")
    page.wait_for_url(re.compile(r"^(?!.*overdue=true)"))
    page.wait_for_function("() => !document.querySelector('#queue-results[aria-busy]')")
    first = page.locator("#queue-results tbody tr").first
    case_id = first.get_attribute("id").removeprefix("case-")
    first.get_by_role("button", name="Le prendre").click()
    message = page.locator(f"#held-{case_id}")
    message.wait_for()
    assert message.inner_text() == "Désormais suivi par demo-caseworker."
    assert page.evaluate("() => document.activeElement.id") == f"held-{case_id}"  # focus on what happened
    assert page.locator(f"#take-{case_id}").count() == 0
    assert page.evaluate(SAME_PAGE)
    shot(page, "desk-queue-case-taken-in-place-fr")
    assert axe_violations(page) == []

    page.go_back()  # the previous filter, the whole page from the server (no copy kept in the browser)
    page.wait_for_url(re.compile(r"overdue=true"))
    page.wait_for_load_state()
    expect(page.locator("#f-overdue")).to_be_checked()  # htmx restores the page from the server: wait for it
    assert errors == []


def test_the_queue_filters_by_its_plain_form_without_javascript(server, browser):
    context = browser.new_context(locale="fr-BE", java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, server, "demo-caseworker")
        page.goto(server + "/desk/queue")
        page.select_option("#f-holder", "none")
        page.check("#f-overdue")
        follow(page, page.get_by_role("button", name="Filtrer"))
        assert "holder=none" in page.url and "overdue=true" in page.url
        rows = page.locator("#queue-results tbody tr")
        assert rows.count() == page.locator("#queue-results tbody tr.overdue").count()
        if rows.count():
            case_id = rows.first.get_attribute("id").removeprefix("case-")
            follow(page, rows.first.get_by_role("button", name="Le prendre"))
            assert page.url.endswith(f"/desk/queue?holder=none&overdue=true#case-{case_id}")
    finally:
        context.close()


def test_a_bank_line_is_booked_from_the_list_in_place(server, page):
    errors = _watch_console(page)
    login(page, server, "demo-caseworker")
    page.goto(server + "/desk/reconciliation")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate(MARK)
    button = page.locator("#main table tbody tr button", has_text="Imputer au dossier").first
    assert button.count(), ("no open bank line with a suggested file in the demo: "
                            f"{page.url} {page.locator('body').inner_text()[:400]!r}")  # what was shown instead
    row = button.locator("xpath=ancestor::tr")
    item = row.get_attribute("id").removeprefix("line-")
    button.click()
    answer = page.locator(f"#booked-{item}")
    answer.wait_for()
    # booked, or (a suggested file of another team) a link to the line's page where the reason is stated
    text = answer.inner_text()
    assert text.startswith("Imputé au dossier") or "Ouvrez la ligne" in text, text
    assert page.evaluate("() => document.activeElement.id") == f"booked-{item}"
    assert page.evaluate(SAME_PAGE)
    shot(page, "desk-reconciliation-booked-in-place-fr")
    assert axe_violations(page) == []
    assert errors == []


def test_the_simulator_follows_the_income_as_it_is_typed(server, page):
    errors = _watch_console(page)
    page.goto(server + "/simulator")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate(MARK)
    summary = page.locator("#sim-summary")
    assert summary.get_attribute("role") == "status" and summary.inner_text() == ""
    page.locator("#income").press_sequentially("45000", delay=40)  # no Enter, no button: typing is enough
    page.wait_for_function("() => document.querySelector('#sim-summary').textContent.startsWith('Par trimestre')")
    heading = page.locator("#sim-result h2").first.inner_text()
    assert summary.inner_text() == heading and "€" in heading
    page.wait_for_url(re.compile(r"income=45000"))  # the address follows: a reload shows the same answer
    first = summary.inner_text()
    page.fill("#income", "")
    page.locator("#income").press_sequentially("80000", delay=40)
    page.wait_for_function(f"() => document.querySelector('#sim-summary').textContent !== {first!r}"
                           " && document.querySelector('#sim-summary').textContent.startsWith('Par trimestre')")
    assert page.locator("#sim-result h2").first.inner_text() == summary.inner_text()
    assert page.evaluate("() => document.activeElement.id") == "income"  # the typist keeps the field
    assert page.evaluate(SAME_PAGE)
    shot(page, "simulator-in-place-fr")
    assert axe_violations(page) == []
    page.locator("#income").press_sequentially("k")
    page.wait_for_function("() => document.querySelector('#sim-summary').textContent.startsWith('revenu')")
    assert "un montant en euros" in page.locator("#sim-result .error").inner_text()
    assert errors == []


def test_the_payment_plan_follows_the_months_chosen(server, page):
    errors = _watch_console(page)
    login(page, server, "demo-affiliate")
    page.goto(server + page.locator("main a[href$='/life/cannot_pay']").first.get_attribute("href"))
    follow(page, page.locator("main a[href$='/payment-plan']").first)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate(MARK)
    page.select_option("#months", "4")  # no button: the plan follows
    page.wait_for_function("() => document.querySelector('#plan tbody').rows.length === 4")
    assert page.locator("#plan input[name=months]").get_attribute("value") == "4"  # the plan asked is the one shown
    assert page.locator("#plan-summary").inner_text().startswith("Le plan sur 4 mois")
    page.wait_for_url(re.compile(r"months=4"))
    assert page.evaluate(SAME_PAGE)
    assert axe_violations(page) == []
    assert errors == []
