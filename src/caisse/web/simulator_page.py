"""The simulator page (open to everyone): what will I pay on this income, and how would another category
compare — every amount with its explanation in the reader's language."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from caisse.errors import CaisseError
from caisse.rules import contributions
from caisse.web import i18n
from caisse.web.desk import _page_or_fragment
from caisse.web.i18n import gettext
from caisse.web.labels import error_text

router = APIRouter(include_in_schema=False)
CATEGORIES = ("main", "complementary", "student", "helping_spouse", "post_pension", "art37")
CATEGORY_PATTERN = "^(" + "|".join(CATEGORIES) + ")$"
AMOUNT = re.compile(r"[0-9 .,\u00a0]*")


def parse_amount(text: str) -> str:
    """What people type: '80000', '80 000', '80.000', '80.000,50', '80000.50', '80,5' → a decimal string."""
    text = text.replace(" ", "").replace("\u00a0", "")
    if "," in text:
        return text.replace(".", "").replace(",", ".")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # dots as thousands separators
        return text.replace(".", "")
    return text


@router.get("/simulator", response_class=HTMLResponse)
def simulator(request: Request, income: Annotated[str | None, Query(max_length=20)] = None,
              category: Annotated[str, Query(pattern=CATEGORY_PATTERN)] = "main",
              year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
              primostarter: bool = False,
              start_quarter: Annotated[int | None, Query(ge=1, le=4)] = None) -> HTMLResponse:
    """``start_quarter`` (a primostarter in a main activity): the quarter of the year the activity started, whose
    contribution the primostarter's first-quarter reduction lowers (the link from the file's reduction page)."""
    year = year or dt.date.today().year
    fee = request.app.state.settings.management_fee_rate
    lang = i18n.current.get()
    result = comparison = error = None
    if income and not AMOUNT.fullmatch(income):  # said on the page: the answer to typing is swapped in place
        error = gettext("income: an amount in euros, in figures (e.g. 45 000 or 45.000,50)")
    elif income:
        amount = parse_amount(income)
        try:
            primo = primostarter and category == "main"
            r = contributions.contribution(year, category, amount, primostarter=primo,
                                           start_quarter=start_quarter if primo else None, fee_rate=fee)
            result = {"quarterly": r.quarterly, "total": r.quarterly_total, "annual": r.annual,
                      "lines": r.explanation.text(lang)}
            first = next((qa for qa in r.quarters if qa.reduction), None)
            if first is not None:
                result["first_quarter"] = {"quarter": f"{year}Q{first.quarter}", "total": first.total,
                                           "reduction": first.reduction}
            comparison = []
            for other in ("main", "complementary"):
                o = contributions.contribution(year, other, amount, fee_rate=fee)
                comparison.append((other, o.quarterly_total))
        except CaisseError as exc:
            error = error_text(exc)
    return _page_or_fragment(request, "simulator.html", "_simulator_result.html", income=income or "",
                             category=category, year=year, primostarter=primostarter, start_quarter=start_quarter,
                             categories=CATEGORIES,
                             result=result, comparison=comparison, error=error, fee=fee)
