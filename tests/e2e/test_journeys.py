"""What people do in the browser: an affiliate consults their file (in French, then in Dutch), a caseworker
finds a file, opens another team's file with a reason; every main page passes axe-core (no serious or
critical WCAG 2.1 AA violation)."""

from __future__ import annotations

import re
from pathlib import Path

from support.browser import axe_violations, follow, login, shot


def test_an_affiliate_consults_their_file_in_french_then_dutch(server, page, browser):
    login(page, server, "demo-affiliate")
    assert page.locator("h1").inner_text() == "Bienvenue", page.locator("main").inner_text()[:300]
    main = page.locator("main").inner_text()
    assert "Ce que je dois maintenant" in main and "Mon gestionnaire de dossier" in main
    shot(page, "affiliate-home-fr")
    follow(page, page.locator("nav.file-links a").first)
    assert page.locator("h2", has_text="Affiliations").count() == 1
    assert "à titre principal" in page.locator("main").inner_text()
    shot(page, "affiliate-file-fr")
    follow(page, page.locator("nav.languages a[lang=nl]"))
    assert "Aansluitingen" in page.locator("main").inner_text()
    assert "in hoofdberoep" in page.locator("main").inner_text()
    shot(page, "affiliate-file-nl")
    page.goto(server + "/")
    follow(page, page.get_by_role("link", name=re.compile("alles wat het fonds")))
    assert "Wie dit dossier heeft ingekeken of gewijzigd" in page.locator("main").inner_text()
    shot(page, "affiliate-everything-nl")
    page.goto(server + "/")
    follow(page, page.get_by_role("link", name=re.compile("mijn rekening")))
    assert "Periode per periode" in page.locator("main").inner_text()
    assert page.locator("main table tbody tr").count() >= 8  # the quarters called since 2024 (and 2024's rules)
    shot(page, "affiliate-account-nl")
    later = browser.new_context(locale="fr-BE").new_page()  # her next session, in another (French) browser
    login(later, server, "demo-affiliate", lang=None)
    assert later.locator("h1").inner_text() == "Welkom"  # the language she chose last, kept on her account
    later.context.close()


def test_a_caseworker_finds_a_file_and_states_a_reason_for_another_team(server, page):
    login(page, server, "demo-caseworker")
    assert "La caisse aujourd'hui" in page.locator("h1").inner_text()
    shot(page, "desk-home-fr")
    follow(page, page.locator("nav.languages a[lang=en]"))
    page.fill("#q", "Peeters")
    with page.expect_navigation():
        page.press("#q", "Enter")
    shot(page, "desk-search-en")
    links = page.locator("main table a")
    assert links.count() > 0
    # find a file of another team: try files until the need-to-know page shows up
    for file_id in range(1, 60):
        page.goto(f"{server}/desk/files/{file_id}")
        if page.locator("h1").inner_text() == "Why do you need this file?":
            break
    else:
        raise AssertionError("no file of another team among the first 60")
    shot(page, "desk-need-to-know-en")
    page.fill("#reason", "The affiliate came to our office")
    follow(page, page.locator("main button[type=submit]"))
    assert page.locator("h2", has_text="Affiliations").count() == 1
    shot(page, "desk-file-en")


def test_a_caseworker_opens_the_360_file_notes_a_phone_call_and_sees_it(server, page):
    """On the phone with a person of her team: the whole file on one screen, the call noted, newest first."""
    login(page, server, "demo-caseworker")
    for file_id in range(1, 60):  # a file of her team (another team's asks for a reason first)
        page.goto(f"{server}/desk/files/{file_id}")
        if page.locator("#note-summary").count():
            break
    else:
        raise AssertionError("no file of the caseworker's team among the first 60")
    main = page.locator("main").inner_text()
    for section in ("Compte période par période", "Documents envoyés", "Recouvrement", "Contacts et notes",
                    "Gestionnaire de dossier"):
        assert section in main, section
    assert "Sophie Lambert" in main  # the demo caseworker is the named caseworker of her team's files
    shot(page, "desk-360-file-fr")
    page.select_option("#note-channel", "phone")
    page.check("input[name=direction][value=in]")
    page.fill("#note-summary", "Appel : demande la date du prochain trimestre, expliqué le code QR.")
    follow(page, page.get_by_role("button", name="Ajouter au dossier"))
    assert page.url.endswith(f"/desk/files/{file_id}#contacts")
    first = page.locator("table.notes tbody tr").first.inner_text()
    assert "Téléphone" in first and "Appel : demande la date du prochain trimestre" in first
    assert "demo-caseworker" in first
    follow(page, page.get_by_role("link", name=re.compile(r"^Téléphone \(\d+\)$")))
    assert page.locator("table.notes tbody tr").count() >= 1
    shot(page, "desk-360-phone-note-fr")


def test_main_pages_have_no_serious_accessibility_violation(server, page):
    problems = {}
    page.goto(server + "/login")
    problems["login"] = axe_violations(page)
    page.goto(server + "/password-reset")
    problems["forgotten password"] = axe_violations(page)
    page.goto(server + "/password-reset/new?token=not-a-link")
    problems["forgotten password: an expired link"] = axe_violations(page)
    page.goto(server + "/login")
    login(page, server, "demo-caseworker")
    for name, path in [("desk", "/"), ("search", "/desk/search?q=ma"), ("own-team file", None)]:
        if path is None:
            path = page.locator("main table a").first.get_attribute("href") if name == "own-team file" else path
        page.goto(server + path)
        problems[name] = axe_violations(page)
    for name, path in [("360 file with notes", "/desk/files/{own}?channel=phone"), ("work queue", "/desk/queue"),
                       ("work queue filtered", "/desk/queue?holder=none&kind=unmatched_payment"),
                       ("reconciliation", "/desk/reconciliation")]:
        page.goto(server + path.replace("{own}", problems_file(page, server)))
        problems[name] = axe_violations(page)
    if page.locator("main table a[href^='/desk/reconciliation/']").count():
        follow(page, page.locator("main table a[href^='/desk/reconciliation/']").first)
        problems["reconciliation item"] = axe_violations(page)
        shot(page, "desk-reconciliation-item-fr")
    page.goto(server + "/desk/queue")
    if page.locator("main table a[href^='/desk/cases/']").count():
        follow(page, page.locator("main table a[href^='/desk/cases/']").first)
        problems["desk case"] = axe_violations(page)
    page.goto(server + "/login")
    login(page, server, "demo-manager")
    page.goto(server + "/desk/files/" + problems_file(page, server))
    problems["360 file as a manager (assignment form)"] = axe_violations(page)
    page.goto(server + "/login")
    login(page, server, "demo-affiliate")
    problems["affiliate home"] = axe_violations(page)
    page.goto(server + page.locator("main a[href$='/account']").first.get_attribute("href"))
    problems["affiliate account"] = axe_violations(page)
    page.goto(server + "/simulator?income=42000")
    problems["simulator"] = axe_violations(page)
    page.goto(server + "/my/requests")
    problems["my requests"] = axe_violations(page)
    page.goto(server + "/")
    follow(page, page.locator("nav.file-links a").first)
    problems["affiliate file"] = axe_violations(page)
    page.goto(server + "/my/documents")
    problems["my documents"] = axe_violations(page)
    for name in ("mandate", "life/cannot_pay", "life/starting", "life/retiring"):
        page.goto(server + "/")
        page.goto(server + page.locator(f"main a[href$='/{name}']").first.get_attribute("href"))
        problems[name] = axe_violations(page)
    page.goto(server + "/")
    page.goto(server + page.locator("main a[href$='/mandate']").first.get_attribute("href").replace(
        "/mandate", "/payment-plan"))
    problems["payment plan"] = axe_violations(page)
    page.set_viewport_size({"width": 375, "height": 800})  # a phone
    page.goto(server + "/")
    problems["affiliate home on a phone"] = axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), "scrolls sideways"
    assert {k: v for k, v in problems.items() if v} == {}


def test_an_affiliate_downloads_a_due_notice_and_signs_then_revokes_a_direct_debit(server, page):
    login(page, server, "demo-affiliate")
    follow(page, page.get_by_role("link", name="Mes documents", exact=True))
    assert page.locator("h1").inner_text() == "Mes documents"
    shot(page, "affiliate-documents-fr")
    with page.expect_download() as download:
        page.locator("main a[href^='/my/notices/']").first.click()
    path = download.value.path()
    assert Path(path).read_bytes()[:5] == b"%PDF-"
    page.goto(server + "/")
    follow(page, page.locator("main a[href$='/mandate']").first)
    if page.locator("button", has_text="Révoquer le mandat").count():  # the demo fund may have signed one already
        follow(page, page.locator("button", has_text="Révoquer le mandat"))
    page.fill("#iban", "BE00 0000 0000 0001")
    page.check("input[name=account][value=other]")
    follow(page, page.locator("button", has_text="Signer le mandat"))
    assert "IBAN" in page.locator("[role=alert]").inner_text()
    assert page.locator("#iban").get_attribute("aria-invalid") == "true"
    page.fill("#iban", "BE71 0961 2345 6769")
    follow(page, page.locator("button", has_text="Signer le mandat"))
    assert "est signé" in page.locator("[role=status]").inner_text()
    shot(page, "affiliate-mandate-fr")
    follow(page, page.locator("button", has_text="Révoquer le mandat"))
    assert "est révoqué" in page.locator("[role=status]").inner_text()
    page.goto(server + "/")
    follow(page, page.locator("main a[href$='/life/cannot_pay']").first)
    assert "Plan d'apurement" in page.locator("main").inner_text()
    shot(page, "affiliate-cannot-pay-fr")


def test_an_affiliate_asks_a_payment_plan_in_dutch_and_reads_the_answer_after_the_back_office_grants_it(
        server, page, browser):
    """The person sees the schedule and the surcharges it will cost first, asks; a caseworker grants the plan
    asked, a manager approves it (four eyes: the debt is above the threshold); the answer waits in her inbox."""
    login(page, server, "demo-affiliate")
    follow(page, page.locator("nav.languages a[lang=nl]"))
    page.goto(server + page.locator("main a[href$='/life/cannot_pay']").first.get_attribute("href"))
    follow(page, page.locator("main a[href$='/payment-plan']").first)
    assert page.locator("h1").inner_text().startswith("Afbetalingsplan")
    page.select_option("#months", "4")
    follow(page, page.get_by_role("button", name="Dit plan tonen"))
    assert page.locator("main table tbody tr").count() == 4
    assert "De verhogingen lopen verder" in page.locator("main").inner_text()
    shot(page, "affiliate-payment-plan-nl")
    page.fill("#words", "Mijn grootste klant betaalt niet meer.")
    follow(page, page.get_by_role("button", name="Dit afbetalingsplan aanvragen"))
    request_url = page.url
    assert re.search(r"/my/requests/\d+$", request_url) and "Schedule:" in page.locator("main").inner_text()
    case_id = request_url.rsplit("/", 1)[1]

    desk = browser.new_context(locale="fr-BE").new_page()
    login(desk, server, "demo-caseworker")
    desk.goto(f"{server}/desk/cases/{case_id}")
    follow(desk, desk.get_by_role("button", name="Accorder le plan demandé"))
    assert "four eyes" in desk.locator("main").inner_text()  # the internal note: a manager must approve
    file_id = desk.locator("main dl a[href^='/desk/files/']").inner_text()
    shot(desk, "desk-plan-granted-fr")
    boss = browser.new_context(locale="fr-BE").new_page()
    login(boss, server, "demo-manager")
    boss.goto(server + "/desk/approvals")
    row = boss.locator("main tr", has_text="payment_plan").filter(has=boss.locator(f"a[href='/desk/files/{file_id}']"))
    follow(boss, row.get_by_role("button", name="Approuver"))
    shot(boss, "desk-approvals-after-fr")

    page.goto(request_url)
    answer = page.locator("main li.msg.out").inner_text()
    assert "plan" in answer and ("accordé" in answer or "toegestaan" in answer or "bewilligt" in answer)
    assert "beantwoord" in page.locator("main dl").inner_text()  # the status of her request
    shot(page, "affiliate-payment-plan-answered-nl")


def problems_file(page, server) -> str:
    """A file the logged-in staff member opens without stating a reason (the first of their team)."""
    for file_id in range(1, 60):
        page.goto(f"{server}/desk/files/{file_id}")
        if page.locator("#contacts").count():
            return str(file_id)
    raise AssertionError("no file of this team among the first 60")
