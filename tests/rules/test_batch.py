"""The CSV batch: same answers as the single-affiliate rules, extra columns kept, all bad rows reported."""

from __future__ import annotations

import csv
import io

import pytest

from caisse.errors import InvalidInput
from caisse.money import fmt
from caisse.rules import batch
from caisse.rules.contributions import contribution

GOOD = (
    "id,year,category,income,note\n"
    "1,2025,main,80000,a\n"
    "2,2025,main,0,b\n"
    "3,2024,complementary,1865.4,c\n"
    "4,2026,student,12000.5,d\n"
    "5,2025,art37,8909.95,e\n"
    "6,2024,post_pension,250000.00,f\n"
    "7,2026,helping_spouse,7,g\n"
)


def rows(out: bytes):
    return list(csv.DictReader(io.StringIO(out.decode())))


@pytest.mark.parametrize("fee", [None, "0.0405"])
def test_each_row_equals_the_single_affiliate_answer(fee):
    out = rows(batch.compute_csv(GOOD.encode(), fee))
    assert [r["note"] for r in out] == list("abcdefg")
    for r in out:
        single = contribution(int(r["year"]), r["category"], r["income"], fee_rate=fee)
        assert r["annual_contribution"] == fmt(single.annual)
        assert r["quarterly_contribution"] == fmt(single.quarterly)
        if fee:
            assert r["quarterly_total"] == fmt(single.quarterly_total)
        else:
            assert "quarterly_total" not in r


def test_the_fast_reader_and_the_csv_module_agree():
    fee = batch.parse_fee_rate("0.0305")
    fast = io.BytesIO()
    batch._fast(GOOD.encode(), fast, fee, False)
    assert fast.getvalue() == batch._slow(GOOD, fee, False)


def test_e10_in_a_batch():
    out = rows(batch.compute_csv(b"year,category,income\n2025,main,80000\n"))
    assert out[0]["annual_contribution"] == "15984.57" and out[0]["quarterly_contribution"] == "3996.14"


def test_quoted_fields_windows_line_ends_and_a_missing_last_newline_are_read():
    data = b'name,year,category,income\r\n"Dupont, Jean",2025,main,80000\r\n"X",2025,main,0'
    out = rows(batch.compute_csv(data))
    assert out[0]["name"] == "Dupont, Jean" and out[0]["quarterly_contribution"] == "3996.14"
    assert out[1]["quarterly_contribution"] == "871.71"


def test_every_bad_row_is_reported_in_one_message():
    data = (b"year,category,income\n"
            b"2025,main,1000\n"
            b"2025,mian,1000\n"
            b"2025,main,-5\n"
            b"2031,main,100\n"
            b"2025,main\n"
            b"20x5,main,1\n")
    with pytest.raises(InvalidInput) as info:
        batch.compute_csv(data)
    msg = str(info.value)
    assert "5 bad rows" in msg
    for expected in ("line 3: category", "line 4: income: negative", "line 5: year", "2031",
                     "line 6: row: 2 fields", "line 7: year"):
        assert expected in msg


def test_a_bad_row_leaves_no_output_file(tmp_path):
    src = tmp_path / "in.csv"
    dst = tmp_path / "out.csv"
    src.write_text("year,category,income\n" + "2025,main,1000\n" * 100 + "2025,main,abc\n")
    with pytest.raises(InvalidInput, match="line 102: income"):
        batch.run_csv(src, dst)
    assert list(tmp_path.iterdir()) == [src]


def test_an_existing_output_is_untouched_when_the_batch_fails(tmp_path):
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    dst.write_text("previous result\n")
    src.write_text("year,category,income\n2027,main,1\n")
    with pytest.raises(InvalidInput, match="2027"):
        batch.run_csv(src, dst)
    assert dst.read_text() == "previous result\n"


def test_missing_columns_are_named():
    with pytest.raises(InvalidInput, match="missing column.*income"):
        batch.compute_csv(b"year,category,revenue\n2025,main,1\n")


def test_a_large_batch_spans_several_chunks(monkeypatch):
    monkeypatch.setattr(batch, "CHUNK_BYTES", 64)
    body = "".join(f"{2024 + i % 3},{['main', 'complementary', 'student'][i % 3]},{i * 997}.{i % 100:02d}\n"
                   for i in range(300))
    out = rows(batch.compute_csv(("year,category,income\n" + body).encode(), "0.0305"))
    assert len(out) == 300
    for r in out[::37]:
        assert r["quarterly_total"] == fmt(contribution(int(r["year"]), r["category"], r["income"],
                                                        fee_rate="0.0305").quarterly_total)


@pytest.mark.parametrize("wide_line", [0, 96])
def test_both_ways_of_assembling_the_output_agree_with_the_csv_module(monkeypatch, wide_line):
    monkeypatch.setattr(batch, "WIDE_LINE", wide_line)   # 0: every line through bytes.join; 96: numpy table
    data = GOOD + "8,2025,main,80000," + "x" * 200 + "\n"   # one line wider than 96 bytes in the same chunk
    fee = batch.parse_fee_rate("0.0405")
    fast = io.BytesIO()
    batch._fast(data.encode(), fast, fee, False)
    assert fast.getvalue() == batch._slow(data, fee, False)
    short = io.BytesIO()
    batch._fast(GOOD.encode(), short, fee, False)
    assert short.getvalue() == batch._slow(GOOD, fee, False)


PRIMO = (
    "id,year,category,income,primostarter,start_quarter\n"
    "1,2024,main,0,true,1\n"       # Cineyconsult / Securex 2024: 446.25 − 115.03 = 331.22 (344.80 at 4.10 %)
    "2,2024,main,30000.00,1,3\n"
    "3,2024,main,0,true,\n"        # a primostarter in a later quarter: the reduced minimum, no reduction
    "4,2025,main,0,false,\n"
    "5,2026,complementary,8000,,\n"
)


@pytest.mark.parametrize("fee", [None, "0.041"])
def test_a_primostarters_start_quarter_equals_the_single_simulation(fee):
    out = rows(batch.compute_csv(PRIMO.encode(), fee))
    fee_columns = (["quarterly_total"] if fee else [], ["start_quarter_total"] if fee else [])
    assert list(out[0])[6:] == ["annual_contribution", "quarterly_contribution", *fee_columns[0], "reduction",
                                "start_quarter_contribution", *fee_columns[1]]
    for r in out:
        primo = r["primostarter"] in ("true", "1")
        start = int(r["start_quarter"]) if r["start_quarter"] else None
        single = contribution(int(r["year"]), r["category"], r["income"], primostarter=primo, start_quarter=start,
                              fee_rate=fee)
        assert (r["annual_contribution"], r["quarterly_contribution"]) == (fmt(single.annual), fmt(single.quarterly))
        if start is None:
            assert (r["reduction"], r["start_quarter_contribution"]) == ("", "")
            continue
        qa = single.quarters[start - 1]
        assert (r["reduction"], r["start_quarter_contribution"]) == (fmt(qa.reduction), fmt(qa.contribution))
        if fee:
            assert r["start_quarter_total"] == fmt(qa.total)
    assert (out[0]["reduction"], out[0]["start_quarter_contribution"]) == ("115.03", "331.22")
    if fee:
        assert out[0]["start_quarter_total"] == "344.80"


def test_a_primostarter_column_alone_gives_the_reduced_minimum_and_no_new_column():
    out = rows(batch.compute_csv(b"year,category,income,primostarter\n2024,main,0,true\n2024,main,0,false\n"))
    assert [r["quarterly_contribution"] for r in out] == ["446.25", "864.15"]
    assert "reduction" not in out[0]


def test_bad_primostarter_and_start_quarter_values_are_named_by_column_and_row():
    data = (b"year,category,income,primostarter,start_quarter\n"
            b"2024,main,0,true,1\n"
            b"2024,main,0,false,2\n"          # a start quarter without primostarter
            b"2024,main,0,true,5\n"           # not a quarter
            b"2024,complementary,0,true,\n"   # a primostarter outside a main activity
            b"2024,main,0,maybe,\n")          # not a boolean
    with pytest.raises(InvalidInput) as info:
        batch.compute_csv(data)
    assert str(info.value) == (
        "input: 4 bad rows, nothing written — "
        "line 3: start_quarter: the first-quarter reduction exists only for a primostarter; "
        "line 4: start_quarter: a quarter is 1 to 4: '5'; "
        "line 5: primostarter: the primostarter reduction exists only for a main activity; "
        "line 6: primostarter: not true or false: 'maybe'")


def test_a_start_quarter_in_a_year_whose_reduction_is_not_published_is_refused(monkeypatch):
    # every year with parameters has its reduction today; one without it names the start quarter's rows only
    from caisse.errors import UnknownParameter
    from caisse.rules.params import load

    class Unpublished:
        def year(self, name, year, **kw):
            if name == "primostarter_first_quarter_reduction" and year == 2025:
                raise UnknownParameter(f"{name} for {year}: not published")
            return load().year(name, year, **kw)

    monkeypatch.setattr(batch, "load_params", Unpublished)
    data = b"year,category,income,primostarter,start_quarter\n2025,main,0,true,2\n2025,main,0,true,\n2024,main,0,1,2\n"
    with pytest.raises(InvalidInput) as info:
        batch.compute_csv(data)
    assert str(info.value).endswith("1 bad row, nothing written — line 2: start_quarter: "
                                    "primostarter_first_quarter_reduction for 2025: not published")
