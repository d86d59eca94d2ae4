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
import re
from dataclasses import dataclass
from operator import itemgetter

import numpy as np

from caisse.rules.contributions import CATEGORIES
from caisse.services.calendar import Quarter
from caisse.store.db import engine_for

# Plain scans joined in numpy by person id, whatever the planner's statistics (a single query joining windowed
# sub-selects was planned as nested loops by PostgreSQL on freshly loaded tables: minutes instead of seconds).
# "The latest row per person" is chosen in numpy too (``_latest``: one sort, the same order as
# ``ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ... DESC)`` would use). Read through the driver, every column an
# integer or a short text (flags as 0/1, the category as its code, dates as ISO text), so that a million rows
# become numpy arrays without a Python object per row.
_AFFILIATION_SQL = """
SELECT a.person_id, a.id, CASE WHEN a.primostarter THEN 1 ELSE 0 END, CAST(a.start_date AS VARCHAR(10)),
       CASE WHEN a.requested_on <= a.start_date THEN 1 ELSE 0 END
FROM affiliation a
WHERE a.status IN ('affiliated', 'ceased') AND a.start_date <= :q_end AND (a.end_date IS NULL OR a.end_date >= :q_start)
"""

_CATEGORY_CODE = "CASE cp.category " + " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(CATEGORIES)) \
    + " ELSE -1 END"

_CATEGORY_SQL = f"""
SELECT cp.affiliation_id, CAST(cp.valid_from AS VARCHAR(10)), cp.id, {_CATEGORY_CODE},
       CASE WHEN cp.pension_received IS NULL OR cp.pension_received THEN 1 ELSE 0 END,
       CASE WHEN cp.reduced_regime_opt_out THEN 1 ELSE 0 END
FROM category_period cp
WHERE cp.valid_from <= :q_end AND (cp.valid_to IS NULL OR cp.valid_to >= :q_start)
"""

_LANGUAGE_SQL = "SELECT id, language FROM party WHERE kind = 'person'"

_INCOME_SQL = """
SELECT pi.person_id, CAST(pi.assessed_on AS VARCHAR(10)), pi.id, pi.amount_cents
FROM professional_income pi
WHERE pi.year = :year AND pi.source = :source AND pi.assessed_on <= :known_on
"""


# the quarters dispensed with a benefit, rights kept (caisse.benefits.dispensation)
_DISPENSED_SQL = "SELECT person_id FROM benefit_dispensed_quarter WHERE period = :period"


def _fetch(conn, sql: str, params: dict | None = None) -> list[tuple]:
    """All rows of ``sql`` (``:name`` parameters) as the driver returns them: plain tuples, no Row objects."""
    raw = conn.connection.driver_connection
    params = params or {}
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cur:
            cur.execute(re.sub(r":(\w+)", r"%(\1)s", sql), params)
            return cur.fetchall()
    # SQLite holds dates as ISO text
    return raw.execute(sql, {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}).fetchall()


def _columns(rows: list[tuple], width: int) -> list[list]:
    """The columns of ``rows`` as lists (``zip(*rows)`` would make an iterator per row)."""
    return [list(map(itemgetter(j), rows)) for j in range(width)]


def _day(iso: list[str]) -> np.ndarray:
    return np.array(iso, dtype="datetime64[D]")


def _latest(group: np.ndarray, *order: np.ndarray) -> np.ndarray:
    """Indexes of the row of each ``group`` value with the greatest ``order`` (compared key after key), in the
    order of the groups."""
    idx = np.lexsort((*reversed(order), group))
    g = group[idx]
    last = np.ones(len(g), bool)
    last[:-1] = g[1:] != g[:-1]
    return idx[last]


def _lookup(keys: np.ndarray, found_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``keys``: (index into ``found_keys`` sorted, found?)."""
    order = np.argsort(found_keys, kind="stable")
    sorted_keys = found_keys[order]
    pos = np.searchsorted(sorted_keys, keys)
    inside = pos < len(sorted_keys)
    ok = inside & (sorted_keys[np.minimum(pos, max(len(sorted_keys) - 1, 0))] == keys) if len(sorted_keys) else inside
    return order[np.minimum(pos, max(len(sorted_keys) - 1, 0))], ok


def _incomes(conn, year: int, source: str, known_on: dt.date, party: np.ndarray,
             person: int | None = None) -> np.ndarray:
    """Income per row of ``party`` (sorted), MISSING where none; the latest assessment when there are several."""
    sql, params = _one(_INCOME_SQL, "pi.person_id = :person", person,
                       {"year": year, "source": source, "known_on": known_on})
    rows = _fetch(conn, sql, params)
    out = np.full(len(party), MISSING, np.int64)
    if rows and len(party):
        person, assessed, ids, amounts = _columns(rows, 4)
        pid = np.array(person, np.int64)
        pick = _latest(pid, _day(assessed), np.array(ids, np.int64))
        pid, amount = pid[pick], np.array(amounts, np.int64)[pick]
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
    # bool: the quarter's contributions dispensed with a benefit, rights kept (caisse.benefits.dispensation)
    dispensed: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.party)


def _one(sql: str, condition: str, person: int | None, params: dict) -> tuple[str, dict]:
    """``sql`` restricted to one person's rows (``condition`` on ``:person``) when ``person`` is given."""
    if person is None:
        return sql, params
    return f"{sql.rstrip()} AND {condition}\n", {**params, "person": int(person)}


def load_quarter(url: str | None, quarter: Quarter, *, person: int | None = None,
                 connection=None) -> QuarterPopulation:
    """Everyone who counts for ``quarter``; only ``person`` when given, read through ``connection`` when given
    (a service deciding inside its own transaction: what it wrote but did not commit yet is seen)."""
    if connection is not None:
        return _load(connection, quarter, person)
    with engine_for(url).connect() as conn:
        return _load(conn, quarter, person)


def _load(conn, quarter: Quarter, person: int | None) -> QuarterPopulation:
    year = quarter.year
    dates = {"q_start": quarter.first_day, "q_end": quarter.last_day}
    affs = _fetch(conn, *_one(_AFFILIATION_SQL, "a.person_id = :person", person, dates))
    cats = _fetch(conn, *_one(_CATEGORY_SQL, "cp.affiliation_id IN (SELECT id FROM affiliation WHERE person_id = "
                                             ":person)", person, dates))
    langs = _fetch(conn, *_one(_LANGUAGE_SQL, "id = :person", person, {}))
    a_party, a_id, a_primo, a_start, a_in_time = _columns(affs, 5)
    del affs
    a_party = np.array(a_party, np.int64)
    start = _day(a_start)
    # a person with two affiliations overlapping the quarter: the latest one (start, then id)
    pick = _latest(a_party, start, np.array(a_id, np.int64))
    party, start = a_party[pick], start[pick]
    reference = _incomes(conn, year - 3, "tax", dt.date(year, 1, 1), party, person)
    estimate = _incomes(conn, year, "estimate", dt.date(9999, 12, 31), party, person)
    dispensed = np.isin(party, np.array([r[0] for r in _fetch(conn, _DISPENSED_SQL, {"period": str(quarter)})],
                                        np.int64))
    n = len(party)
    if n == 0:
        empty_i = np.zeros(0, np.int64)
        empty_b = np.zeros(0, bool)
        return QuarterPopulation(quarter, empty_i, [], np.zeros(0, np.int8), empty_b, empty_b, empty_b, empty_i,
                                 empty_i, empty_b, empty_b, empty_i, empty_i)
    aff_id = np.array(a_id, np.int64)[pick]
    primostarter = np.array(a_primo, bool)[pick]
    in_time = np.array(a_in_time, bool)[pick]
    # one row per person: language, affiliation, category (joined here, not by the planner); the category of the
    # quarter is the latest period overlapping it (valid_from, then id)
    c_aff, c_from, c_id, c_code, c_pension, c_opt_out = _columns(cats, 6)
    c_aff = np.array(c_aff, np.int64)
    l_id, l_language = _columns(langs, 2)
    lang_at, _ = _lookup(party, np.array(l_id, np.int64))
    if len(c_aff):
        latest = _latest(c_aff, _day(c_from), np.array(c_id, np.int64))
        cat_at, cat_ok = _lookup(aff_id, c_aff[latest])
        cat_at = latest[cat_at]
        category = np.where(cat_ok, np.array(c_code, np.int64)[cat_at], NO_CATEGORY).astype(np.int8)
        pension = np.where(cat_ok, np.array(c_pension, np.int64)[cat_at], 1).astype(bool)
        opt_out = np.where(cat_ok, np.array(c_opt_out, np.int64)[cat_at], 0).astype(bool)
    else:
        category = np.full(n, NO_CATEGORY, np.int8)
        pension, opt_out = np.ones(n, bool), np.zeros(n, bool)
    months = start.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    start_year = months // 12 + 1970
    start_q = start_year * 4 + (months % 12) // 3
    since = (year * 4 + quarter.number - 1) - start_q
    primo = primostarter & (since < 4) & (category == CATEGORIES.index("main"))
    return QuarterPopulation(
        quarter=quarter,
        party=party,
        language=np.array(l_language, dtype=object)[lang_at].tolist(),
        category=category,
        pension=pension,
        opt_out=opt_out,
        primostarter=primo,
        quarters_since_start=since.astype(np.int64),
        start_year=start_year.astype(np.int64),
        in_time=in_time,
        starter=start > np.datetime64(f"{year - 3}-01-01"),
        reference_income=reference,
        estimate=estimate,
        dispensed=dispensed,
    )


def ogm_digits(party: np.ndarray, year: int, kind: int) -> list[str]:
    """The 12 digits of ``caisse.references`` (file number 7 digits, year 2 digits, kind, mod 97), vectorised."""
    base = party.astype(np.int64) * 1000 + (year % 100) * 10 + kind
    check = base % 97
    check[check == 0] = 97
    return [f"{b:010d}{c:02d}" for b, c in zip(base.tolist(), check.tolist(), strict=True)]


def printed(ogm12: str) -> str:
    return f"+++{ogm12[:3]}/{ogm12[3:7]}/{ogm12[7:]}+++"
