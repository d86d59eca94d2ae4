"""The Jinja environment of the server-rendered pages: autoescaping, gettext in the request's language,
dates and money in the Belgian formats of that language (Babel)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import jinja2
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent
from fastapi.templating import Jinja2Templates

from caisse import identifiers
from caisse.web import i18n, labels


def _date(value: dt.date | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return _formatted_date(value, fmt, i18n.current.get())


def _money(cents: int | None) -> str:
    if cents is None:
        return ""
    return _formatted_money(int(cents), i18n.current.get())


# the same dates and amounts come back on page after page (due dates, contributions): formatted once per language
@lru_cache(maxsize=8192)
def _formatted_date(value: dt.date, fmt: str, language: str) -> str:
    return format_date(value, fmt, locale=i18n.LOCALES[language])


@lru_cache(maxsize=8192)
def _formatted_money(cents: int, language: str) -> str:
    return format_currency(Decimal(cents) / 100, "EUR", locale=i18n.LOCALES[language])


def _percent(rate: str | Decimal | None) -> str:
    if rate is None:
        return ""
    return format_percent(Decimal(str(rate)), "#,##0.00%", locale=i18n.LOCALES[i18n.current.get()])


def _benefit_kind(code: str) -> str:
    """A benefit's name in the page's language (the decision's own wording: caisse.benefits.texts)."""
    from caisse.benefits.insurance_texts import KIND as REQUESTS
    from caisse.benefits.texts import KIND

    return KIND.get(code, REQUESTS.get(code, {})).get(i18n.current.get(), code)


_SUBJECT_VALUE = {"benefit": ".+", "event": "[a-z_]+", "day": r"\d{4}-\d{2}-\d{2}"}  # any other: a number


@lru_cache(maxsize=1)
def _subject_patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """Each of ``labels.CASE_SUBJECT_TEMPLATES`` with the pattern its stored (English) subjects follow."""
    out = []
    for template in labels.CASE_SUBJECT_TEMPLATES:
        parts = re.split(r"\{(\w+)\}", template)  # text, name, text, name, ..., text
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>{_SUBJECT_VALUE.get(p, r'[0-9]+')})"
                          for i, p in enumerate(parts))
        out.append((template, re.compile(pattern)))
    return tuple(out)


def _subject_value(name: str, value: str) -> str | None:
    """A value of a stored subject in the page's language; None when it is not what the template names."""
    language = i18n.current.get()
    if name == "benefit":
        from caisse.benefits.insurance_texts import KIND as REQUESTS
        from caisse.benefits.texts import KIND

        names = next((k for k in (*KIND.values(), *REQUESTS.values()) if k.get("en") == value), None)
        return None if names is None else names.get(language, value)
    if name == "event":
        return labels.label(labels.BENEFIT_EVENT, value) if value in labels.BENEFIT_EVENT else None
    if name == "day":
        try:
            return _date(dt.date.fromisoformat(value))
        except ValueError:
            return None
    return value


def _case_subject(subject: str | None) -> str:
    """A case's subject in the page's language: the fund's own subjects translated (``labels.CASE_SUBJECTS``, and
    ``labels.CASE_SUBJECT_TEMPLATES`` with their values in the page's language and formats); a person's own
    subject as written."""
    if not subject:
        return ""
    translated = i18n.gettext(subject)
    if translated != subject:
        return translated
    for template, pattern in _subject_patterns():
        found = pattern.fullmatch(subject)
        if found is None:
            continue
        values = {name: _subject_value(name, value) for name, value in found.groupdict().items()}
        if None in values.values():
            continue
        text = i18n.gettext(template).format(**values)
        return text[:1].upper() + text[1:]
    return subject


def _why(line) -> str | None:
    """"Why do I pay this?" for a ledger line, re-derived by the rules engine in the page's language
    (``caisse.services.why``); None where it cannot."""
    from caisse.services.why import derivation

    return derivation(line, i18n.current.get())


def _in_language(texts):
    """The page's language out of a stored ``{fr, nl, de, en}`` text (a decision's reasons, checks)."""
    if isinstance(texts, dict):
        return texts.get(i18n.current.get(), texts.get("fr"))
    return texts


def _step_reason(step) -> str:
    """A recovery step's reason in the page's language (``caisse.recovery.step_reasons``): a batch's sentence
    translated, its dates and amounts in the page's formats and a stage by its label; a handler's own words (or a
    sentence whose values do not fit) as written."""
    from caisse.recovery.step_reasons import parts

    found = parts(step.reason_code, step.reason_params, step.reason)
    if found is None:
        return step.reason
    reason, values = found
    language = i18n.current.get()
    shown = {}
    try:
        for name, value in values.items():
            shown[name] = (_date(dt.date.fromisoformat(value)) if name in reason.dates
                           else format_decimal(Decimal(int(value)) / 100, "#,##0.00", locale=i18n.LOCALES[language])
                           if name in reason.amounts
                           else labels.label(labels.RECOVERY_STAGE, value) if name in reason.stages else str(value))
        return i18n.gettext(reason.text.template).format(**shown)
    except (KeyError, ValueError, TypeError, IndexError):
        return step.reason


@jinja2.pass_context
def _language_link(context, code: str) -> str:
    """The language switcher's link to this very page in ``code``: the page's other query parameters (a year, a
    filter, a claim being completed) kept, only ``lang`` replaced."""
    request = context.get("request")
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] if request is not None else []
    return "?" + urlencode([*kept, ("lang", code)])


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        # compiled once per process: no stat() of every template (and its parents) at each page; a template
        # changed on disk is read at the next start
        auto_reload=False,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)
    env.filters["date"] = _date
    env.filters["money"] = _money
    env.filters["percent"] = _percent
    env.filters["iban"] = lambda value: identifiers.format_iban(value) if value else ""
    env.globals.update(
        languages=i18n.LANGUAGES, language_link=_language_link,
        language_names=labels.LANGUAGE, current_language=lambda: i18n.current.get(),
        category=lambda code: labels.label(labels.CATEGORY, code),
        category_name=lambda code: labels.label(labels.CATEGORY, code),
        status=lambda code: labels.label(labels.STATUS, code),
        step=lambda code: labels.label(labels.STEP, code),
        event=lambda code: labels.label(labels.EVENT, code),
        language_name=lambda code: labels.label(labels.LANGUAGE, code),
        export_section=lambda code: labels.label(labels.EXPORT_SECTIONS, code),
        case_kind=lambda code: labels.label(labels.CASE_KIND, code),
        case_status=lambda code: labels.label(labels.CASE_STATUS, code),
        batch_status=lambda code: labels.label(labels.BATCH_STATUS, code),
        notice_kind=lambda code: labels.label(labels.NOTICE_KIND, code),
        life_event=lambda code: labels.label(labels.LIFE_EVENT, code),
        note_channel=lambda code: labels.label(labels.NOTE_CHANNEL, code),
        note_direction=lambda code: labels.label(labels.NOTE_DIRECTION, code),
        recovery_stage=lambda code: labels.label(labels.RECOVERY_STAGE, code), step_reason=_step_reason,
        letter=lambda code: labels.label(labels.LETTER, code),
        plan_status=lambda code: labels.label(labels.PLAN_STATUS, code),
        reconciliation_reason=lambda code: labels.label(labels.RECONCILIATION_REASON, code),
        debt_kind=lambda code: labels.label(labels.DEBT_KIND, code),
        closing_reason=lambda code: labels.label(labels.CLOSING_REASON, code),
        contact_channel=lambda code: labels.label(labels.CONTACT_CHANNEL, code),
        solution=lambda code: labels.label(labels.SOLUTION, code),
        relief_status=lambda code: labels.label(labels.RELIEF_STATUS, code),
        bankruptcy_status=lambda code: labels.label(labels.BANKRUPTCY_STATUS, code),
        waiver_ground=lambda code: labels.label(labels.WAIVER_GROUND, code),
        recovery_event=lambda code: labels.label(labels.RECOVERY_EVENT, code),
        prescription_status=lambda code: labels.label(labels.PRESCRIPTION_STATUS, code),
        benefit_kind=_benefit_kind, in_language=_in_language, say=i18n.say, error_text=labels.error_text,
        interruption=lambda code: labels.label(labels.INTERRUPTION, code),
        match_by=lambda codes: ", ".join(labels.label(labels.MATCH_BY, c) for c in codes),
        case_subject=_case_subject,
        why=_why,
    )
    return env


TEMPLATES = Jinja2Templates(env=environment())
