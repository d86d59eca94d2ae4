"""A tiny fund for the batch stories: people, companies and incomes written straight into the tables."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools

from sqlalchemy import insert

from caisse.demo.identities import make_kbo, make_niss
from caisse.store.db import session_scope
from caisse.store.models import (
    Address,
    Affiliation,
    BalanceSheet,
    CategoryPeriod,
    Company,
    Party,
    Person,
    ProfessionalIncome,
)

_seq = itertools.count(2)


class Fund:
    def __init__(self, url: str):
        self.url = url
        self.next_id = 1
        self._open = None

    @contextlib.contextmanager
    def together(self):
        """Write the people made inside in one transaction (a fund of thousands made in seconds, not minutes)."""
        with session_scope(self.url) as s:
            self._open = s
            try:
                yield self
            finally:
                self._open = None

    @contextlib.contextmanager
    def _session(self):
        if self._open is not None:
            yield self._open
        else:
            with session_scope(self.url) as s:
                yield s

    def person(self, *, category: str = "main", start: dt.date = dt.date(2015, 1, 1), language: str = "fr",
               incomes: dict[int, str] | None = None, estimate: tuple[int, str] | None = None,
               primostarter: bool = False, requested_on: dt.date | None = None, pension: bool | None = None,
               end: dt.date | None = None) -> int:
        pid = self.next_id
        self.next_id += 1
        niss = make_niss(dt.date(1980, 1, 1) + dt.timedelta(days=pid), 2 * next(_seq) % 996 + 1)
        with self._session() as s:
            s.execute(insert(Party), [{"id": pid, "kind": "person", "language": language}])
            s.execute(insert(Person), [{"id": pid, "niss": niss, "first_name": "Ana", "last_name": f"Test{pid}",
                                        "birth_date": dt.date(1980, 1, 1)}])
            s.execute(insert(Address), [{"party_id": pid, "street": "Rue de la Station", "house_number": "1",
                                         "postal_code": "1000", "city": "Bruxelles", "valid_from": start}])
            s.execute(insert(Affiliation), [{"id": pid, "person_id": pid, "status": "ceased" if end else "affiliated",
                                             "start_date": start, "end_date": end,
                                             "requested_on": requested_on or start - dt.timedelta(days=10),
                                             "primostarter": primostarter}])
            s.execute(insert(CategoryPeriod), [{"affiliation_id": pid, "category": category, "valid_from": start,
                                                "valid_to": end, "pension_received": pension}])
            for year, amount in (incomes or {}).items():
                s.execute(insert(ProfessionalIncome), [{
                    "person_id": pid, "year": year, "amount_cents": int(amount.replace(".", "")), "source": "tax",
                    "assessed_on": dt.date(year + 1, 9, 15)}])
            if estimate:
                s.execute(insert(ProfessionalIncome), [{
                    "person_id": pid, "year": estimate[0], "amount_cents": int(estimate[1].replace(".", "")),
                    "source": "estimate", "assessed_on": dt.date(estimate[0], 1, 2)}])
        self.niss = niss
        return pid

    def niss_of(self, pid: int) -> str:
        from sqlalchemy import select

        with session_scope(self.url) as s:
            return s.scalar(select(Person.niss).where(Person.id == pid))

    def company(self, *, start: dt.date, sheets: dict[int, str] | None = None, language: str = "nl") -> int:
        cid = self.next_id
        self.next_id += 1
        with session_scope(self.url) as s:
            s.execute(insert(Party), [{"id": cid, "kind": "company", "language": language}])
            s.execute(insert(Company), [{"id": cid, "kbo": make_kbo(4_100_000 + cid), "name": f"Test {cid} BV",
                                         "legal_form": "BV", "affiliation_start": start}])
            for fy, total in (sheets or {}).items():
                s.execute(insert(BalanceSheet), [{"company_id": cid, "financial_year": fy,
                                                  "total_cents": int(total.replace(".", ""))}])
        return cid


@contextlib.contextmanager
def called_before_the_reduction():
    """The quarterly calls run inside see the primostarter's art. 12 §1bis reduction as 0: quarters called as
    before the call took it off (the reduced minimum, no reduction line)."""
    from unittest import mock

    from caisse.batches import quarterly_call
    from caisse.rules.params import load

    class Parameters:
        def __getattr__(self, name):
            return getattr(load(), name)

        def year(self, name, *args, **kw):
            value = load().year(name, *args, **kw)
            return dataclasses.replace(value, value=0) if name == quarterly_call.REDUCTION_PARAMETER else value

    with mock.patch.object(quarterly_call, "load_params", Parameters):
        yield
