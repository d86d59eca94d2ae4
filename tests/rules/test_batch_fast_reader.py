"""The CSV batch's fast reader (numpy over the raw bytes, words of eight digits, digit tables) on random files:
every row equals the single-affiliate rules, byte for byte the same file as the csv-module reader, and a near-miss
(a category of the right length misspelt, a stray character in an income) is refused like the slow reader does."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caisse.errors import InvalidInput
from caisse.money import fmt
from caisse.rules import batch
from caisse.rules.contributions import CATEGORIES, contribution

YEARS = st.sampled_from([2024, 2025, 2026])
CENTS = st.one_of(st.integers(0, 200_000), st.integers(0, 40_000_000), st.integers(0, 10**12))


@st.composite
def income_text(draw, layout):
    cents = draw(CENTS)
    euros, dec = divmod(cents, 100)
    zeros = "0" * draw(st.integers(0, 2))
    if layout == "two_decimals":
        return f"{zeros}{euros}.{dec:02d}"
    return draw(st.sampled_from([f"{zeros}{euros}", f"{euros}.{dec // 10}", f"{euros}.{dec:02d}"]))


@st.composite
def profiles(draw, layout):
    rows = draw(st.lists(st.tuples(st.integers(0, 10**9), YEARS, st.sampled_from(CATEGORIES),
                                   income_text(layout)), min_size=1, max_size=60))
    return "id,year,category,income\n" + "".join(f"{i},{y},{c},{v}\n" for i, y, c, v in rows)


def fast(data: str, fee) -> bytes:
    out = io.BytesIO()
    batch._fast(data.encode(), out, fee, False)
    return out.getvalue()


@settings(max_examples=120, deadline=None)
@given(data=st.one_of(profiles("two_decimals"), profiles("any")),
       fee=st.sampled_from([None, "0.0305", "0.0405"]), chunk=st.sampled_from([64, 1 << 21]))
def test_the_fast_reader_equals_the_single_affiliate_rules_and_the_csv_module(data, fee, chunk):
    rate = batch.parse_fee_rate(fee)
    saved, batch.CHUNK_BYTES = batch.CHUNK_BYTES, chunk   # 64 bytes: several chunks, on two threads
    try:
        got = fast(data, rate)   # _fast raises _Fallback rather than hand over to the csv module: this is it
    finally:
        batch.CHUNK_BYTES = saved
    assert got == batch._slow(data, rate, False)
    for r in csv.DictReader(io.StringIO(got.decode())):
        single = contribution(int(r["year"]), r["category"], r["income"], fee_rate=fee)
        assert r["annual_contribution"] == fmt(single.annual)
        assert r["quarterly_contribution"] == fmt(single.quarterly)
        if fee:
            assert r["quarterly_total"] == fmt(single.quarterly_total)


@pytest.mark.parametrize("row, field", [
    ("2025,maim,100.00", "category"), ("2025,art38,100.00", "category"), ("2025,complementarx,1.00", "category"),
    ("2025,helping-spouse,1.00", "category"), ("2025,Main,1.00", "category"),
    ("2025,main,1x0.00", "income"), ("2025,main,100.0x", "income"), ("2025,main,10.000", "income"),
    ("2025,main,1:0.00", "income"), ("2025,main,12345678901234.00", "income"), ("2025,main,.", "income"),
    ("2O25,main,100.00", "year"), ("2027,main,100.00", "year"), ("1899,main,1.00", "year"),
])
def test_a_near_miss_is_refused_with_its_line_and_field(row, field):
    data = "year,category,income\n" + "2025,main,80000.00\n" * 3 + row + "\n"
    with pytest.raises(InvalidInput) as info:
        batch.compute_csv(data.encode())
    assert f"line 5: {field}" in str(info.value)


@settings(max_examples=60, deadline=None)
@given(amounts=st.lists(st.lists(st.integers(0, 2**31 - 1), min_size=3, max_size=3), min_size=1, max_size=50))
def test_amounts_are_written_like_fmt(amounts):
    cols = [np.array(c, np.int64) for c in zip(*amounts, strict=True)]
    text = batch._new_fields(cols).decode()
    assert text == "".join("," + ",".join(fmt(a) for a in row) + "\n" for row in amounts)


def read_incomes(texts: list[str]):
    """The fast reader's income parsers on a line per income (white box: contributions above the ceiling are all
    equal, so a misread large income would not show in the output)."""
    body = "".join(f"x,{t}\n" for t in texts).encode()
    buf = np.zeros(batch.FRONT + len(body) + 64, np.uint8)
    buf[batch.FRONT:batch.FRONT + len(body)] = np.frombuffer(body, np.uint8)
    starts, ends, pos = [], [], batch.FRONT
    for t in texts:
        starts.append(pos + 2)
        ends.append(pos + 2 + len(t))
        pos += len(t) + 3
    s, e = np.array(starts), np.array(ends)
    try:
        general = batch._income_any(buf, s, e)
    except batch._Fallback:
        general = None
    return batch._income_two_decimals(buf, s, e), general


@settings(max_examples=150, deadline=None)
@given(cents=st.lists(st.one_of(st.integers(0, 10**4), st.integers(0, 10**12), st.integers(0, 10**18 - 1)),
                      min_size=1, max_size=30), zeros=st.integers(0, 3))
def test_incomes_are_read_to_the_cent(cents, zeros):
    texts = [f"{'0' * zeros}{c // 100}.{c % 100:02d}" for c in cents]
    words, general = read_incomes(texts)
    if max(len(t) for t in texts) > 17:   # the general reader stops at 17 characters, the word reader at 19
        assert general is None
    else:
        assert general.tolist() == cents
    if max(len(t) for t in texts) <= 19:
        assert words is not None and words.tolist() == cents
    else:
        assert words is None
