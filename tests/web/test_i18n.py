"""Every string on screen exists in French, Dutch and German; the person's language is chosen and remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

ROOT = Path(__file__).parents[2]
CATALOGS = ROOT / "src" / "caisse" / "web" / "translations"


def on_screen() -> set[str]:
    method_map = [("src/caisse/web/**.py", "python"), ("src/caisse/web/templates/**.html", "jinja2")]
    options = {"src/caisse/web/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT), method_map, options, keywords={"_": None, "N_": None, "gettext": None}):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("language", ["fr", "nl", "de"])
def test_every_string_on_screen_is_translated(language):
    with (CATALOGS / f"{language}.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(on_screen() - translated)
    assert not missing, f"{len(missing)} string(s) without a {language} translation: {missing[:10]}"


def test_the_language_is_chosen_and_remembered(app_for):
    with TestClient(app_for) as c:
        assert "Aanmelden" in c.get("/login", params={"lang": "nl"}).text
        assert "Aanmelden" in c.get("/login").text  # remembered in a cookie
        assert 'lang="nl"' in c.get("/login").text
    with TestClient(app_for) as c:
        assert "Anmelden" in c.get("/login", headers={"accept-language": "de-BE,de;q=0.9"}).text
    with TestClient(app_for) as c:
        assert "Se connecter" in c.get("/login").text  # French by default
