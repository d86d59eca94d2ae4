"""The simulator's CSV batch: `year,category,income` in (extra columns kept), contributions appended.

Output columns added: ``annual_contribution,quarterly_contribution`` and ``quarterly_total`` when a fee rate is
given; amounts with two decimals. All rows are checked first: any bad row (malformed line, unknown category,
negative income, year without parameters) fails the batch with one message listing every bad row, and nothing is
written. The output is written to a temporary file in the target directory, then renamed.

Two readers give the same answer: a vectorised one over the raw bytes for plain CSV (no quotes), and the stdlib
``csv`` module for anything else (quoted fields) and to name the bad rows.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

from caisse.errors import InvalidInput, UnknownParameter
from caisse.rules.contributions import (
    CATEGORIES,
    MAX_INCOME_CENTS,
    fee_vector,
    parse_fee_rate,
    quarterly_vector,
    quarterly_vector_years,
    year_params,
)
from caisse.rules.params import YEARS

REQUIRED = ("year", "category", "income")


class _Fallback(Exception):
    """The fast reader cannot handle this input (or found a bad row): use the csv-module reader."""


def _ranges(lines: list[int]) -> str:
    out, start, prev = [], None, None
    for n in lines:
        if start is None:
            start = prev = n
        elif n == prev + 1:
            prev = n
        else:
            out.append(f"{start}" if start == prev else f"{start}-{prev}")
            start = prev = n
    if start is not None:
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
    return ", ".join(out)


def _report(errors: list[tuple[int, str, str]]) -> InvalidInput:
    """One line naming every bad row: grouped by problem, line numbers as ranges (line 1 is the header)."""
    groups: dict[tuple[str, str], list[int]] = {}
    for line, fld, msg in errors:
        groups.setdefault((fld, msg), []).append(line)
    parts = [f"line{'s' if len(v) > 1 else ''} {_ranges(v)}: {f}: {m}" for (f, m), v in groups.items()]
    rows = len({e[0] for e in errors})
    return InvalidInput("input", f"{rows} bad row{'s' if rows > 1 else ''}, nothing written — " + "; ".join(parts))


# --- amounts to text, vectorised -------------------------------------------------------------------------------

def _digit_tables():
    """uint32 words of 4 bytes for 0..9999: digits zero-padded, leading zeros as NUL, the same keeping the units;
    and ".DD," / ".DD\\n" for the decimals 0..99. NUL bytes are dropped when the output is assembled."""
    full = np.frombuffer("".join(f"{i:04d}" for i in range(10000)).encode(), np.uint8).reshape(10000, 4)
    lead = full.copy()
    lead[~(np.cumsum(full != 48, axis=1) > 0)] = 0
    keep_units = lead.copy()
    keep_units[:, 3] = full[:, 3]
    dec = np.zeros((2, 100, 4), np.uint8)
    dec[:, :, 0] = 46
    dec[:, :, 1:3] = full[:100, 2:]
    dec[0, :, 3] = 44
    dec[1, :, 3] = 10
    return tuple(np.ascontiguousarray(t).view(np.uint32).reshape(t.shape[:-1]) for t in (full, lead, keep_units, dec))


_TABLES = None


def _new_words(amounts: list[np.ndarray]) -> np.ndarray:
    """',amount' for each amount of every row, then a newline, as uint32 words padded with NUL bytes (n × words)."""
    global _TABLES
    if _TABLES is None:
        _TABLES = _digit_tables()
    full, lead, keep_units, dec_t = _TABLES
    n = len(amounts[0])
    words = np.empty((n, 1 + 3 * len(amounts)), np.uint32)
    words[:, 0] = np.frombuffer(b"\0\0\0,", np.uint32)[0]
    for j, cents in enumerate(amounts):
        if n and (cents.min() < 0 or cents.max() >= 2**31):
            raise ValueError("amount out of range for the CSV writer")
        ip, dec = np.divmod(cents.astype(np.int32), 100)
        hi, lo = np.divmod(ip, 10000)
        words[:, 3 * j + 1] = lead[hi]
        words[:, 3 * j + 2] = np.where(hi > 0, full[lo], keep_units[lo])
        words[:, 3 * j + 3] = dec_t[1 if j == len(amounts) - 1 else 0][dec]
    return words


def _new_fields(amounts: list[np.ndarray]) -> bytes:
    """',amount' for each amount of every row, then a newline: the bytes of every row's new fields, in order."""
    flat = _new_words(amounts).view(np.uint8).ravel()
    return flat[flat != 0].tobytes()


WIDE_LINE = 96   # input lines up to this width are copied with numpy next to their new fields; longer: bytes.join


# --- fast reader ------------------------------------------------------------------------------------------------

def _windows(buf: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """Rows of ``width`` bytes of ``buf`` starting at ``starts`` (a copy)."""
    return np.lib.stride_tricks.sliding_window_view(buf, width)[starts]


CHUNK_BYTES = 1 << 21   # ~60,000 rows: the arrays stay small and their memory is reused from chunk to chunk


def _fast(data: bytes, out, fee: Fraction | None, allow_estimates: bool) -> int:
    """Write the output CSV to ``out`` (a binary file); raise _Fallback for anything unusual or bad."""
    if b'"' in data or b"\0" in data:
        raise _Fallback
    header_end = data.find(b"\n")
    if header_end < 0:
        raise _Fallback
    header = data[:header_end]
    names = [h.strip().decode("utf-8", "replace") for h in header.split(b",")]
    idx = {n: i for i, n in enumerate(names)}
    if any(r not in idx for r in REQUIRED) or len(set(names)) != len(names):
        raise _Fallback
    if not data[header_end + 1:].strip():
        raise _Fallback
    if not data.endswith(b"\n"):
        data += b"\n"
    out.write(header + b",annual_contribution,quarterly_contribution"
              + (b",quarterly_total" if fee is not None else b"") + b"\n")
    bounds, pos = [], header_end + 1
    while pos < len(data):
        end = data.find(b"\n", min(pos + CHUNK_BYTES, len(data) - 1)) + 1
        bounds.append((pos, end))
        pos = end
    k = len(names) - 1

    def work(b):
        return _fast_chunk(data[b[0]:b[1]], k, idx, fee, allow_estimates)

    # numpy releases the GIL in most of the work: two threads use both cores; results are written in order
    if len(bounds) > 1 and (os.cpu_count() or 1) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            for piece in pool.map(work, bounds):
                out.write(piece)
    else:
        for b in bounds:
            out.write(work(b))
    rows = data.count(b"\n", header_end + 1)
    return rows


def _fast_chunk(body: bytes, k: int, idx: dict[str, int], fee: Fraction | None, allow_estimates: bool) -> bytes:
    arr = np.frombuffer(body, np.uint8)
    nl = np.flatnonzero(arr == 10)
    n = len(nl)
    commas = np.flatnonzero(arr == 44)
    if len(commas) != n * k:
        raise _Fallback
    commas = commas.reshape(n, k)
    line_start = np.empty(n, np.int64)
    line_start[0] = 0
    line_start[1:] = nl[:-1] + 1
    if (commas[:, 0] < line_start).any() or (commas[:, -1] > nl).any() or (nl == line_start).any():
        raise _Fallback
    line_len = nl - line_start
    width = int(line_len.max())
    front = 32  # zero bytes before the data so that right-aligned windows never start before it
    buf = np.zeros(front + len(arr) + 32 + width, np.uint8)
    buf[front:front + len(arr)] = arr

    def field(j):
        s = line_start if j == 0 else commas[:, j - 1] + 1
        e = nl if j == k else commas[:, j]
        return s, e

    # year: four digits
    ys, ye = field(idx["year"])
    if ((ye - ys) != 4).any():
        raise _Fallback
    yb = _windows(buf, ys + front, 4).astype(np.int64) - 48
    if ((yb < 0) | (yb > 9)).any():
        raise _Fallback
    years = yb @ np.array([1000, 100, 10, 1], np.int64)

    # category: one of the spelled names
    cs, ce = field(idx["category"])
    cl = ce - cs
    cb = _windows(buf, cs + front, max(len(c) for c in CATEGORIES))
    cat = np.full(n, -1, np.int8)
    for code, name in enumerate(CATEGORIES):
        pat = np.frombuffer(name.encode(), np.uint8)
        sel = np.flatnonzero(cl == len(pat))
        if len(sel):
            ok = (cb[sel, : len(pat)] == pat).all(axis=1)
            cat[sel[ok]] = code
    if (cat < 0).any():
        raise _Fallback

    # income: digits with an optional '.' and at most two decimals; windows right-aligned on the field's end
    is_, ie = field(idx["income"])
    il = ie - is_
    w = int(il.max())
    if il.min() < 1 or w > 17:
        raise _Fallback
    ib = _windows(buf, ie - w + front, w)
    inside = np.arange(w)[None, :] >= (w - il)[:, None]
    isdigit = (ib >= 48) & (ib <= 57) & inside
    isdot = (ib == 46) & inside
    if (inside & ~isdigit & ~isdot).any() or isdot[:, -1].any():
        raise _Fallback
    dots = np.count_nonzero(isdot, axis=1)
    if (dots > 1).any() or not isdigit.any(axis=1).all():
        raise _Fallback
    ndec = np.where(dots == 1, w - 1 - isdot.argmax(axis=1), 0)
    if (ndec > 2).any():
        raise _Fallback
    d = np.where(isdigit, ib - 48, 0).astype(np.uint8)
    whole = d @ (10 ** np.arange(w - 1, -1, -1, dtype=np.int64))
    r1 = d[:, -1].astype(np.int64)
    r2 = d[:, -2] * 10 + r1 if w >= 2 else r1
    value = np.where(ndec == 0, whole, np.where(ndec == 1, (whole - r1) // 10 + r1, (whole - r2) // 10 + r2))
    income = value * np.array([100, 10, 1], np.int64)[ndec]
    if (income > MAX_INCOME_CENTS).any():
        raise _Fallback

    uniq, year_idx = np.unique(years, return_inverse=True)
    yps = []
    for y in uniq.tolist():
        try:
            yps.append(year_params(int(y), allow_estimates))
        except (UnknownParameter, InvalidInput):
            raise _Fallback from None
    annual, quarterly, _ = quarterly_vector_years(income, cat, year_idx, yps)
    amounts = [annual, quarterly] + ([fee_vector(quarterly, fee)] if fee is not None else [])

    # each input line (without its newline) followed by its new fields (ending with a newline)
    if width <= WIDE_LINE:
        # one n × (width + new fields) byte table: the line padded with NUL bytes, the new fields (NUL-padded
        # words); dropping every NUL gives the output (the input holds no NUL: checked in _fast)
        lines = _windows(buf, line_start + front, width)
        lines *= np.arange(width)[None, :] < line_len[:, None]
        table = np.concatenate([lines, _new_words(amounts).view(np.uint8).reshape(n, -1)], axis=1).ravel()
        return table[table != 0].tobytes()
    suffixes = _new_fields(amounts).splitlines(keepends=True)
    pieces = body.split(b"\n")
    pieces.pop()
    out: list[bytes] = [b""] * (2 * n)
    out[0::2] = pieces
    out[1::2] = suffixes
    return b"".join(out)


# --- csv-module reader: any CSV, and the list of bad rows ------------------------------------------------------

def _slow(text: str, fee: Fraction | None, allow_estimates: bool) -> bytes:
    from caisse.money import fmt, to_cents

    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("input", "empty file (expected a header `year,category,income`)") from None
    names = [h.strip() for h in header]
    missing = [r for r in REQUIRED if r not in names]
    if missing:
        raise InvalidInput("input", f"line 1: missing column(s) {', '.join(missing)} (header must name "
                                    "year,category,income)")
    iy, ic, ii = (names.index(r) for r in REQUIRED)
    errors: list[tuple[int, str, str]] = []
    rows, years, cats, incomes, good_lines = [], [], [], [], []
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(names):
            errors.append((line, "row", f"{len(row)} fields, expected {len(names)}"))
            continue
        y, c, i = row[iy].strip(), row[ic].strip(), row[ii].strip()
        bad = False
        if not (len(y) == 4 and y.isdigit()) or not YEARS[0] <= int(y) <= YEARS[1]:
            errors.append((line, "year", f"not a year: {y!r} (expected {YEARS[0]} to {YEARS[1]})"))
            bad = True
        if c not in CATEGORIES:
            errors.append((line, "category", f"unknown category {c!r} (one of: {', '.join(CATEGORIES)})"))
            bad = True
        try:
            cents = to_cents(i, "income")
            if cents < 0:
                errors.append((line, "income", "negative income"))
                bad = True
            elif cents > MAX_INCOME_CENTS:
                errors.append((line, "income", "implausibly large income"))
                bad = True
        except InvalidInput as exc:
            errors.append((line, "income", exc.message))
            bad = True
            cents = 0
        if bad:
            continue
        rows.append(row)
        good_lines.append(line)
        years.append(int(y))
        cats.append(CATEGORIES.index(c))
        incomes.append(cents)
    ya = np.array(years, np.int64)
    params = {}
    for y in sorted(set(years)):
        try:
            params[y] = year_params(y, allow_estimates)
        except UnknownParameter as exc:
            errors.extend((ln, "year", str(exc)) for ln, yy in zip(good_lines, years, strict=True) if yy == y)
    if errors:
        raise _report(sorted(errors))
    inc = np.array(incomes, np.int64)
    cat = np.array(cats, np.int8)
    annual = np.zeros(len(rows), np.int64)
    quarterly = np.zeros(len(rows), np.int64)
    for y, yp in params.items():
        sel = ya == y
        a, q, _ = quarterly_vector(inc[sel], cat[sel], None, yp)
        annual[sel], quarterly[sel] = a, q
    total = fee_vector(quarterly, fee) if fee is not None else None
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header + ["annual_contribution", "quarterly_contribution"] + (["quarterly_total"] if fee else []))
    for j, row in enumerate(rows):
        w.writerow(row + [fmt(int(annual[j])), fmt(int(quarterly[j]))] + ([fmt(int(total[j]))] if fee else []))
    return out.getvalue().encode("utf-8")


def _prepare(data: bytes) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    return data


def write_csv(data: bytes, out, fee_rate: object = None, allow_estimates: bool = False) -> int:
    """Write the output CSV for the input CSV ``data`` to the binary file ``out``.

    Raises InvalidInput listing every bad row; ``out`` may then hold a partial result (run_csv discards it).
    """
    fee = parse_fee_rate(fee_rate)
    data = _prepare(data)
    start = out.tell()
    try:
        return _fast(data, out, fee, allow_estimates)
    except _Fallback:
        out.seek(start)
        out.truncate()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("input", f"not UTF-8 text (byte {exc.start})") from None
    result = _slow(text, fee, allow_estimates)
    out.write(result)
    return result.count(b"\n") - 1


def compute_csv(data: bytes, fee_rate: object = None, allow_estimates: bool = False) -> bytes:
    """The output CSV for an input CSV (bytes in, bytes out). Raises InvalidInput listing every bad row."""
    buf = io.BytesIO()
    write_csv(data, buf, fee_rate, allow_estimates)
    return buf.getvalue()


def run_csv(input_path: str | Path, output_path: str | Path, fee_rate: object = None,
            allow_estimates: bool = False) -> int:
    """Read ``input_path``, write ``output_path`` atomically (temporary file, then rename); returns the rows written.

    On bad input nothing is written: the temporary file is removed and the target is left untouched.
    """
    try:
        data = Path(input_path).read_bytes()
    except OSError as exc:
        raise InvalidInput("input", f"cannot read {input_path}: {exc.strerror}") from None
    target = Path(output_path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w+b") as fh:
            rows = write_csv(data, fh, fee_rate, allow_estimates)
            fh.flush()
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return rows
