"""The surcharge waiver asked by the person (renonciation aux majorations / kwijtschelding van verhogingen,
legislation §4.4 [S20][S22][S23][S110]): the portal's form and the fund's proposal once a quarter is paid.

INASTI decides; the fund checks the request and files it (``relief.request_waiver``: the desk's own service, so a
request from the portal is the same structured request — quarters, amounts, ground — in the same
``surcharge_waiver`` case with its charter deadline, suspending the recovery batch while it is open).

1. **the form** (``view``): the surcharges of the file quarter by quarter, from the ledger (each line with the rule
   that charged it: ``ledger.statement``), and per quarter whether the conditions the notes give appear met
   (``relief_rules.waiver_problem``: something left to waive, all the contributions of the quarter paid — the
   surcharges themselves need not be —, no request of it pending), with the requests already made;
2. **the proposal** (``propose``, run daily by ``caisse run waiver-proposals --as-of D``,
   ``batches/waiver_proposals.py``): every quarter whose contributions are fully paid while surcharges charged on it
   could still be waived, and which became so in the window (its principal settled — a payment imputed, a
   dispensation written off — or its surcharge charged between ``since`` and ``as_of``), is told to the person once,
   in their language, with the link to the form: a case of kind ``waiver_proposal`` opened by the fund, its message
   to the person, standing answered and closed (nothing for staff to do), and the e-mail that a message waits. Not
   told: a quarter named in a waiver request (pending or decided), a person with a waiver request open (a free-text
   one too), a quarter told before (the case key ``waiver-proposal/<file>/<quarter>+<quarter>…`` holds the quarters
   told). Set-based: one GROUP BY over the ledger for the whole fund, a few reads for the files found, the cases and
   their messages inserted together (``cases.service.inform_in_bulk``). Nothing in the CODA import itself: payments
   reach the books from the bank import, the reconciliation desk, direct debits and set-offs alike; the daily run
   reads what they left.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from caisse.cases.models import Case
from caisse.config import Settings, get_settings
from caisse.ledger.models import LedgerEntry, LedgerTransaction
from caisse.ledger.statement import Line, statement
from caisse.recovery import relief
from caisse.recovery import relief_rules as rules
from caisse.recovery.models import WAIVER_GROUNDS, ReliefRequest
from caisse.recovery.relief_texts import t
from caisse.rules.explain import fmt_money
from caisse.security.authz import Principal
from caisse.services import audit
from caisse.services.affiliation import file_access
from caisse.services.calendar import Quarter
from caisse.store.db import among
from caisse.store.models import Party
from caisse.texts import Text

QUARTER = re.compile(r"^\d{4}Q[1-4]$")
KIND = "waiver_proposal"
KEY = "waiver-proposal"
SUBJECT = "Surcharge waiver: you may ask it now"  # labels.CASE_SUBJECTS (shown in the reader's language)
MAX_KEY_QUARTERS = 20  # quarters named in one case key (200 characters): more are told in a second message
PRINCIPAL = ("contribution", "management_fee")


# --- 1. the form -------------------------------------------------------------------------------------------------

@dataclass
class WaiverQuarter:
    """One quarter of the file on which surcharges were charged, as the form shows it (cents)."""

    period: str
    waivable: int  # the surcharges charged, net of those already waived: what a waiver may give up
    open_surcharges: int  # of which still to pay (a waiver of paid surcharges comes back as credit)
    open_principal: int  # contributions and management fee still open
    lines: list[Line] = field(default_factory=list)  # the surcharge lines of the ledger, each with its rule
    problem: Text | None = None  # why it cannot be asked today (None: it can)
    requests: list[ReliefRequest] = field(default_factory=list)  # the waiver requests that named it

    @property
    def askable(self) -> bool:
        return self.problem is None


@dataclass
class WaiverView:
    party_id: int
    quarters: list[WaiverQuarter]
    grounds: tuple[str, ...] = WAIVER_GROUNDS

    @property
    def askable(self) -> list[WaiverQuarter]:
        return [q for q in self.quarters if q.askable]

    @property
    def askable_cents(self) -> int:
        return sum(q.waivable for q in self.askable)


def view(session: Session, who: Principal, party_id: int, today: dt.date) -> WaiverView:
    """The form's content for the file (the person's own, their accountant's by mandate, staff's): the read
    audited."""
    file_access(session, who, "file.read", party_id)
    st = statement(session, party_id)
    shown = [p for p in st.periods if QUARTER.match(p.period or "") and any(
        line.account == "surcharge" and line.kind != "imputation" for line in p.lines)]
    facts = relief.quarter_facts(session, party_id, [Quarter.parse(p.period) for p in shown], "surcharge_waiver",
                                 today) if shown else []
    asked = [r for r in relief.requests_of(session, party_id) if r.kind == "surcharge_waiver"]
    out = []
    for p, f in zip(shown, facts, strict=True):
        surcharge = [line for line in p.lines if line.account == "surcharge"]
        out.append(WaiverQuarter(
            period=p.period, waivable=max(f.surcharges, 0),
            open_surcharges=max(sum(x.amount_cents for x in surcharge), 0),
            open_principal=max(f.open_contribution, 0) + max(f.open_management_fee, 0),
            lines=[x for x in surcharge if x.kind != "imputation"], problem=rules.waiver_problem(f),
            requests=[r for r in asked if p.period in r.periods]))
    audit.record(session, who, "read", "surcharge_waiver_form", party_id, party_id=party_id,
                 detail={"quarters": [q.period for q in out]})
    return WaiverView(party_id, out)


# --- 2. the proposal once a quarter is paid ------------------------------------------------------------------------

@dataclass(frozen=True)
class Candidate:
    party_id: int
    period: str
    waivable: int


def candidates(session: Session, as_of: dt.date, since: dt.date) -> list[Candidate]:
    """The quarters, fund-wide, whose contributions and fee are fully paid on ``as_of`` while surcharges charged on
    them (net of waivers) remain, and which became so in ``[since, as_of]``: their principal last settled (imputed
    or written off) or their surcharge last charged in the window. One statement: the surcharges per quarter first,
    then the principal of those quarters only."""
    e, tr = LedgerEntry, LedgerTransaction
    charged = tr.kind.in_(("charge", "regularisation"))
    surcharges = (
        select(e.party_id.label("party_id"), e.period.label("period"),
               func.sum(sql_case((tr.kind != "imputation", e.amount_cents), else_=0)).label("waivable"),
               func.max(sql_case((charged, tr.booked_on), else_=None)).label("charged_on"))
        .join(tr, tr.id == e.transaction_id)
        .where(e.account == "surcharge", e.party_id.is_not(None), e.period.like("%Q%"), tr.booked_on <= as_of)
        .group_by(e.party_id, e.period)
        .having(func.sum(sql_case((tr.kind != "imputation", e.amount_cents), else_=0)) > 0)
        .subquery("s"))
    p, ptr = LedgerEntry.__table__.alias("p"), LedgerTransaction.__table__.alias("ptr")
    settled = ptr.c.kind.in_(("imputation", "write_off"))
    rows = session.execute(
        select(surcharges.c.party_id, surcharges.c.period, surcharges.c.waivable, surcharges.c.charged_on,
               func.max(sql_case((settled, ptr.c.booked_on), else_=None)))
        .select_from(surcharges)
        .join(p, and_(p.c.party_id == surcharges.c.party_id, p.c.period == surcharges.c.period,
                      p.c.account.in_(PRINCIPAL)))
        .join(ptr, ptr.c.id == p.c.transaction_id)
        .where(ptr.c.booked_on <= as_of)
        .group_by(surcharges.c.party_id, surcharges.c.period, surcharges.c.waivable, surcharges.c.charged_on)
        .having(and_(func.sum(p.c.amount_cents) <= 0,
                     func.sum(sql_case((ptr.c.kind.in_(("charge", "regularisation")), p.c.amount_cents),
                                       else_=0)) > 0))).all()
    out = []
    for party, period, waivable, charged_on, settled_on in rows:
        days = [_date(d) for d in (charged_on, settled_on) if d is not None]
        if QUARTER.match(period or "") and days and since <= max(days) <= as_of:
            out.append(Candidate(int(party), period, int(waivable)))
    return sorted(out, key=lambda c: (c.party_id, c.period))


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def told(session: Session, parties: list[int]) -> set[tuple[int, str]]:
    """(file, quarter) already told, read from the keys of the proposals' cases."""
    dialect = session.get_bind().dialect.name
    out = set()
    for i in range(0, len(parties), 20_000):
        for key in session.scalars(select(Case.key).where(among(Case.party_id, parties[i:i + 20_000], dialect),
                                                          Case.kind == KIND, Case.key.is_not(None))):
            _prefix, party, periods = key.split("/", 2)
            out |= {(int(party), q) for q in periods.split("+")}
    return out


def message(lang: str, party_id: int, quarters: list[Candidate], settings: Settings) -> str:
    """The proposal in the person's language: the quarters and their surcharges, who decides and on which grounds,
    the link to the form."""
    ticked = "&".join(f"quarter={c.period}" for c in quarters)  # the form ticks the quarters told
    url = f"{settings.portal_url.rstrip('/')}/my/files/{party_id}/waiver?{ticked}"
    lines = [t("proposal_intro", lang)]
    lines += [f"- {t('proposal_quarter', lang, period=c.period, amount=fmt_money(c.waivable, lang))}"
              for c in quarters]
    lines += [t("proposal_who", lang), t("proposal_link", lang, url=url), t("proposal_once", lang)]
    return "\n".join(lines)


def propose(session: Session, as_of: dt.date, since: dt.date, *, settings: Settings | None = None,
            actor: str = "batch:waiver-proposals") -> dict[str, int]:
    """Tell once each person whose quarters became waivable in ``[since, as_of]`` (module docstring). Returns the
    counts: quarters found, told now, left out (asked or told before, a request open) and people told."""
    from caisse.cases import service as cases

    settings = settings or get_settings()
    found = candidates(session, as_of, since)
    counts = {"quarters found": len(found), "quarters told": 0, "already asked": 0, "already told": 0,
              "request open": 0, "people told": 0}
    if not found:
        return counts
    parties = sorted({c.party_id for c in found})
    dialect = session.get_bind().dialect.name
    asked, open_request = set(), set()
    for i in range(0, len(parties), 20_000):
        chunk = parties[i:i + 20_000]
        for party, periods in session.execute(select(ReliefRequest.party_id, ReliefRequest.periods).where(
                among(ReliefRequest.party_id, chunk, dialect), ReliefRequest.kind == "surcharge_waiver")):
            asked |= {(int(party), q) for q in periods or []}
        open_request |= set(session.scalars(select(Case.party_id).where(
            among(Case.party_id, chunk, dialect), Case.kind == "surcharge_waiver", Case.status != "closed")))
    before = told(session, parties)
    todo: dict[int, list[Candidate]] = {}
    for c in found:
        if (c.party_id, c.period) in asked:
            counts["already asked"] += 1
        elif (c.party_id, c.period) in before:
            counts["already told"] += 1
        elif c.party_id in open_request:
            counts["request open"] += 1
        else:
            todo.setdefault(c.party_id, []).append(c)
    languages = {}
    for i in range(0, len(parties), 20_000):
        languages.update(session.execute(select(Party.id, Party.language).where(
            among(Party.id, [p for p in parties[i:i + 20_000] if p in todo], dialect))).all())
    items = []
    for party, quarters in todo.items():
        lang = languages.get(party) if languages.get(party) in ("fr", "nl", "de") else "fr"
        for k in range(0, len(quarters), MAX_KEY_QUARTERS):
            part = quarters[k:k + MAX_KEY_QUARTERS]
            names = [c.period for c in part]
            items.append({"key": f"{KEY}/{party}/{'+'.join(names)}", "kind": KIND, "party_id": party,
                          "subject": SUBJECT, "text": message(lang, party, part, settings),
                          "note": f"Surcharge waiver proposed to the person ({lang}) for {', '.join(names)}: "
                                  f"contributions paid, surcharges {', '.join(str(c.waivable) for c in part)} "
                                  f"cents could be waived (INASTI decides on a request)"})
    told_now = cases.inform_in_bulk(session, items, as_of, actor)
    counts["quarters told"] = sum(len(i["key"].split("/", 2)[2].split("+")) for i in told_now)
    counts["people told"] = len({i["party_id"] for i in told_now})
    return counts


__all__ = ["KIND", "Candidate", "WaiverQuarter", "WaiverView", "candidates", "message", "propose", "told", "view"]
