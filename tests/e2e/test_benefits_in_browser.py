"""Rights and benefits in the browser (issue 8): a person claims birth leave in the portal (a wrong date first:
the field is named), the benefits officer finds the claim in the desk's list and decides, the person sees the
decision and downloads it. Every new page passes axe-core (no serious or critical WCAG 2.1 AA violation)."""

from __future__ import annotations

import datetime as dt
import re

from support.browser import axe_violations, follow, login, shot


def test_a_person_claims_birth_leave_and_sees_the_decision_after_the_officer_decides(server, browser, page):
    problems = {}
    login(page, server, "demo-affiliate")
    follow(page, page.get_by_role("link", name=re.compile("mes droits")))
    assert page.locator("h1").inner_text().startswith("Mes droits")
    problems["my rights"] = axe_violations(page)
    follow(page, page.get_by_role("link", name="Congé de naissance"))
    assert page.locator("#f-days").input_value() == "20"  # what the law gives, pre-filled
    problems["claim form"] = axe_violations(page)
    # a birth more than a year ago: the request comes after the legal limit, so the decision is a motivated refusal
    birth = dt.date.today() - dt.timedelta(days=400)
    page.fill("#f-birth_date", birth.isoformat())
    page.fill("#f-start", (birth + dt.timedelta(days=20)).isoformat())
    page.fill("#f-end", birth.isoformat())
    page.fill("#f-days", "10")
    follow(page, page.get_by_role("button", name="Envoyer ma demande"))
    alert = page.get_by_role("alert").inner_text()
    assert "Dernier jour" in alert, alert
    assert page.locator("#f-end").get_attribute("aria-invalid") == "true"
    problems["claim form with an error"] = axe_violations(page)
    shot(page, "benefits-claim-error-fr")
    page.fill("#f-start", birth.isoformat())
    page.fill("#f-end", (birth + dt.timedelta(days=30)).isoformat())
    follow(page, page.get_by_role("button", name="Envoyer ma demande"))
    status = page.get_by_role("status").inner_text()
    claim_id = re.search(r"demande (\d+)", status).group(1)
    assert "en cours d'examen" in page.locator("main table").inner_text()
    shot(page, "benefits-my-rights-fr")

    officer_context = browser.new_context(locale="fr-BE", viewport={"width": 1200, "height": 900})
    officer = officer_context.new_page()
    login(officer, server, "demo-benefits")
    officer.goto(server + "/desk/benefits")
    problems["desk claims"] = axe_violations(officer)
    follow(officer, officer.locator(f'main a[href="/desk/benefits/{claim_id}"]'))
    assert "Vérifications à ce jour" in officer.locator("main").inner_text()
    problems["desk claim"] = axe_violations(officer)
    follow(officer, officer.get_by_role("button", name="Décider"))
    assert "Décidé" in officer.get_by_role("status").inner_text()
    shot(officer, "benefits-desk-claim-decided-fr")
    officer_context.close()

    page.reload()
    row = page.locator("main table tbody tr", has_text=claim_id).first.inner_text()
    assert "refusé" in row.lower() and "décidé le" in row, row
    pdf = page.request.get(f"{server}/my/claims/{claim_id}/decision.pdf")
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
    shot(page, "benefits-my-rights-decided-fr")
    assert {k: v for k, v in problems.items() if v} == {}
