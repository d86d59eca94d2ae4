"""What a person owes and paid, period by period, and how to pay: the portal's "My account".

Every figure comes from the ledger statement (``caisse.ledger.statement``), i.e. from the entries and the rules
recorded on them. The payment instruction uses the fund's account and a structured communication that
designates the debt (``caisse.references``); the EPC QR code carries the same data for banking apps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from caisse import identifiers, references
from caisse.config import Settings
from caisse.documents.epc_qr import epc_payload, epc_qr_drawing
from caisse.ledger import open_items
from caisse.ledger.statement import Statement, statement
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access


@dataclass
class PaymentInstruction:
    iban: str
    bic: str
    beneficiary: str
    amount_cents: int
    communication: str
    qr_svg: str


@dataclass
class AccountView:
    party_id: int
    statement: Statement
    payment: PaymentInstruction | None
    due_now: int  # open items whose due date has come (or has no due date)
    due_later: int  # called but not yet due (e.g. a regularisation payable next quarter)
    movements: list  # money received, refunded or paid out (the imputations themselves are not shown)
    dispensed: list = field(default_factory=list)  # dispensed quarters and their buy-back (recovery.buyback)
    fund_iban: str = ""


def qr_svg(payload: str, size: float = 150.0) -> str:
    from reportlab.graphics import renderSVG

    svg = renderSVG.drawToString(epc_qr_drawing(payload, size))
    return svg[svg.index("<svg"):]  # without the XML prolog, to inline in HTML


def account_view(session: Session, who: Principal, party_id: int, today: dt.date, settings: Settings) -> AccountView:
    file_access(session, who, "file.read", party_id)
    st = statement(session, party_id)
    later = sum(max(b.balance_cents, 0) for b in open_items(session, party_id)
                if b.due_date is not None and b.due_date > today)
    due = max(st.total_due - later - st.credit, 0)
    payment = None
    if due > 0:
        ref = references.for_statement(party_id, today.year)
        payload = epc_payload(name=settings.fund_name[:70], iban=settings.fund_iban, bic=settings.fund_bic,
                              amount_cents=due, ogm=ref.ogm)
        payment = PaymentInstruction(identifiers.format_iban(settings.fund_iban), settings.fund_bic,
                                     settings.fund_name, due, ref.ogm, qr_svg(payload))
    audit.record(session, who, "read", "account", party_id, party_id=party_id)
    from caisse.ledger.models import BUYBACK
    from caisse.recovery.buyback import quarters_of

    # the buy-back's own items (what a buy-back request costs) are no money movement: the section on the dispensed
    # quarters shows them, with what is left to pay
    movements = [line for line in st.money_lines if line.kind != "imputation" and line.account != BUYBACK]

    return AccountView(party_id, st, payment, due, later, movements, quarters_of(session, party_id, today),
                       identifiers.format_iban(settings.fund_iban))
