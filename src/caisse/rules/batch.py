"""The simulator's CSV batch: `year,category,income` in (extra columns kept), contributions appended.

Output columns added: ``annual_contribution,quarterly_contribution`` and ``quarterly_total`` when a fee rate is
given; amounts with two decimals. All rows are checked first: any bad row (malformed line, unknown category,
negative income, year without parameters) fails the batch with one message listing every bad row, and nothing is
written. The output is written to a temporary file in the target directory, then renamed.

Optional columns, as the single simulation's ``--primostarter`` / ``--start-quarter``: ``primostarter`` (true/false,
1/0; empty: false) — a main activity on the primostarter's reduced minimum — and ``start_quarter`` (1-4; empty: none)
— the quarter the primostarter's activity began, whose contribution the art. 12 §1bis reduction lowers. With a
``start_quarter`` column the output also gets ``reduction,start_quarter_contribution`` (and ``start_quarter_total``
with a fee): what the reduction took off and that quarter's amount (both empty on a row without a start quarter).
A bad value is a bad row like any other, named by its column and refused for the same reasons as the single
simulation (a start quarter without primostarter, a primostarter outside a main activity, a year whose reduction
is not published).

Two readers give the same answer: a vectorised one over the raw bytes for plain CSV (no quotes, no optional
columns), and the stdlib ``csv`` module for anything else (quoted fields, the primostarter columns) and to name the
bad rows.
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
    FIRST_QUARTER_REDUCTION,
    MAX_INCOME_CENTS,
    fee_vector,
    parse_fee_rate,
    quarterly_vector,
    quarterly_vector_years,
    year_params,
)
from caisse.rules.params import YEARS
from caisse.rules.params import load as load_params

REQUIRED = ("year", "category", "income")
PRIMOSTARTER, START_QUARTER = "primostarter", "start_quarter"  # optional (the csv-module reader)
_TRUE, _FALSE = ("true", "1"), ("false", "0", "")


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
    """uint32 words of 4 bytes (NUL bytes are dropped when the output is assembled):

    - ``full[i]``: i = 0..9999 as four digits, zero-padded;
    - ``lead[i]``: the same with the leading zeros as NUL (0 → four NULs): the high part of an amount;
    - ``low[i]``: i = 0..19999: for i < 10000 the low part of an amount without a high part (leading zeros as NUL,
      the units kept: 0 → "\\0\\0\\00"), for i >= 10000 ``full[i - 10000]`` (the low part after a high part);
    - ``dec[last][i]``: ".DD," / ".DD\\n" for the decimals 0..99."""
    full = np.frombuffer("".join(f"{i:04d}" for i in range(10000)).encode(), np.uint8).reshape(10000, 4)
    lead = full.copy()
    lead[~(np.cumsum(full != 48, axis=1) > 0)] = 0
    keep_units = lead.copy()
    keep_units[:, 3] = full[:, 3]
    low = np.concatenate([keep_units, full])
    dec = np.zeros((2, 100, 4), np.uint8)
    dec[:, :, 0] = 46
    dec[:, :, 1:3] = full[:100, 2:]
    dec[0, :, 3] = 44
    dec[1, :, 3] = 10
    return tuple(np.ascontiguousarray(t).view(np.uint32).reshape(t.shape[:-1]) for t in (full, lead, low, dec))


_TABLES = None
COMMA = int(np.frombuffer(b"\0\0\0,", np.uint32)[0])


def _amount_words(amounts: list[np.ndarray]) -> list:
    """The words of ``amount,amount,...,amount\\n`` for every row (no leading comma): a list of uint32 columns
    (each an array, or an int for a constant column). An amount under 10,000.00 takes two words, one under
    100,000,000.00 three."""
    global _TABLES
    if _TABLES is None:
        _TABLES = _digit_tables()
    full, lead, low, dec_t = _TABLES
    cols: list = []
    for j, cents in enumerate(amounts):
        if len(cents) and (cents.min() < 0 or cents.max() >= 2**31):
            raise ValueError("amount out of range for the CSV writer")
        c = cents.astype(np.int32)
        ip = c // 100
        dec = c - ip * 100
        if not len(c) or ip.max() < 10000:
            cols.append(low[ip])
        else:
            hi = ip // 10000
            lo = ip - hi * 10000
            cols.append(lead[hi])
            cols.append(low[lo + 10000 * (hi > 0)])
        cols.append(dec_t[1 if j == len(amounts) - 1 else 0][dec])
    return cols


def _new_fields(amounts: list[np.ndarray]) -> bytes:
    """',amount' for each amount of every row, then a newline: the bytes of every row's new fields, in order."""
    cols = [COMMA] + _amount_words(amounts)
    words = np.empty((len(amounts[0]), len(cols)), np.uint32)
    for j, col in enumerate(cols):
        words[:, j] = col
    flat = words.view(np.uint8).ravel()
    return flat[flat != 0].tobytes()


WIDE_LINE = 96   # input lines up to this width are copied with numpy next to their new fields; longer: bytes.join


# --- fast reader ------------------------------------------------------------------------------------------------

def _windows(buf: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """Rows of ``width`` bytes of ``buf`` starting at ``starts`` (a copy)."""
    return np.lib.stride_tricks.sliding_window_view(buf, width)[starts]


def _unaligned(buf: np.ndarray, dtype: str) -> np.ndarray:
    """``buf`` read as little-endian integers starting at every byte: ``_unaligned(buf, "<u8")[i]`` is the eight
    bytes ``buf[i:i + 8]``, the first the least significant (gathering from it reads one word a row)."""
    size = np.dtype(dtype).itemsize
    return np.ndarray((len(buf) - size + 1,), dtype, buf, 0, (1,))


def _category_tables():
    """Every category has its own length: the length gives the code, then the first and the last eight bytes
    (read as little-endian words, masked to the name's length) check the spelling. None if two lengths agree."""
    if len({len(c) for c in CATEGORIES}) != len(CATEGORIES) or max(len(c) for c in CATEGORIES) > 16:
        return None
    by_length = np.full(17, -1, np.int8)
    first, first_mask, last, last_mask = (np.zeros(len(CATEGORIES), np.uint64) for _ in range(4))
    for code, name in enumerate(CATEGORIES):
        b = name.encode()
        by_length[len(b)] = code
        head, tail = b[:8], b[-8:] if len(b) > 8 else b""
        first[code] = int.from_bytes(head, "little")
        first_mask[code] = (1 << 8 * len(head)) - 1
        last[code] = int.from_bytes(tail, "little")
        last_mask[code] = (1 << 8 * len(tail)) - 1
    return by_length, first, first_mask, last, last_mask


_CATEGORY_TABLES = _category_tables()
_ZEROS = np.uint64(0x3030303030303030)
_HIGH_NIBBLES = np.uint64(0xF0F0F0F0F0F0F0F0)
_SIXES = np.uint64(0x0606060606060606)
# the top j bytes of a little-endian word (the last j bytes of the eight in memory), j = 0..8
_TOP = np.array([((1 << 8 * j) - 1) << 8 * (8 - j) for j in range(9)], np.uint64)


def _eight_digits(word: np.ndarray, digits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The number written by the last ``digits`` (0-8) bytes of each eight-byte word, and whether they are all
    digits: the bytes before are read as '0', then pairs, quads and octets of digits are combined in the word."""
    mask = _TOP[digits]
    x = (word & mask) | (_ZEROS & ~mask)
    ok = ((x & _HIGH_NIBBLES) == _ZEROS) & (((x + _SIXES) & _HIGH_NIBBLES) == _ZEROS)
    x = x - _ZEROS
    x = (x * np.uint64(10) + (x >> np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
    x = (x * np.uint64(100) + (x >> np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    x = (x * np.uint64(10000) + (x >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return x.astype(np.int64), ok


def _income_two_decimals(buf: np.ndarray, is_: np.ndarray, ie: np.ndarray) -> np.ndarray | None:
    """Cents of incomes all written ``digits.DD`` (1 to 16 digits before the point); None for any other layout."""
    il = ie - is_
    if il.min() < 4 or il.max() > 19:
        return None
    w = _unaligned(buf, "<u4")[ie - 3]   # '.', the two decimals, the separator after
    d1 = ((w >> np.uint32(8)) & np.uint32(0xFF)) - np.uint32(48)
    d2 = ((w >> np.uint32(16)) & np.uint32(0xFF)) - np.uint32(48)
    if not (((w & np.uint32(0xFF)) == 46) & (d1 < 10) & (d2 < 10)).all():
        return None
    u64 = _unaligned(buf, "<u8")
    digits = il - 3
    whole, ok = _eight_digits(u64[ie - 11], np.minimum(digits, 8))
    if not ok.all():
        return None
    if digits.max() > 8:
        high, ok = _eight_digits(u64[ie - 19], np.maximum(digits - 8, 0))
        if not ok.all():
            return None
        whole += high * 100_000_000
    return whole * 100 + (d1 * 10 + d2).astype(np.int64)


def _income_any(buf: np.ndarray, is_: np.ndarray, ie: np.ndarray) -> np.ndarray:
    """Cents of incomes written with digits, an optional '.' and at most two decimals; _Fallback otherwise."""
    il = ie - is_
    w = int(il.max())
    if il.min() < 1 or w > 17:
        raise _Fallback
    ib = _windows(buf, ie - w, w)   # right-aligned on the field's end
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
    return value * np.array([100, 10, 1], np.int64)[ndec]


def _years(buf: np.ndarray, ys: np.ndarray, allow_estimates: bool) -> tuple[np.ndarray, list]:
    """(index of each row's year in the list, the years' parameters) for four-digit years; _Fallback otherwise."""
    code = _unaligned(buf, "<u4")[ys]
    digits = [((code >> np.uint32(8 * i)) & np.uint32(0xFF)) - np.uint32(48) for i in range(4)]
    if not ((digits[0] < 10) & (digits[1] < 10) & (digits[2] < 10) & (digits[3] < 10)).all():
        raise _Fallback
    year = (digits[0] * np.uint32(1000) + digits[1] * np.uint32(100) + digits[2] * np.uint32(10) + digits[3])
    lookup = np.zeros(10000, np.intp)
    yps: list = []
    for y in np.flatnonzero(np.bincount(year, minlength=10000)).tolist():
        try:
            yps.append(year_params(y, allow_estimates))
        except (UnknownParameter, InvalidInput):
            raise _Fallback from None
        lookup[y] = len(yps) - 1
    return lookup[year], yps


CHUNK_BYTES = 1 << 21   # ~60,000 rows: the arrays stay small and their memory is reused from chunk to chunk
FRONT = 32   # zero bytes before the data so that right-aligned windows and words never start before it


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
    if any(r not in idx for r in REQUIRED) or len(set(names)) != len(names) or PRIMOSTARTER in idx \
            or START_QUARTER in idx:
        raise _Fallback
    if not data[header_end + 1:header_end + 4097].strip() and not data[header_end + 1:].strip():
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

    rows = 0
    # numpy releases the GIL in most of the work: two threads use both cores; results are written in order
    if len(bounds) > 1 and (os.cpu_count() or 1) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            for piece, n in pool.map(work, bounds):
                out.write(piece)
                rows += n
    else:
        for b in bounds:
            piece, n = work(b)
            out.write(piece)
            rows += n
    return rows


def _separators(arr: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(newlines, commas as an n × k array) of a body of complete lines with k commas each; _Fallback otherwise."""
    low = np.flatnonzero(arr <= 44)   # every ',' and '\n' — and any tab, space, quote ... (then the long way)
    if len(low) % (k + 1) == 0:
        grid = low.reshape(-1, k + 1)
        seen = arr[grid]
        if (seen[:, :k] == 44).all() and (seen[:, k] == 10).all():
            return grid[:, k], grid[:, :k]
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
    return nl, commas


def _fast_chunk(body: bytes, k: int, idx: dict[str, int], fee: Fraction | None, allow_estimates: bool):
    """(the output rows of a body of whole lines — a numpy byte array, or bytes for lines over WIDE_LINE, the
    number of rows)."""
    arr = np.frombuffer(body, np.uint8)
    nl, commas = _separators(arr, k)
    n = len(nl)
    line_start = np.empty(n, np.int64)
    line_start[0] = 0
    line_start[1:] = nl[:-1] + 1
    line_len = nl - line_start
    width = int(line_len.max()) + 1
    buf = np.zeros(FRONT + len(arr) + 32 + width, np.uint8)
    buf[FRONT:FRONT + len(arr)] = arr
    nl = nl + FRONT
    commas = commas + FRONT
    line_start += FRONT

    def field(j):
        return (line_start if j == 0 else commas[:, j - 1] + 1), (nl if j == k else commas[:, j])

    # year: four digits
    ys, ye = field(idx["year"])
    if ((ye - ys) != 4).any():
        raise _Fallback
    year_idx, yps = _years(buf, ys, allow_estimates)

    # category: one of the spelled names
    cs, ce = field(idx["category"])
    cl = ce - cs
    if _CATEGORY_TABLES is not None:
        by_length, first, first_mask, last, last_mask = _CATEGORY_TABLES
        cat = by_length[np.minimum(cl, 16)]
        if (cat < 0).any():
            raise _Fallback
        u64 = _unaligned(buf, "<u8")
        if not (((u64[cs] & first_mask[cat]) == first[cat]) & ((u64[ce - 8] & last_mask[cat]) == last[cat])).all():
            raise _Fallback
    else:
        cb = _windows(buf, cs, max(len(c) for c in CATEGORIES))
        cat = np.full(n, -1, np.int8)
        for code, name in enumerate(CATEGORIES):
            pat = np.frombuffer(name.encode(), np.uint8)
            sel = np.flatnonzero(cl == len(pat))
            if len(sel):
                ok = (cb[sel, : len(pat)] == pat).all(axis=1)
                cat[sel[ok]] = code
        if (cat < 0).any():
            raise _Fallback

    # income: digits with an optional '.' and at most two decimals (the usual "12345.67" read a word at a time)
    is_, ie = field(idx["income"])
    income = _income_two_decimals(buf, is_, ie)
    if income is None:
        income = _income_any(buf, is_, ie)
    if (income > MAX_INCOME_CENTS).any():
        raise _Fallback

    annual, quarterly, _ = quarterly_vector_years(income, cat, year_idx, yps)
    amounts = [annual, quarterly] + ([fee_vector(quarterly, fee)] if fee is not None else [])

    if width > WIDE_LINE:
        suffixes = _new_fields(amounts).splitlines(keepends=True)
        pieces = body.split(b"\n")
        pieces.pop()
        out: list[bytes] = [b""] * (2 * n)
        out[0::2] = pieces
        out[1::2] = suffixes
        return b"".join(out), n
    # one n × (line + new fields) byte table: each line with the comma after it (written over its newline),
    # NUL-padded, then the words of the amounts (NUL-padded); dropping every NUL gives the output (the input
    # holds no NUL: checked in _fast)
    buf[nl] = 44
    cols = _amount_words(amounts)
    lw = (width + 3) // 4          # words of the line part
    table = np.empty((n, lw + len(cols)), np.uint32)
    keep = np.where(np.arange(4 * lw)[None, :] < np.arange(4 * lw + 1)[:, None], 255, 0).astype(np.uint8)
    np.bitwise_and(_windows(buf, line_start, 4 * lw).view(np.uint32), keep.view(np.uint32)[line_len + 1],
                   out=table[:, :lw])   # keep[m]: m bytes kept, then NULs
    for j, col in enumerate(cols):
        table[:, lw + j] = col
    flat = table.view(np.uint8).ravel()
    return flat[flat != 0], n


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
    ip = names.index(PRIMOSTARTER) if PRIMOSTARTER in names else None
    iq = names.index(START_QUARTER) if START_QUARTER in names else None
    errors: list[tuple[int, str, str]] = []
    rows, years, cats, incomes, good_lines = [], [], [], [], []
    primos, starts = [], []  # per good row: primostarter?, the start quarter (0: none)
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
        primo, start, wrong = _primostarter_fields(row, ip, iq, c)
        errors.extend((line, fld, msg) for fld, msg in wrong)
        if bad or wrong:
            continue
        primos.append(primo)
        starts.append(start)
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
    sq = np.array(starts, np.int8)
    reductions = {}  # the art. 12 §1bis reduction of each year a row starts in (cents)
    for y in sorted({yy for yy, k in zip(years, starts, strict=True) if k and yy in params}):
        try:
            reductions[y] = load_params().year(FIRST_QUARTER_REDUCTION, y, allow_estimates=allow_estimates).value
        except UnknownParameter as exc:
            errors.extend((ln, START_QUARTER, str(exc)) for ln, yy, k in zip(good_lines, years, starts, strict=True)
                          if yy == y and k)
    if errors:
        raise _report(sorted(errors))
    inc = np.array(incomes, np.int64)
    cat = np.array(cats, np.int8)
    primo = np.array(primos, bool)
    annual = np.zeros(len(rows), np.int64)
    quarterly = np.zeros(len(rows), np.int64)
    reduction = np.zeros(len(rows), np.int64)
    for y, yp in params.items():
        sel = ya == y
        a, q, _ = quarterly_vector(inc[sel], cat[sel], primo[sel] if primo.any() else None, yp)
        annual[sel], quarterly[sel] = a, q
        reduction[sel & (sq > 0)] = reductions.get(y, 0)
    total = fee_vector(quarterly, fee) if fee is not None else None
    reduced = quarterly - reduction  # the start quarter's contribution (rules.contributions.contribution)
    reduced_total = fee_vector(reduced, fee) if fee is not None else None
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header + ["annual_contribution", "quarterly_contribution"] + (["quarterly_total"] if fee else [])
               + (["reduction", "start_quarter_contribution"] + (["start_quarter_total"] if fee else [])
                  if iq is not None else []))
    for j, row in enumerate(rows):
        extra = []
        if iq is not None:
            extra = ([fmt(int(reduction[j])), fmt(int(reduced[j]))] + ([fmt(int(reduced_total[j]))] if fee else [])
                     if sq[j] else ["", ""] + ([""] if fee else []))
        w.writerow(row + [fmt(int(annual[j])), fmt(int(quarterly[j]))] + ([fmt(int(total[j]))] if fee else [])
                   + extra)
    return out.getvalue().encode("utf-8")


def _primostarter_fields(row: list[str], ip: int | None, iq: int | None,
                         category: str) -> tuple[bool, int, list[tuple[str, str]]]:
    """(primostarter?, start quarter or 0, [(column, why)] of what is wrong) of a row, checked as the single
    simulation checks ``--primostarter`` and ``--start-quarter`` (``rules.contributions.contribution``)."""
    wrong = []
    primo = False
    if ip is not None:
        value = row[ip].strip().lower()
        if value not in _TRUE + _FALSE:
            wrong.append((PRIMOSTARTER, f"not true or false: {row[ip].strip()!r}"))
        primo = value in _TRUE
        if primo and category != "main":
            wrong.append((PRIMOSTARTER, "the primostarter reduction exists only for a main activity"))
    start = 0
    if iq is not None and row[iq].strip():
        value = row[iq].strip()
        if value not in ("1", "2", "3", "4"):
            wrong.append((START_QUARTER, f"a quarter is 1 to 4: {value!r}"))
        elif not primo:
            wrong.append((START_QUARTER, "the first-quarter reduction exists only for a primostarter"))
        else:
            start = int(value)
    return primo, start, wrong


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
