"""Who owes what for a quarter: one set-based SELECT over every affiliation, read into numpy arrays.

An affiliation counts for a quarter when it is (or was) effective — status ``affiliated`` or ``ceased`` — and
its activity overlaps the quarter: contributions are due from the quarter in which the activity starts up to
the quarter in which it ends (legislation.md §1.1, §4.1). The contributor category of the quarter is the
``category_period`` overlapping the quarter with the latest start (the category in force at the end of the
quarter). A person with two affiliations overlapping the same quarter (ceased and started again) counts once,
with the latest one.

Incomes: the reference income of a provisional contribution is the tax income of N-3 *known on 1 January of
year N* (legislation.md §1.1: "the fund uses the income known on 1 January of year N"; a later revision does
not change it); when several assessments are known, the latest ``assessed_on`` wins. An ``estimate`` of year
N (a reduction or increase the affiliate asked for) replaces it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Date, Integer, bindparam, text

from caisse.rules.contributions import CATEGORIES
from caisse.services.calendar import Quarter
from caisse.store.db import engine_for

# Three plain queries joined in numpy by person id: each is one scan (+ a sort for the window), whatever the
# planner's statistics (a single query joining the windowed sub-selects was planned as nested loops by
# PostgreSQL on freshly loaded tables: minutes instead of seconds).
_AFFILIATION_SQL = """
SELECT person_id, id, primostarter, CAST(start_date AS VARCHAR(10)),
       CASE WHEN requested_on <= start_date THEN 1 ELSE 0 END
FROM (
    SELECT a.id, a.person_id, a.primostarter, a.start_date, a.requested_on,
           ROW_NUMBER() OVER (PARTITION BY a.person_id ORDER BY a.start_date DESC, a.id DESC) AS rn
    FROM affiliation a
    WHERE a.status IN ('affiliated', 'ceased') AND a.start_date <= :q_end
      AND (a.end_date IS NULL OR a.end_date >= :q_start)
) latest WHERE rn = 1
ORDER BY person_id
"""

_CATEGORY_SQL = """
SELECT affiliation_id, category, pension_received, reduced_regime_opt_out FROM (
    SELECT cp.affiliation_id, cp.category, cp.pension_received, cp.reduced_regime_opt_out,
           ROW_NUMBER() OVER (PARTITION BY cp.affiliation_id ORDER BY cp.valid_from DESC, cp.id DESC) AS rn
    FROM category_period cp
    WHERE cp.valid_from <= :q_end AND (cp.valid_to IS NULL OR cp.valid_to >= :q_start)
) latest WHERE rn = 1
"""

_LANGUAGE_SQL = "SELECT id, language FROM party WHERE kind = 'person' ORDER BY id"


def _lookup(keys: np.ndarray, found_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``keys``: (index into ``found_keys`` sorted, found?)."""
    order = np.argsort(found_keys, kind="stable")
    sorted_keys = found_keys[order]
    pos = np.searchsorted(sorted_keys, keys)
    inside = pos < len(sorted_keys)
    ok = inside & (sorted_keys[np.minimum(pos, max(len(sorted_keys) - 1, 0))] == keys) if len(sorted_keys) else inside
    return order[np.minimum(pos, max(len(sorted_keys) - 1, 0))], ok


_INCOME_SQL = """
SELECT person_id, amount_cents FROM (
    SELECT pi.person_id, pi.amount_cents,
           ROW_NUMBER() OVER (PARTITION BY pi.person_id ORDER BY pi.assessed_on DESC, pi.id DESC) AS rn
    FROM professional_income pi
    WHERE pi.year = :year AND pi.source = :source AND pi.assessed_on <= :known_on
) latest WHERE rn = 1
"""


def _incomes(conn, year: int, source: str, known_on: dt.date, party: np.ndarray) -> np.ndarray:
    """Income per row of ``party`` (sorted), MISSING where none."""
    stmt = text(_INCOME_SQL).bindparams(bindparam("year", type_=Integer), bindparam("known_on", type_=Date))
    rows = conn.execute(stmt, {"year": year, "source": source, "known_on": known_on}).all()
    out = np.full(len(party), MISSING, np.int64)
    if rows and len(party):
        pid = np.array([r[0] for r in rows], np.int64)
        amount = np.array([int(r[1]) for r in rows], np.int64)
        pos = np.searchsorted(party, pid)
        ok = (pos < len(party)) & (party[np.minimum(pos, len(party) - 1)] == pid)
        out[pos[ok]] = amount[ok]
    return out


NO_CATEGORY = -1
MISSING = -1


@dataclass
class QuarterPopulation:
    quarter: Quarter
    party: np.ndarray  # int64 file numbers (person ids), sorted
    language: list[str]
    category: np.ndarray  # int8 code in CATEGORIES order, NO_CATEGORY when no category covers the quarter
    pension: np.ndarray  # bool: pension received (post_pension); True when unknown
    opt_out: np.ndarray  # bool
    primostarter: np.ndarray  # bool: flagged primostarter AND within the first 4 quarters AND main
    quarters_since_start: np.ndarray  # int: 0 for the quarter of the start
    start_year: np.ndarray  # int
    in_time: np.ndarray  # bool: affiliation requested on or before the start of the activity
    starter: np.ndarray  # bool: started after 1 January N-3 (art. 13bis: no full year N-3 to use)
    reference_income: np.ndarray  # int64 cents of N-3 known on 1 January N, MISSING if none
    estimate: np.ndarray  # int64 cents, MISSING if none

    def __len__(self) -> int:
        return len(self.party)


def load_quarter(url: str, quarter: Quarter) -> QuarterPopulation:
    year = quarter.year
    dates = {"q_start": quarter.first_day, "q_end": quarter.last_day}
    with engine_for(url).connect() as conn:
        affs = conn.execute(text(_AFFILIATION_SQL).bindparams(
            bindparam("q_start", type_=Date), bindparam("q_end", type_=Date)), dates).all()
        cats = conn.execute(text(_CATEGORY_SQL).bindparams(
            bindparam("q_start", type_=Date), bindparam("q_end", type_=Date)), dates).all()
        langs = conn.execute(text(_LANGUAGE_SQL)).all()
        party = np.array([r[0] for r in affs], np.int64)
        # one row per person: language, affiliation, category (joined here, not by the planner)
        cat_at, cat_ok = _lookup(np.array([r[1] for r in affs], np.int64),
                                 np.array([r[0] for r in cats], np.int64))
        lang_at, _ = _lookup(party, np.array([r[0] for r in langs], np.int64))
        rows = []
        for k, r in enumerate(affs):
            c = cats[cat_at[k]] if cat_ok[k] else (None, None, None, None)
            rows.append((r[0], langs[lang_at[k]][1], c[1], c[2], c[3], r[2], r[3], r[4]))
        reference = _incomes(conn, year - 3, "tax", dt.date(year, 1, 1), party)
        estimate = _incomes(conn, year, "estimate", dt.date(9999, 12, 31), party)
    n = len(rows)
    if n == 0:
        empty_i = np.zeros(0, np.int64)
        empty_b = np.zeros(0, bool)
        return QuarterPopulation(quarter, empty_i, [], np.zeros(0, np.int8), empty_b, empty_b, empty_b, empty_i,
                                 empty_i, empty_b, empty_b, empty_i, empty_i)
    cols = list(zip(*rows, strict=True))
    codes = {c: i for i, c in enumerate(CATEGORIES)}
    category = np.array([codes.get(c, NO_CATEGORY) if c is not None else NO_CATEGORY for c in cols[2]], np.int8)
    start = np.array(cols[6], dtype="datetime64[D]")
    months = start.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    start_year = months // 12 + 1970
    start_q = start_year * 4 + (months % 12) // 3
    since = (year * 4 + quarter.number - 1) - start_q
    primo = np.array(cols[5], dtype=bool) & (since < 4) & (category == CATEGORIES.index("main"))
    return QuarterPopulation(
        quarter=quarter,
        party=party,
        language=list(cols[1]),
        category=category,
        pension=np.array([True if v is None else bool(v) for v in cols[3]], bool),
        opt_out=np.array([bool(v) for v in cols[4]], bool),
        primostarter=primo,
        quarters_since_start=since.astype(np.int64),
        start_year=start_year.astype(np.int64),
        in_time=np.array(cols[7], dtype=bool),
        starter=start > np.datetime64(f"{year - 3}-01-01"),
        reference_income=reference,
        estimate=estimate,
    )


def ogm_digits(party: np.ndarray, year: int, kind: int) -> list[str]:
    """The 12 digits of ``caisse.references`` (file number 7 digits, year 2 digits, kind, mod 97), vectorised."""
    base = party.astype(np.int64) * 1000 + (year % 100) * 10 + kind
    check = base % 97
    check[check == 0] = 97
    return [f"{b:010d}{c:02d}" for b, c in zip(base.tolist(), check.tolist(), strict=True)]


def printed(ogm12: str) -> str:
    return f"+++{ogm12[:3]}/{ogm12[3:7]}/{ogm12[7:]}+++"
