"""Import of the definitive professional incomes sent by the tax administration: ``caisse import tax-income FILE``.

Layout and rules: docs/formats/tax-income.md. In short: UTF-8 CSV, header
``niss,year,net_professional_income,assessment_date``; every row is checked first and any malformed row refuses
the whole file (each bad row named by line and field, nothing written); a valid row whose NISS is not one of the
fund's people is *parked* (table ``tax_income_parked``, never dropped) and the rest is imported; a file already
imported (same SHA-256) is refused and changes nothing; a row identical to an income already on file is skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select

from caisse.batches.models import TaxIncomeParked
from caisse.errors import Conflict, InvalidInput
from caisse.identifiers import normalize_niss
from caisse.money import fmt
from caisse.store import bulk
from caisse.store.db import engine_for
from caisse.store.models import ExchangeMessage, Person, ProfessionalIncome, utcnow

HEADER = ("niss", "year", "net_professional_income", "assessment_date")
KIND = "tax-income"
AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$")
MAX_ERRORS_SHOWN = 10


@dataclass
class Row:
    line: int
    niss: str
    year: int
    amount_cents: int
    assessed_on: dt.date


@dataclass
class ImportResult:
    message_id: int
    rows: int
    imported: int
    already_on_file: int
    parked: int
    years: dict[int, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        years = ", ".join(f"{y}: {n:,}" for y, n in sorted(self.years.items()))
        return [f"tax incomes imported (import #{self.message_id}): {self.rows:,} rows",
                f"  imported          {self.imported:>10,}   ({years or 'none'})",
                f"  already on file   {self.already_on_file:>10,}   (identical income, skipped)",
                f"  parked            {self.parked:>10,}   (NISS not one of the fund's people: to resolve by staff)"]


def _cents(text: str) -> int:
    units, _, dec = text.partition(".")
    return int(units) * 100 + int((dec + "00")[:2])


def parse(data: bytes, today: dt.date | None = None) -> list[Row]:
    """Every row checked; raises InvalidInput naming line and field of each bad row (header = line 1)."""
    today = today or dt.date.today()
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("file", f"not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(content, newline=""))
    header = next(reader, None)
    if header is None:
        raise InvalidInput("file", "empty file")
    if tuple(h.strip().lower() for h in header) != HEADER:
        raise InvalidInput("line 1", f"header must be {','.join(HEADER)}, got {','.join(header)}")
    rows: list[Row] = []
    errors: list[str] = []
    seen: dict[tuple[str, int], int] = {}
    for line, fields in enumerate(reader, start=2):
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(HEADER):
            errors.append(f"line {line}: {len(fields)} fields, {len(HEADER)} expected")
            continue
        niss_t, year_t, amount_t, date_t = (f.strip() for f in fields)
        bad = []
        try:
            niss = normalize_niss(niss_t)
        except InvalidInput as exc:
            bad.append(f"niss: {exc.message}")
            niss = None
        year = int(year_t) if re.fullmatch(r"\d{4}", year_t) else None
        if year is None or not 2000 <= year <= today.year:
            bad.append(f"year: {year_t!r} is not an income year (2000-{today.year})")
        if not AMOUNT.match(amount_t):
            bad.append(f"net_professional_income: {amount_t!r} is not an amount like 23456.78 (>= 0, '.' decimal, "
                       "no thousands separator; a loss is reported as 0)")
        try:
            assessed = dt.date.fromisoformat(date_t) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_t) else None
        except ValueError:
            assessed = None
        if assessed is None:
            bad.append(f"assessment_date: {date_t!r} is not a date YYYY-MM-DD")
        elif year is not None and assessed.year <= year:
            bad.append(f"assessment_date: {date_t} cannot precede the end of income year {year}")
        elif assessed > today:
            bad.append(f"assessment_date: {date_t} is in the future")
        if bad:
            errors.append(f"line {line}: " + "; ".join(bad))
            continue
        if (niss, year) in seen:
            errors.append(f"line {line}: niss: {niss_t} has a second income for {year} (first on line "
                          f"{seen[(niss, year)]})")
            continue
        seen[(niss, year)] = line
        rows.append(Row(line, niss, year, _cents(amount_t), assessed))
    if errors:
        shown = "; ".join(errors[:MAX_ERRORS_SHOWN])
        more = f" (and {len(errors) - MAX_ERRORS_SHOWN} more)" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise InvalidInput("file", f"{len(errors)} bad row(s), nothing imported: {shown}{more}")
    return rows


def import_file(url: str, path: str | Path, *, actor: str = "import:tax-income", today: dt.date | None = None
                ) -> ImportResult:
    path = Path(path)
    if not path.is_file():
        raise InvalidInput("file", f"{path}: no such file")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    engine = engine_for(url)
    with engine.connect() as conn:
        earlier = conn.execute(select(ExchangeMessage.id, ExchangeMessage.created_at).where(
            ExchangeMessage.direction == "in", ExchangeMessage.kind == KIND,
            ExchangeMessage.sha256 == digest)).first()
    if earlier:
        raise Conflict("file", f"{path.name} was already imported (import #{earlier[0]} on "
                               f"{earlier[1]:%Y-%m-%d %H:%M}, same SHA-256): nothing changed")
    rows = parse(data, today)
    from caisse.security.authz import Principal
    from caisse.services import audit

    with engine.begin() as conn:
        ids: dict[str, int] = {}
        nisses = sorted({r.niss for r in rows})
        for i in range(0, len(nisses), 5000):
            ids.update(conn.execute(select(Person.niss, Person.id).where(Person.niss.in_(nisses[i:i + 5000]))).all())
        known = [r for r in rows if r.niss in ids]
        unknown = [r for r in rows if r.niss not in ids]
        on_file: dict[tuple[int, int, dt.date], int] = {}
        pids = sorted({ids[r.niss] for r in known})
        years = sorted({r.year for r in known})
        for i in range(0, len(pids), 5000):
            q = select(ProfessionalIncome.person_id, ProfessionalIncome.year, ProfessionalIncome.assessed_on,
                       ProfessionalIncome.amount_cents).where(
                ProfessionalIncome.source == "tax", ProfessionalIncome.person_id.in_(pids[i:i + 5000]),
                ProfessionalIncome.year.in_(years))
            for pid, year, assessed, amount in conn.execute(q):
                assessed = assessed if isinstance(assessed, dt.date) else dt.date.fromisoformat(str(assessed))
                on_file[(pid, year, assessed)] = int(amount)
        new, same, clashes = [], 0, []
        for r in known:
            stored = on_file.get((ids[r.niss], r.year, r.assessed_on))
            if stored is None:
                new.append(r)
            elif stored == r.amount_cents:
                same += 1
            else:
                clashes.append(f"line {r.line}: assessment_date: an income {r.year} assessed on "
                               f"{r.assessed_on} is already on file with {fmt(stored)}, not {fmt(r.amount_cents)} "
                               "(a revision comes with a later assessment date)")
        if clashes:
            raise InvalidInput("file", f"{len(clashes)} row(s) contradict incomes on file, nothing imported: "
                                       + "; ".join(clashes[:MAX_ERRORS_SHOWN]))
        now = utcnow()
        summary = {"rows": len(rows), "imported": len(new), "already_on_file": same, "parked": len(unknown)}
        message_id = conn.execute(insert(ExchangeMessage).values(
            direction="in", kind=KIND, created_at=now, path=str(path)[:400], sha256=digest, payload=summary)
        ).inserted_primary_key[0]
        sqlite = engine.dialect.name == "sqlite"

        def d(x):
            return x.isoformat() if sqlite else x

        stamp = now.isoformat(sep=" ") if sqlite else now
        bulk.insert_rows(conn, ProfessionalIncome.__table__,
                         ("person_id", "year", "amount_cents", "source", "assessed_on", "recorded_at"),
                         [(ids[r.niss], r.year, r.amount_cents, "tax", d(r.assessed_on), stamp) for r in new])
        bulk.insert_rows(conn, TaxIncomeParked.__table__,
                         ("exchange_message_id", "line", "niss", "year", "amount_cents", "assessed_on", "reason"),
                         [(message_id, r.line, r.niss, r.year, r.amount_cents, d(r.assessed_on),
                           "NISS unknown to the fund") for r in unknown])
        audit.append(conn, {}, str(Principal.system(actor)), "import", "exchange_message", message_id,
                     detail={"kind": KIND, "sha256": digest, **summary})
    per_year: dict[int, int] = {}
    for r in new:
        per_year[r.year] = per_year.get(r.year, 0) + 1
    return ImportResult(message_id, len(rows), len(new), same, len(unknown), per_year)
