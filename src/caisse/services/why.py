""""Why do I pay this?": the rules engine's derivation of a ledger line, in the reader's language.

The batches store, on each entry they post, the inputs of the rule that made the amount (``explanation.calc``:
category, year, the income N-3 or the chosen one ...; a fee's ``rate``) next to an English sentence. The pages
(My account, the 360° file) ask ``derivation(line, lang)``: the rules engine computes the amount again from those
inputs and words its steps in French, Dutch, German or English (``caisse.rules.explain``), as the due notice does.
Only when it finds the very amount that was booked: a line it cannot re-derive (another kind, parameters changed
since) keeps the stored English (``Line.detail``), which the English pages and the command line show.
"""

from __future__ import annotations

import json
from functools import lru_cache

from caisse.errors import CaisseError
from caisse.ledger.statement import Line
from caisse.rules.contributions import FIRST_QUARTER_STEP


def derivation(line: Line, lang: str) -> str | None:
    """The derivation of ``line``'s amount in ``lang`` (fr, nl, de, en), or None."""
    d = line.derivation
    if not d or not isinstance(d.get("calc"), dict) or line.kind != "charge":
        return None
    calc = json.dumps(d["calc"], sort_keys=True)
    if line.account in ("contribution", "management_fee"):
        reduction = line.account == "contribution" and d.get("step") == FIRST_QUARTER_STEP
        account = "reduction" if reduction else line.account
        return _provisional(calc, d.get("rate"), account, line.amount_cents, lang)
    if line.account == "company_contribution":
        return _company(calc, line.amount_cents, lang)
    return None


@lru_cache(maxsize=4096)
def _provisional(calc_json: str, rate: str | None, account: str, amount_cents: int, lang: str) -> str | None:
    """``account``: contribution, management_fee, or reduction (the line taking the primostarter's first-quarter
    reduction off the contribution)."""
    from caisse.documents.notices import provisional_of, quarter_of, why_of

    calc = json.loads(calc_json)
    try:
        result = provisional_of(calc, rate)
    except (CaisseError, KeyError, TypeError, ValueError):
        return None
    qa = quarter_of(result, calc.get("quarter"))
    found = {"contribution": qa.contribution + qa.reduction, "reduction": -qa.reduction,
             "management_fee": qa.total - qa.contribution}[account]
    if found != amount_cents:
        return None
    return why_of(result, lang, calc.get("quarter"))[1].get(account) or None


@lru_cache(maxsize=1024)
def _company(calc_json: str, amount_cents: int, lang: str) -> str | None:
    from caisse.documents.notices import company_of

    try:
        result = company_of(json.loads(calc_json))
    except (CaisseError, KeyError, TypeError, ValueError):
        return None
    steps = result.explanation.text(lang)
    return steps[0] if steps and result.amount == amount_cents else None


__all__ = ["derivation"]
