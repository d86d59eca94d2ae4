"""Every string on screen exists in French, Dutch and German; the person's language is chosen and remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

ROOT = Path(__file__).parents[2]
CATALOGS = ROOT / "src" / "caisse" / "web" / "translations"


#: what marks a string for the screen: gettext in the pages, ``caisse.texts.T_`` for the sentences the domain writes
#: (advice, refusals), and the message of a refusal (``InvalidInput`` / ``Conflict``, second argument)
KEYWORDS = {"_": None, "N_": None, "gettext": None, "T_": None, "InvalidInput": (2,), "Conflict": (2,)}


def on_screen() -> set[str]:
    """The strings a page shows: the templates and the web code, the ``T_`` sentences and the refusals of the
    modules ``babel.cfg`` lists (the services whose refusals the pages show)."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options = parse_mapping_cfg(fh)
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(str(ROOT), method_map, options,
                                                                   keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_module_writing_sentences_for_a_page_is_extracted():
    """A ``T_`` sentence in a module babel.cfg does not list would never be translated."""
    with (ROOT / "babel.cfg").open() as fh:
        listed = {pattern for pattern, _method in parse_mapping_cfg(fh)[0]}
    writing = {str(path.relative_to(ROOT)) for path in (ROOT / "src" / "caisse").rglob("*.py")
               if "T_(" in path.read_text(encoding="utf-8") and "web" not in path.parts}
    assert writing <= listed, f"add to babel.cfg: {sorted(writing - listed)}"


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
def test_every_string_on_screen_is_translated(language):
    with (CATALOGS / f"{language}.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(on_screen() - translated)
    assert not missing, f"{len(missing)} string(s) without a {language} translation: {missing[:10]}"


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
def test_every_message_of_the_catalogues_has_a_translation(language):
    with (CATALOGS / f"{language}.po").open("rb") as fh:
        catalog = read_po(fh)
    empty = sorted(m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                   if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string.strip())))
    assert not empty, f"{len(empty)} message(s) of {language}.po without a translation: {empty[:10]}"


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
def test_a_translation_keeps_the_values_of_its_message(language):
    """``{quarter}`` in the English must be in the translation (``str.format`` would fail, or lose the figure)."""
    import re

    with (CATALOGS / f"{language}.po").open("rb") as fh:
        catalog = read_po(fh)
    names = re.compile(r"\{[^{}]*\}")
    wrong = [m.id for m in catalog if m.id and isinstance(m.id, str) and m.string
             and sorted(names.findall(m.id)) != sorted(names.findall(m.string))]
    assert not wrong, f"{language}: {wrong[:5]}"


def test_the_language_is_chosen_and_remembered(app_for):
    with TestClient(app_for) as c:
        assert "Aanmelden" in c.get("/login", params={"lang": "nl"}).text
        assert "Aanmelden" in c.get("/login").text  # remembered in a cookie
        assert 'lang="nl"' in c.get("/login").text
    with TestClient(app_for) as c:
        assert "Anmelden" in c.get("/login", headers={"accept-language": "de-BE,de;q=0.9"}).text
    with TestClient(app_for) as c:
        assert "Se connecter" in c.get("/login").text  # French by default


def in_language(language, fn):
    from caisse.web import i18n

    token = i18n.current.set(language)
    try:
        return fn()
    finally:
        i18n.current.reset(token)


def test_a_refusal_is_shown_in_the_language_of_the_page_and_stays_english_elsewhere():
    from caisse.errors import InvalidInput
    from caisse.web.labels import error_text

    refusal = InvalidInput("quarters[1]", "{quarter} is named twice", quarter="2026Q1")
    assert refusal.message == "2026Q1 is named twice"  # the command line, the API, the logs
    assert in_language("nl", lambda: error_text(refusal)) == "Kwartalen (2): 2026Q1 is twee keer vermeld"
    assert in_language("fr", lambda: error_text(refusal)) == "Trimestres (2): 2026Q1 est indiqué deux fois"
    # a message built with an f-string (no values) is shown as it is, braces and all
    odd = InvalidInput("start", "not a date: {x}")
    assert in_language("de", lambda: error_text(odd)).endswith("not a date: {x}")


def test_the_advice_reads_in_the_language_of_the_page():
    from caisse.texts import T_
    from caisse.web.i18n import say

    sentence = T_("once the contributions are paid: {quarters}", quarters=[
        T_("{quarter} (pay {principal} EUR first, then up to {waivable} EUR)", quarter="2026Q2", principal="890.42",
           waivable="26.71")])
    assert str(sentence) == "once the contributions are paid: 2026Q2 (pay 890.42 EUR first, then up to 26.71 EUR)"
    assert in_language("de", lambda: say(sentence)) == ("sobald die Beiträge gezahlt sind: 2026Q2 (zuerst 890.42 EUR "
                                                        "zahlen, danach bis zu 26.71 EUR)")


def test_a_logged_in_person_reads_their_own_language_and_their_last_choice_is_remembered(app_for, db_url):
    """Her file says Dutch and her browser French: her pages are in Dutch. She switches to German on a page: the
    choice is kept on her account, so her next session — another browser — opens in German too."""
    from caisse.store.db import session_scope
    from caisse.store.models import Party
    from support.people import register_someone
    from support.web import form_login, make_account

    with session_scope(db_url) as s:
        pid = register_someone(s).id
        s.get(Party, pid).language = "nl"
    login, _ = make_account(db_url, "affiliate", party_id=pid)
    with TestClient(app_for, headers={"accept-language": "fr-BE,fr;q=0.9"}) as c:
        assert "Se connecter" in c.get("/login").text  # not logged in: the browser's language
        form_login(c, login, None)
        assert 'lang="nl"' in c.get(f"/my/files/{pid}/account").text
        assert 'lang="de"' in c.get(f"/my/files/{pid}/account", params={"lang": "de"}).text
        assert 'lang="de"' in c.get("/").text  # the choice stays for the next pages
    with TestClient(app_for, headers={"accept-language": "fr-BE,fr;q=0.9"}) as other:  # the next session
        form_login(other, login, None)
        assert 'lang="de"' in other.get(f"/my/files/{pid}/account").text
        other.post("/logout", data={"csrf_token": csrf_of(other.get("/"))})
        assert "Anmelden" in other.get("/login").text  # after the logout the browser keeps it for the login page


def test_a_language_chosen_on_the_login_page_is_kept_by_the_login(app_for, db_url):
    from caisse.store.db import session_scope
    from support.people import register_someone
    from support.web import PASSWORD, make_account

    with session_scope(db_url) as s:
        pid = register_someone(s).id  # a French file
    login, _ = make_account(db_url, "affiliate", party_id=pid)
    with TestClient(app_for) as c:
        page = c.get("/login", params={"lang": "nl"})
        assert 'name="lang" value="nl"' in page.text
        c.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": csrf_of(page), "lang": "nl"})
    with TestClient(app_for) as later:
        later.post("/login", data={"login": login, "password": PASSWORD,
                                   "csrf_token": csrf_of(later.get("/login"))})
        assert 'lang="nl"' in later.get(f"/my/files/{pid}/account").text


def csrf_of(page):
    from support.web import csrf_of as of

    return of(page)


def test_refusals_of_identifiers_affiliation_and_ledger_read_in_the_page_language_and_english_elsewhere():
    """A mistyped national number, an overlapping affiliation, a negative amount for the ledger: English on the command
    line and in the API (``message``), the reader's language on a page (``error_text``)."""
    from caisse import identifiers
    from caisse.errors import Conflict, InvalidInput
    from caisse.texts import T_
    from caisse.web.labels import error_text

    with pytest.raises(InvalidInput) as typo:
        identifiers.normalize_niss("85.07.30-033.62")
    assert typo.value.message == "national number (NISS) check digits do not match (typing error?)"
    assert in_language("nl", lambda: error_text(typo.value)) == ("Rijksregisternummer: rijksregisternummer (INSZ): "
                                                                 "de controlecijfers kloppen niet (tikfout?)")
    assert in_language("de", lambda: error_text(typo.value)).endswith("Nationalregisternummer (ENSS): die Prüfziffern "
                                                                      "stimmen nicht (Tippfehler?)")
    overlap = Conflict("start_date", "overlaps affiliation {affiliation} ({start} – {end}); cease it first or choose "
                       "a later start", affiliation=7, start="2020-01-01", end=T_("open"))
    assert overlap.message == "overlaps affiliation 7 (2020-01-01 – open); cease it first or choose a later start"
    assert "chevauche l'affiliation 7 (2020-01-01 – " in in_language("fr", lambda: error_text(overlap))
    from caisse.ledger.operations import _positive

    with pytest.raises(InvalidInput) as negative:
        _positive(-5)
    assert negative.value.message == "a positive amount in integer cents is required, got -5"
    assert in_language("de", lambda: error_text(negative.value)) == ("Betrag: ein positiver Betrag in ganzen Cent ist "
                                                                     "erforderlich, erhalten -5")


def test_switching_language_keeps_the_rest_of_the_page_address_and_is_remembered(app_for, db_url):
    """On her yearly summary of 2024, she switches to Dutch: the link keeps the year (she stays on the same summary,
    not the default year), and the choice is still kept on her account for the next pages."""
    import html
    import re

    from caisse.store.db import session_scope
    from support.people import register_someone
    from support.web import form_login, make_account

    with session_scope(db_url) as s:
        pid = register_someone(s).id  # a French file
    login, _ = make_account(db_url, "affiliate", party_id=pid)
    with TestClient(app_for) as c:
        form_login(c, login, None)
        page = c.get(f"/my/files/{pid}/summary", params={"year": 2024, "lang": "de"})
        links = {m.group(2): html.unescape(m.group(1))
                 for m in re.finditer(r'<a href="([^"]*)" lang="(\w\w)" hreflang', page.text)}
        assert links["nl"] == "?year=2024&lang=nl" and links["fr"] == "?year=2024&lang=fr"  # no second lang=de
        switched = c.get(f"/my/files/{pid}/summary{links['nl']}")
        assert switched.status_code == 200 and 'lang="nl"' in switched.text and "2024" in switched.text
        assert 'lang="nl"' in c.get(f"/my/files/{pid}/account").text  # remembered, no ?lang= any more


@pytest.mark.parametrize(("stored", "language", "shown"), [
    ("birth leave — claim 7", "nl", "Geboorteverlof — aanvraag nr. 7"),
    ("bridging right — claim 7", "de", "Überbrückungsrecht — Antrag Nr. 7"),
    ("continued insurance — claim 7", "fr", "Assurance continuée — demande n° 7"),
    ("Reduction of provisional contributions 2026", "fr", "Réduction des cotisations provisoires 2026"),
    ("Increase of provisional contributions 2026", "fr", "Augmentation des cotisations provisoires 2026"),
    ("Increase of provisional contributions 2026", "nl", "Vrijwillige verhoging van de voorlopige bijdragen 2026"),
    ("Increase of provisional contributions 2026", "de", "Erhöhung der vorläufigen Beiträge 2026"),
    ("Payment plan, 12 months", "nl", "Afbetalingsplan, 12 maanden"),
    ("Undue benefit 3 — claim 7", "de", "Zu Unrecht gezahlte Leistung Nr. 3 — Antrag Nr. 7"),
    ("Set-off — claim 7", "nl", "Verrekening — aanvraag nr. 7"),
    ("Late-payment interest — claim no. 7", "fr", "Intérêts de retard — demande n° 7"),
    ("Life event: incapacity of 2026-11-02", "fr", "Événement de vie : incapacité de travail du 2 nov. 2026"),
    ("Assimilation for illness", "de", "Gleichstellung wegen Krankheit"),
    ("Dispensation of contributions", "nl", "Vrijstelling van bijdragen"),
    ("birth leave — claim 7", "en", "Birth leave — claim 7"),
    # a person's own subject, even one shaped like the fund's, is shown as written
    ("Ma question — claim 7", "nl", "Ma question — claim 7"),
    ("Life event: wedding of 2026-11-02", "fr", "Life event: wedding of 2026-11-02"),
    ("Payment plan, twelve months", "fr", "Payment plan, twelve months"),
])
def test_the_subjects_the_fund_writes_are_shown_in_the_language_of_the_page(stored, language, shown):
    from caisse.web.rendering import _case_subject

    assert in_language(language, lambda: _case_subject(stored)) == shown


def test_every_subject_the_fund_writes_with_values_is_shown_translated():
    """Each of ``labels.CASE_SUBJECT_TEMPLATES``, filled as the code stores it, reads in the page's language."""
    from caisse.web.labels import CASE_SUBJECT_TEMPLATES
    from caisse.web.rendering import _case_subject

    values = {"year": "2026", "months": "6", "claim": "4", "undue": "2", "event": "birth", "day": "2026-03-01",
              "benefit": "maternity allowance"}
    for template in CASE_SUBJECT_TEMPLATES:
        stored = template.format(**values)
        for language in ("fr", "nl", "de"):
            shown = in_language(language, lambda stored=stored: _case_subject(stored))
            assert shown != stored and "claim" not in shown, (template, language, shown)
