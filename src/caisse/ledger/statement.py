"""The account statement of a debtor (relevé de compte), computed from the entries only.

Per period: called (principal and costs), surcharges, paid (imputed), written off, balance; then every
line with its date, transaction key, amount and the rule that produced it. ``Statement`` is data: the
text rendering is here, the PDF in the documents package can use the same object.
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
    explanation: str


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
    return (f"  {line.booked_on.isoformat()}  {ACCOUNT_LABEL.get(line.account, line.account):<20} "
            f"{fmt(line.amount_cents):>12}{due}  {line.explanation}  [{line.key}]")


def explain(description, rule, parameter, explanation) -> str:
    """A line's explanation: the transaction's description, the rule, the parameter, the posted text."""
    parts = [p for p in (description, rule) if p]
    if parameter:
        parts.append(f"({parameter})")
    if isinstance(explanation, dict) and explanation.get("text"):
        parts.append(str(explanation["text"]))
    return " ".join(parts)


def statement(session: Session, party_id: int) -> Statement:
    if session.get(Party, party_id) is None:
        raise NotFound("debtor", party_id)
    periods: dict[str, PeriodSummary] = {}
    money: list[Line] = []
    credit = refunds = benefits = 0
    for (booked_on, key, kind, description, account, period, amount, due, rule, parameter,
         explanation) in party_entries(session, party_id):
        amount = int(amount)
        line = Line(booked_on, key, kind, account, period, amount, due, explain(description, rule, parameter,
                                                                                  explanation))
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
