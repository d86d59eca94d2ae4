"""How to read your notice (``/public/notices``, no login, no personal data): a specimen of every notice the fund
sends, drawn by the real notice code for a fictitious person (``documents.specimens``), shown as a picture with
numbered parts and, beside it, what each number means — in the page's language (fr / nl / de / en; the specimens
exist in French, Dutch and German: an English page shows the French one). Each specimen is also a PDF.

Nothing is read from or written to the database: no session is opened.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from caisse.documents import specimens
from caisse.web.desk import _page
from caisse.web.i18n import N_, current, gettext

router = APIRouter(include_in_schema=False)
Kind = Annotated[str, Path(pattern="^(" + "|".join(specimens.KINDS) + ")$")]
Language = Annotated[str, Path(pattern="^(fr|nl|de)$")]
CACHE = "public, max-age=3600"

#: what each kind is, as a heading
TITLE = {
    "quarterly_call": N_("The quarterly due notice"),
    "regularisation": N_("The regularisation notice"),
    "statement": N_("The account statement"),
    "company_call": N_("The due notice of the company contribution"),
    "summary": N_("The yearly summary"),
}
#: when it comes
WHEN = {
    "quarterly_call": N_("In the first month of each quarter: the provisional contributions of the quarter, to pay by "
                         "its last day."),
    "regularisation": N_("Once the tax administration tells us your income of a year, about two years later: the "
                         "contributions of that year computed again on it."),
    "statement": N_("When something is still unpaid, and whenever you ask for one: your account, period by period."),
    "company_call": N_("Once a year, to a company: its annual contribution, to pay by 31 December."),
    "summary": N_("Early each year: what you paid the year before, what it opened for you and what is coming."),
}
#: what each numbered part says: (kind, part) first, then ("*", part)
NOTE = {
    ("*", "sender"): N_("Who sends it: your social insurance fund, with its bank account (IBAN and BIC)."),
    ("*", "file"): N_("Your file number and the date of the document. Give your file number whenever you contact "
                      "us: it finds your file at once. (On a specimen it is 0: no file has that number.)"),
    ("*", "debtor"): N_("Who it is for: your name and the address we write to. If it is wrong or has changed, tell "
                        "us."),
    ("company_call", "debtor"): N_("Who it is for: the company and the address we write to."),
    ("quarterly_call", "title"): N_("What it is and which quarter: the provisional contributions of one quarter "
                                    "(here {period}: the year, then Q and the number of the quarter), with a few "
                                    "lines on what they pay for."),
    ("regularisation", "title"): N_("What it is and which year: your income of that year is now known, so the "
                                    "contributions of each of its quarters are computed again on it and compared "
                                    "with what was asked."),
    ("statement", "title"): N_("What it is: the state of your account on the date of the document."),
    ("company_call", "title"): N_("What it is and which year: the annual contribution every company pays to the "
                                  "social status of the self-employed."),
    ("summary", "title"): N_("What it is and which year: a summary of the year, not a demand for payment."),
    ("quarterly_call", "amounts"): N_("Each amount on its own line: the provisional contribution, then the fund's "
                                      "management fee (a percentage of the contribution). Beside each: why it is "
                                      "due and its legal basis."),
    ("regularisation", "amounts"): N_("For each quarter, the definitive contribution (on your real income) minus the "
                                      "provisional contribution already asked, with its legal basis. A negative "
                                      "amount is in your favour."),
    ("statement", "amounts"): N_("Period by period: what was asked, the surcharges, what you paid and what remains "
                                 "due (the balance)."),
    ("company_call", "amounts"): N_("The company contribution, why this amount (the company's size, from its "
                                    "balance-sheet total) and its legal basis."),
    ("*", "total"): N_("The total to pay: the sum of the lines above."),
    ("regularisation", "total"): N_("The total of the year: to pay when positive; when negative, it is in your "
                                    "favour (first set against what you still owe, the rest refunded)."),
    ("statement", "total"): N_("Everything still due on the date of the statement."),
    ("*", "communication"): N_("The structured communication (+++…+++): it tells us who pays and for which period. "
                               "Copy it exactly, every digit, or scan the QR code. With a wrong or missing "
                               "communication your payment cannot be matched to your file and period automatically: "
                               "it waits until someone identifies it, and may be booked late or on another period. "
                               "Each notice has its own: do not reuse an old one."),
    ("*", "payment"): N_("How much, until when and to which account. The amount must be on the fund's account by "
                         "that date: the day it is booked on our account counts, not the day you give the order — "
                         "pay a few days earlier."),
    ("statement", "payment"): N_("How much and to which account: what a statement shows as due is payable at once."),
    ("*", "qr"): N_("The QR code: scan it with your banking app and the amount, the fund's account and the "
                    "communication are filled in for you (the European EPC payment code)."),
    ("*", "late"): N_("What happens if it is paid late: a surcharge of 3 % of the unpaid contribution at the end of "
                      "each quarter, and a one-off 7 % on 1 January (art. 44 RD 19-12-1967). If you cannot pay on "
                      "time, contact us before the due date: a payment plan spreads the debt (the surcharges still "
                      "run), and if your income falls you may ask to reduce your provisional contributions."),
    ("regularisation", "late"): N_("What happens if it is paid late: paid by the date shown, there is no surcharge; "
                                   "after it, the surcharges of late payment (3 % at the end of each quarter, 7 % "
                                   "once on 1 January, art. 44 RD 19-12-1967)."),
    ("company_call", "late"): N_("What happens if it is paid late: a surcharge of 1 % of the contribution per month "
                                 "of delay."),
    ("*", "calculation"): N_("How the amount is computed, step by step: the income or figure it rests on, the rates "
                             "and the legal parameters of the year. Anyone — your accountant too — can redo every "
                             "step."),
    ("*", "help"): N_("Where to ask: contact the fund with your file number. You may also ask to reduce or increase "
                      "your provisional contributions."),
    ("summary", "paid"): N_("What you paid in the year and the amount you may deduct in your tax return: the same "
                            "figures as your tax certificate."),
    ("summary", "opened"): N_("Quarter by quarter, what your contributions opened: your pension rights and your "
                              "health-care cover."),
    ("summary", "coming"): N_("What is coming: the next due date, and an estimate of the regularisation of the year "
                              "— an estimate, not a decision."),
}
ALT = N_("Specimen of a document of the fund for a fictitious person, marked SPECIMEN: %(title)s. Its numbered parts "
         "are explained in the list that follows.")


def note(kind: str, part: str, period: str = "") -> str:
    """The explanation of ``part`` of a specimen of ``kind`` in the page's language (``{period}``: the specimen's)."""
    text = gettext(NOTE.get((kind, part)) or NOTE[("*", part)])
    return text.format(period=period) if "{period}" in text else text


def _document_language() -> str:
    return current.get() if current.get() in specimens.LANGS else "fr"


@router.get("/public/notices", response_class=HTMLResponse)
def notices_guide(request: Request) -> HTMLResponse:
    """Every notice the fund sends, annotated: no login, no personal data, nothing read from the database."""
    today = dt.date.today()
    lang = _document_language()
    shown = [specimens.specimen(kind, lang, today) for kind in specimens.KINDS]
    settings = request.app.state.settings
    response = _page(request, "public_notices.html", shown=shown, language=lang, title=TITLE, when=WHEN, note=note,
                     alt=ALT, languages=specimens.LANGS, phone=settings.fund_phone, email=settings.fund_email)
    response.headers["Cache-Control"] = CACHE
    response.headers["Vary"] = "Accept-Language, Cookie"  # the page's language: ?lang=, the cookie, the browser
    return response


@router.get("/public/notices/{language}/{notice}.pdf")
def specimen_pdf(language: Language, notice: Kind) -> Response:
    """The specimen as the PDF the person receives (fictitious, marked SPECIMEN)."""
    s = specimens.specimen(notice, language, dt.date.today())
    return Response(s.pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="specimen-{notice}-{language}.pdf"', "Cache-Control": CACHE})


@router.get("/public/notices/{language}/{notice}.svg")
def specimen_svg(language: Language, notice: Kind) -> Response:
    """The same page as a picture, for the guide's page."""
    s = specimens.specimen(notice, language, dt.date.today())
    return Response(s.svg, media_type="image/svg+xml", headers={"Cache-Control": CACHE})
