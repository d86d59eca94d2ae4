"""Languages on screen: French, Dutch and German for everyone, English for staff who prefer it.

Catalogs are gettext ``.po`` files in ``translations/`` (read at start-up, no build step); English strings in
the templates are the message ids. The language of a request: ``?lang=`` (remembered in a cookie), else the
cookie, else the browser's ``Accept-Language``, else French. A logged-in person's pages are in their language
(``caisse.web.auth``): ``?lang=`` (then kept on their account), else the language they chose last on a page (any
session, any device), else their file's language; the cookie and the browser only for staff who never chose.
``tests/web/test_i18n.py`` fails when a string on screen has no translation in fr, nl or de.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("fr", "nl", "de", "en")
DEFAULT = "fr"
LOCALES = {"fr": "fr_BE", "nl": "nl_BE", "de": "de_BE", "en": "en_GB"}
CATALOGS = Path(__file__).parent / "translations"
current: ContextVar[str] = ContextVar("caisse_language", default=DEFAULT)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark for translation, translate later"
    return message


@lru_cache
def translations(language: str) -> NullTranslations:
    path = CATALOGS / f"{language}.po"
    if language == "en" or not path.exists():
        return NullTranslations()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf)


def gettext(message: str) -> str:
    return translations(current.get()).gettext(message)


def say(value: object) -> str:
    """A sentence written outside the templates (a ``caisse.texts.Text``, a refusal's message) in the page's
    language: its English template is the message id (English again when a template has no translation yet)."""
    from caisse.errors import FieldError
    from caisse.texts import render

    return render(value.text if isinstance(value, FieldError) else value, gettext)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current.get()).ngettext(singular, plural, n)


def negotiate(query: str | None, cookie: str | None, account_language: str | None, accept: str | None) -> str:
    for candidate in (query, cookie, account_language):
        if candidate in LANGUAGES:
            return candidate
    if accept:
        preferred = [part.split(";")[0].strip() for part in accept.split(",") if part.strip()]
        found = Locale.negotiate(preferred, [LOCALES[lang] for lang in LANGUAGES], sep="-") if preferred else None
        if found is not None:
            return found.language
        for tag in preferred:
            if tag[:2].lower() in LANGUAGES:
                return tag[:2].lower()
    return DEFAULT
