"""The account statement of a debtor (relevé de compte), computed from the entries only.

Per period: called (principal and costs), surcharges, paid (imputed), written off, balance; then every
line with its date, transaction key, amount and the rule that produced it. ``Statement`` is data: the
text rendering is here, the PDF in the documents package can use the same object.

What a line says (``Line.explanation``) is written here, once, from what the entry carries (transaction kind,
account, period, the stored calculation): a ``caisse.texts.Text``, English on the command line and in the staff
text/PDF, in the reader's language on the pages (``caisse.web.i18n.say``). The batches and the bank import store
English descriptions; history is never rewritten: a kind this module cannot word keeps its stored English text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from caisse.errors import NotFound
from caisse.ledger.imputation import period_end
from caisse.ledger.models import RECEIVABLE
from caisse.ledger.operations import party_entries
from caisse.money import fmt
from caisse.store.models import Party
from caisse.texts import T_, Text

ACCOUNT_LABEL = {
    "contribution": "contribution", "management_fee": "management fee", "company_contribution":
    "company contribution", "surcharge": "surcharge", "costs": "costs", "credit": "credit", "refund":
    "refund", "benefit": "benefit", "benefit_undue": "undue benefit",
}


@dataclass
class Line:
    booked_on: dt.date
    key: str
    kind: str
    account: str
    period: str | None
    amount_cents: int  # > 0: owed by the debtor (or his credit used); < 0: paid / owed to him
    due_date: dt.date | None
    explanation: Text  # what the line is, in words (``line_text``)
    source: str = ""  # the rule and legal parameter that produced it: references, the same in every language
    detail: str | None = None  # the calculation as stored (English), for staff; None when the words above hold it
    # the structured calculation stored on the entry (``calc``, a fee's ``rate``; a fee line also gets its
    # contribution's ``calc``): what the rules engine re-derives "why do I pay this?" from, in any language
    derivation: dict | None = None


@dataclass
class PeriodSummary:
    period: str
    called: int = 0
    surcharges: int = 0
    paid: int = 0
    written_off: int = 0
    lines: list[Line] = field(default_factory=list)

    @property
    def balance(self) -> int:
        return self.called + self.surcharges - self.paid - self.written_off


@dataclass
class Statement:
    party_id: int
    periods: list[PeriodSummary]
    money_lines: list[Line]  # payments received, credit used or held, refunds, benefits
    credit: int  # held for the debtor
    refunds_pending: int  # ordered, not yet paid out
    benefits_pending: int

    @property
    def total_due(self) -> int:
        return sum(max(p.balance, 0) for p in self.periods)

    def render_text(self) -> str:
        out = [f"Account statement - debtor {self.party_id}", ""]
        out.append(f"{'period':<8} {'called':>12} {'surcharges':>12} {'paid':>12} {'written off':>12} {'balance':>12}")
        for p in self.periods:
            out.append(f"{p.period:<8} {fmt(p.called):>12} {fmt(p.surcharges):>12} {fmt(p.paid):>12} "
                       f"{fmt(p.written_off):>12} {fmt(p.balance):>12}")
        out.append(f"{'total due':<8} {fmt(self.total_due):>64}")
        out.append(f"credit held for the debtor: {fmt(self.credit)}   refunds ordered, not yet paid: "
                   f"{fmt(self.refunds_pending)}   benefits to pay: {fmt(self.benefits_pending)}")
        for p in self.periods:
            out += ["", f"{p.period}"]
            out += [_render(line) for line in p.lines]
        if self.money_lines:
            out += ["", "Payments, credit, refunds and benefits"]
            out += [_render(line) for line in self.money_lines]
        return "\n".join(out)


def _render(line: Line) -> str:
    due = f" due {line.due_date.isoformat()}" if line.due_date else ""
    words = " ".join(p for p in (str(line.explanation), line.source, line.detail) if p)
    return (f"  {line.booked_on.isoformat()}  {ACCOUNT_LABEL.get(line.account, line.account):<20} "
            f"{fmt(line.amount_cents):>12}{due}  {words}  [{line.key}]")


def explain(description, rule, parameter, explanation) -> str:
    """A line's explanation: the transaction's description, the rule, the parameter, the posted text."""
    parts = [p for p in (description, rule) if p]
    if parameter:
        parts.append(f"({parameter})")
    if isinstance(explanation, dict) and explanation.get("text"):
        parts.append(str(explanation["text"]))
    return " ".join(parts)


def _source(rule: str | None, parameter: str | None) -> str:
    return " ".join(p for p in (rule, f"({parameter})" if parameter else None) if p)


def _after(description: str | None, prefix: str) -> str | None:
    """What a stored description holds after its English prefix (a payment's structured communication)."""
    rest = description[len(prefix):].strip() if description and description.startswith(prefix) else ""
    return rest or None


#: the explanation ``step`` of an entry taking the primostarter's first-quarter reduction (art. 12 §1bis) off a
#: contribution (``rules.contributions.FIRST_QUARTER_STEP``; the ledger does not import the rules)
FIRST_QUARTER_STEP = "primostarter_first_quarter"


def line_text(kind: str, account: str, period: str | None, amount_cents: int, description: str | None,
              explanation: dict | None) -> Text | None:
    """The words of a statement line, from what its entry carries; None for a kind not worded here (the stored
    English is then shown as it is)."""
    calc = explanation.get("calc") if isinstance(explanation, dict) else None
    calc = calc if isinstance(calc, dict) else {}
    why = explanation if isinstance(explanation, dict) else {}
    q = period or ""
    if description and description.startswith("Correction: reversal of"):
        return T_("Correction: an earlier entry of {quarter} cancelled", quarter=q)
    if kind in ("charge", "regularisation") and account == "contribution" and why.get("step") == FIRST_QUARTER_STEP:
        return T_("Primostarter: reduction of the contribution of the first quarter of activity {quarter}", quarter=q)
    if kind == "charge":
        if account == "contribution":
            if description and description.startswith("Quarterly call"):
                return T_("Provisional contribution for {quarter} (quarterly call)", quarter=q)
            return T_("Contribution for {quarter}", quarter=q)
        if account == "management_fee":
            return T_("Management fee of the fund for {quarter}", quarter=q)
        if account == "company_contribution":
            return T_("Company annual contribution {year}", year=q[:4])
        if account == "surcharge":
            if "due" in calc and "posted" in calc:
                return T_("Late-payment surcharge on {quarter} recomputed from the payments booked in time: "
                          "{due} EUR instead of {posted} EUR", quarter=q, due=fmt(int(calc["due"])),
                          posted=fmt(int(calc["posted"])))
            if calc.get("kind") == "quarterly" and "base" in calc:
                return T_("Late-payment surcharge of 3 % on the contribution of {quarter} ({base} EUR) unpaid at the "
                          "end of the quarter ({date})", quarter=q, base=fmt(int(calc["base"])),
                          date=calc.get("arising", ""))
            if calc.get("kind") == "annual" and "base" in calc:
                return T_("Late-payment surcharge of 7 % on the contribution of {quarter} ({base} EUR) unpaid on "
                          "31 December ({date})", quarter=q, base=fmt(int(calc["base"])), date=calc.get("arising", ""))
            return T_("Late-payment surcharge on {quarter}", quarter=q)
        if account == "costs":
            return T_("Costs charged for {quarter}", quarter=q)
    if kind == "regularisation" and account in ("contribution", "management_fee"):
        return (T_("Regularisation of the contribution of {quarter}", quarter=q) if account == "contribution" else
                T_("Regularisation of the management fee of {quarter}", quarter=q))
    if kind == "imputation" and account in RECEIVABLE:
        return (T_("Paid: money on your account applied to {quarter}", quarter=q) if amount_cents < 0 else
                T_("Paid too much on {quarter}: back to your credit", quarter=q))
    if kind == "imputation" and account == "credit":
        return T_("Money on your account applied to what is due") if amount_cents > 0 else \
            T_("Paid too much: back to your credit")
    if kind == "write_off" and account in RECEIVABLE:
        decision = why.get("inasti_decision") or ""
        if description and description.startswith("Dispensation of contributions"):
            return T_("Dispensation of contributions granted by INASTI for {quarter} (decision {decision})",
                      quarter=q, decision=decision)
        if description and description.startswith("Surcharge waiver"):
            return T_("Surcharge waiver granted by INASTI for {quarter} (decision {decision})", quarter=q,
                      decision=decision)
        return T_("Written off: the fund renounces this amount of {quarter}", quarter=q)
    if kind == "payment" and account == "credit" and description and description.startswith("Payment received"):
        reference = _after(description, "Payment received")
        return (T_("Payment received, communication {reference}", reference=reference) if reference else
                T_("Payment received"))
    if kind == "assignment" and account == "credit":
        return T_("Payment received, assigned to your file by the fund")
    if kind == "refund" and account in ("credit", "refund"):
        return T_("Refund of your credit ordered")
    if kind == "payout" and account == "refund":
        return T_("Refund paid by credit transfer")
    if kind == "benefit" and account == "benefit":
        return T_("Benefit granted for {quarter}", quarter=q)
    if kind == "payout" and account == "benefit":
        return T_("Benefit paid by credit transfer")
    return None


def _line(booked_on, key, kind, description, account, period, amount, due, rule, parameter, explanation) -> Line:
    stored = str(explanation["text"]) if isinstance(explanation, dict) and explanation.get("text") else None
    words = line_text(kind, account, period, amount, description, explanation)
    derivation = explanation if isinstance(explanation, dict) and ("calc" in explanation or "rate" in explanation) \
        else None
    if words is None:  # not worded here: the stored English, as before
        return Line(booked_on, key, kind, account, period, amount, due, Text(description or stored or ""),
                    _source(rule, parameter), stored if description else None, derivation)
    return Line(booked_on, key, kind, account, period, amount, due, words, _source(rule, parameter), stored,
                derivation)


def _fees_with_their_contribution(lines: list[Line]) -> None:
    """A management fee is a rate of the contribution called with it: its line gets that contribution's
    ``calc`` too, so its derivation can be given."""
    calcs = {line.key: line.derivation["calc"] for line in lines
             if line.account == "contribution" and line.derivation and isinstance(line.derivation.get("calc"), dict)}
    for line in lines:
        if line.account == "management_fee" and line.derivation and line.key in calcs:
            line.derivation = {**line.derivation, "calc": calcs[line.key]}


def statement(session: Session, party_id: int) -> Statement:
    if session.get(Party, party_id) is None:
        raise NotFound("debtor", party_id)
    periods: dict[str, PeriodSummary] = {}
    money: list[Line] = []
    credit = refunds = benefits = 0
    for (booked_on, key, kind, description, account, period, amount, due, rule, parameter,
         explanation) in party_entries(session, party_id):
        amount = int(amount)
        line = _line(booked_on, key, kind, description, account, period, amount, due, rule, parameter, explanation)
        if account in RECEIVABLE:
            p = periods.setdefault(period, PeriodSummary(period))
            p.lines.append(line)
            if kind in ("charge", "regularisation"):
                if account == "surcharge":
                    p.surcharges += amount
                else:
                    p.called += amount
            elif kind == "write_off":
                p.written_off -= amount
            else:  # imputation (and release of an overpaid item back to credit)
                p.paid -= amount
        else:
            money.append(line)
            if account == "credit":
                credit -= amount
            elif account == "refund":
                refunds -= amount
            elif account == "benefit":
                benefits -= amount
    ordered = [periods[k] for k in sorted(periods, key=lambda k: (period_end(k), k))]
    for p in ordered:
        _fees_with_their_contribution(p.lines)
    return Statement(party_id, ordered, money, credit, refunds, benefits)


def render_pdf(st: Statement, path: str) -> None:
    """A plain A4 rendering of the statement (reportlab). The affiliate-facing, translated layout with the
    fund's identity and payment details belongs to the documents package; this one is for staff."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(path, pagesize=A4)
    width, height = A4
    y = height - 20 * mm
    for raw_line in st.render_text().splitlines():
        if y < 15 * mm:
            canvas.showPage()
            y = height - 20 * mm
        bold = bool(raw_line) and not raw_line.startswith(" ")
        canvas.setFont("Courier-Bold" if bold else "Courier", 7)
        canvas.drawString(12 * mm, y, raw_line[:150])
        y -= 3.6 * mm
    canvas.save()
