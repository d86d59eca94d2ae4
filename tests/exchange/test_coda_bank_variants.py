"""CODA as some banks (and the tools between a bank and the fund) really write it.

Each case is a minimal file crafted with our writer and then bent the way the cited public report shows a
bank's file to be; no third-party file is copied here. A file that truly breaks the format is still refused
with its line, record and field.
"""

from __future__ import annotations

import codecs
import datetime as dt

import pytest

from caisse.exchange.coda import (
    CodaError,
    Movement,
    TransactionCode,
    make_statement,
    parse_coda,
    write_coda,
)
from caisse.identifiers import make_ogm

DAY = dt.date(2026, 3, 2)


def _mv(seq: int, cents: int, **kw) -> Movement:
    return Movement(
        sequence=seq,
        detail=kw.pop("detail", 0),
        amount_cents=cents,
        value_date=DAY,
        entry_date=kw.pop("entry_date", DAY),
        transaction_code=TransactionCode.parse(kw.pop("code", "00150000")),
        **kw,
    )


def _file(movements=(), *, iban: str = "BE71096123456769", structure_0: str | None = None) -> bytes:
    st = make_statement(account_iban=iban, old_balance_cents=10_000, old_balance_date=DAY - dt.timedelta(days=1),
                        new_balance_date=DAY, movements=list(movements), holder_name="CAISSE ASBL", bic="BPOTBEB1",
                        creation_date=DAY + dt.timedelta(days=1), paper_sequence=7)
    if structure_0:  # an old Belgian 12-digit account number (structure 0)
        st.account_structure, st.account, st.country = "0", structure_0, "BE"
    return write_coda([st])


def _lines(data: bytes) -> list[str]:
    return data.decode("cp1252").split("\r\n")[:-1]


def _put(lines: list[str], line_no: int, position: int, text: str) -> bytes:
    """Overwrite ``text`` at the 1-based ``position`` of the 1-based ``line_no``; the file as bytes."""
    out = list(lines)
    rec = out[line_no - 1]
    out[line_no - 1] = rec[: position - 1] + text + rec[position - 1 + len(text):]
    return ("\r\n".join(out) + "\r\n").encode("cp1252")


def _where(f) -> list[tuple[int, str, str]]:
    return [(p.line, p.record, p.field) for p in f.problems]


# ------------------------------------------------------------------------------------------------
# bpost bank leaves the account structure (record 1, position 2) blank
# (wimverstuyf/php-coda-parser issue #14, "Problem with Bpost CODA files")


def test_a_blank_account_structure_is_read_from_the_account_zone():
    iban = _file([_mv(1, 2_500)], iban="BE72000000001616")
    f = parse_coda(_put(_lines(iban), 2, 2, " "))
    (st,) = f.statements
    assert (st.account_structure, st.account, st.currency, st.iban) == ("2", "BE72000000001616", "EUR",
                                                                       "BE72000000001616")
    assert st.new_balance_cents == 12_500
    assert _where(f) == [(2, "1", "account_structure")] and f.errors == []

    old = _file([_mv(1, 2_500)], structure_0="000000001616")
    st = parse_coda(_put(_lines(old), 2, 2, " ")).statements[0]
    assert (st.account_structure, st.account, st.country, st.iban) == ("0", "000000001616", "BE", "BE72000000001616")

    foreign = _file([_mv(1, 2_500)], iban="NL91ABNA0417164300")
    assert parse_coda(_put(_lines(foreign), 2, 2, " ")).statements[0].account_structure == "3"


def test_an_account_structure_that_is_not_a_code_is_still_refused():
    with pytest.raises(CodaError) as info:
        parse_coda(_put(_lines(_file()), 2, 2, "7"))
    assert (info.value.line, info.value.record, info.value.field) == (2, "1", "account_structure")


# ------------------------------------------------------------------------------------------------
# An empty new balance date (record 8, positions 58-63): the statement is of the day of its last movement
# (luc-demeyer/noviat-apps, l10n_be_coda_advanced/wizard/account_coda_import.py, _coda_record_8)


@pytest.mark.parametrize("empty", ["000000", "      "])
def test_an_empty_new_balance_date_is_the_day_of_the_last_movement(empty):
    data = _file([_mv(1, 2_500, entry_date=DAY - dt.timedelta(days=1)), _mv(2, 100)])
    f = parse_coda(_put(_lines(data), 5, 58, empty))
    (st,) = f.statements
    assert st.new_balance_date == DAY and st.statement_number == "2026/007"
    assert _where(f) == [(5, "8", "new_balance_date")] and f.errors == []
    # without any movement: the day the bank made the file
    f = parse_coda(_put(_lines(_file()), 3, 58, empty))
    assert f.statements[0].new_balance_date == DAY + dt.timedelta(days=1)


def test_a_new_balance_date_that_does_not_exist_is_still_refused():
    with pytest.raises(CodaError) as info:
        parse_coda(_put(_lines(_file([_mv(1, 2_500)])), 4, 58, "310226"))
    assert (info.value.line, info.value.record, info.value.field) == (4, "8", "new_balance_date")


# ------------------------------------------------------------------------------------------------
# An empty old balance date (record 1, positions 59-64), read like an empty new balance date: the statement
# starts on the day of its first movement


def _edit(data: bytes, *edits: tuple[int, int, str]) -> bytes:
    lines = _lines(data)
    for line_no, position, text in edits:
        lines = _lines(_put(lines, line_no, position, text))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def _old_date_warning(f) -> str:
    assert _where(f) == [(2, "1", "old_balance_date")] and f.errors == [], f.problems
    return f.warnings[0].message


@pytest.mark.parametrize("empty", ["000000", "      "])
def test_an_empty_old_balance_date_is_the_day_of_the_first_movement(empty):
    first = DAY - dt.timedelta(days=3)
    f = parse_coda(_edit(_file([_mv(1, 2_500, entry_date=first), _mv(2, 100)]), (2, 59, empty)))
    (st,) = f.statements
    assert (st.old_balance_date, st.new_balance_date, st.old_balance_cents) == (first, DAY, 10_000)
    assert _old_date_warning(f) == f"empty; read as {first:%d/%m/%Y}, the entry date of the statement's first movement"

    # a first movement without an entry date, or no movement at all: the new balance date
    for movements in ([_mv(1, 2_500, entry_date=None), _mv(2, 100, entry_date=first)], []):
        f = parse_coda(_edit(_file(movements), (2, 59, empty)))
        assert f.statements[0].old_balance_date == DAY
        assert _old_date_warning(f).startswith(f"empty; read as {DAY:%d/%m/%Y}, the new balance date")


@pytest.mark.parametrize("empty", ["000000", "      "])
def test_empty_old_and_new_balance_dates_without_movement_are_the_day_the_file_was_made(empty):
    made = DAY + dt.timedelta(days=1)
    f = parse_coda(_edit(_file(), (2, 59, empty), (3, 58, empty)))
    (st,) = f.statements
    assert (st.old_balance_date, st.new_balance_date) == (made, made)
    assert {(p.line, p.field) for p in f.problems} == {(2, "old_balance_date"), (3, "new_balance_date")}
    assert f.errors == []
    # an empty statement without its record 8 (allowed when there is no movement)
    header, old, _, trailer = _lines(_edit(_file(), (2, 59, empty)))
    f = parse_coda(_put([header, old, trailer], 3, 17, "000001"))
    assert f.statements[0].old_balance_date == made
    assert _old_date_warning(f).endswith("the file's creation date (no movement, no new balance date)")


def test_an_old_balance_date_that_does_not_exist_is_still_refused():
    with pytest.raises(CodaError) as info:
        parse_coda(_edit(_file([_mv(1, 2_500)]), (2, 59, "310226")))
    assert (info.value.line, info.value.record, info.value.field) == (2, "1", "old_balance_date")


# ------------------------------------------------------------------------------------------------
# Several statements (1 .. 8 blocks) in one 0 .. 9 envelope, its trailer covering all of them, as in OCA/l10n-belgium
# __unported__/account_statement_coda_import/tests/Coda_iban_v2_3_multi_statements.txt


def _one_envelope(*files: bytes, count: int, debit: int, credit: int) -> list[str]:
    """The statements of one-statement files in one envelope: the first file's header, every 1 .. 8, a trailer."""
    body = [rec for data in files for rec in _lines(data)[1:-1]]
    trailer = "9" + " " * 15 + f"{count:06d}{debit * 10:015d}{credit * 10:015d}" + " " * 75 + "2"
    return [_lines(files[0])[0], *body, trailer]


def test_several_statements_in_one_envelope():
    a = _file([_mv(1, 2_500)])
    b = _file([_mv(1, -700), _mv(2, 300)], iban="BE62510007547061")
    lines = _one_envelope(a, b, count=7, debit=700, credit=2_800)
    f = parse_coda(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    assert f.problems == []
    first, second = f.statements
    assert (first.iban, first.new_balance_cents, len(first.movements)) == ("BE71096123456769", 12_500, 1)
    assert (second.iban, second.new_balance_cents, len(second.movements)) == ("BE62510007547061", 9_600, 2)
    assert first.header is second.header

    # the trailer still counts every record of the envelope and adds up every statement's movements
    with pytest.raises(CodaError) as info:
        parse_coda(_put(lines, 9, 17, "000006"))
    assert (info.value.line, info.value.record, info.value.field) == (9, "9", "number_of_records")
    with pytest.raises(CodaError) as info:
        parse_coda(_put(lines, 9, 38, f"{2_700 * 10:015d}"))
    assert (info.value.line, info.value.record, info.value.field) == (9, "9", "credit_total")
    # a statement whose movements are not closed by a record 8 before the next record 1 is still refused
    with pytest.raises(CodaError) as info:
        parse_coda(("\r\n".join(lines[:3] + lines[4:]) + "\r\n").encode("cp1252"))
    assert (info.value.line, info.value.record, info.value.field) == (4, "1", "record")


# ------------------------------------------------------------------------------------------------
# What the tools between the bank and the fund do to the file: a byte order mark, CR line ends, no line ends


def test_a_utf8_byte_order_mark_is_not_a_record_character():
    data = _file([_mv(1, 2_500, counterparty_name="Hélène Lefèvre")])
    plain = parse_coda(data)
    utf8 = data.decode("cp1252").encode("utf-8")
    for marked in (codecs.BOM_UTF8 + data, codecs.BOM_UTF8 + utf8):
        f = parse_coda(marked)
        assert f == plain and f.movements[0].counterparty_name == "Hélène Lefèvre"
        assert _where(f) == [(1, "0", "encoding")]
    assert parse_coda(codecs.BOM_UTF8 + utf8).encoding == "utf-8"
    assert parse_coda("\ufeff" + data.decode("cp1252")) == plain


def test_cr_line_ends_and_records_without_line_ends():
    data = _file([_mv(1, 2_500), _mv(2, -700)])
    plain = parse_coda(data)
    assert parse_coda(data.replace(b"\r\n", b"\r")) == plain
    assert parse_coda(data.replace(b"\r\n", b"\r") + b"\n") == plain  # CR records, one final LF
    glued = parse_coda(data.replace(b"\r\n", b""))
    assert glued == plain and _where(glued) == [(1, "0", "record")]
    # a single line that is not whole records is not cut up: it is one record that is too long
    with pytest.raises(CodaError) as info:
        parse_coda(data.replace(b"\r\n", b"")[:-1])
    assert (info.value.line, info.value.field) == (1, "record_length")


def test_blanks_after_position_128_are_ignored_but_anything_else_is_refused():
    lines = _lines(_file([_mv(1, 2_500)]))
    padded = [ln + "  " for ln in lines]
    f = parse_coda(("\r\n".join(padded) + "\r\n").encode("cp1252"))
    assert f.statements == parse_coda(_file([_mv(1, 2_500)])).statements
    assert {(p.field, p.severity) for p in f.problems} == {("record_length", "warning")}
    lines[2] += " X"
    with pytest.raises(CodaError) as info:
        parse_coda(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    assert (info.value.line, info.value.record, info.value.field) == (3, "2.1", "record_length")


# ------------------------------------------------------------------------------------------------
# Structured communication 105 (original amount of a transaction) carries the payer's structured
# communication in its positions 46-57 (Annex III); BNP Paribas Fortis reports a transfer from abroad as a net
# amount (type 3) with such a detail (type 8), as in OCA/l10n-belgium
# __unported__/account_statement_coda_import/tests/Coda_iban_v2_3_multi_statements.txt


def _comm_105(gross_cents: int, reference: str) -> str:
    amount = f"{gross_cents * 10:015d}"
    return amount + amount + "000100000000" + "EUR" + reference.ljust(12) + "NL" + amount


def test_the_structured_communication_of_an_original_amount():
    ogm = make_ogm("0123456789").strip("+").replace("/", "")
    total = _mv(1, 100_000, code="30150000", globalisation_code=1, counterparty_account="NL91ABNA0417164300")
    detail = _mv(1, 100_000, detail=1, code="80150100", communication_type="105",
                 communication=_comm_105(100_000, ogm), counterparty_account="NL91ABNA0417164300")
    blank = _mv(2, 5_000, code="80150100", communication_type="105", communication=_comm_105(5_000, ""))
    f = parse_coda(_file([total, detail, blank]))
    t, d, b = f.movements
    assert (d.structured_reference, d.ogm) == (ogm, ogm)
    assert t.ogm is None and (b.structured_reference, b.ogm) == ("", None)
    wrong = _mv(1, 1, communication_type="105", communication=_comm_105(1, ogm[:-1] + "0"))
    assert parse_coda(_file([wrong])).movements[0].ogm is None  # check digits that do not hold
