"""CODA parser: real bank files, crafted broken files (line/record/field), writer round trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from caisse.exchange.coda import (
    CodaError,
    CodaWriteError,
    FreeMessage,
    Header,
    Information,
    Movement,
    Statement,
    TransactionCode,
    file_sha256,
    make_statement,
    parse_coda,
    parse_coda_file,
    write_coda,
)
from caisse.exchange.sepa import direct_debit_returns
from caisse.identifiers import make_ogm
from support.samples import CODA, require_coda_samples

require_coda_samples()
DATA = CODA
KBC = DATA / "kbc-2006-single-statement.coda"
EMPTY = DATA / "empty-statement.coda"
OCA = DATA / "received-2012-01-11.coda"


def lines_of(path: Path) -> list[str]:
    return path.read_bytes().decode("cp1252").splitlines()


def put(lines: list[str], line_no: int, position: int, text: str) -> list[str]:
    """Overwrite ``text`` at the 1-based ``position`` of the 1-based ``line_no``."""
    out = list(lines)
    rec = out[line_no - 1]
    out[line_no - 1] = rec[: position - 1] + text + rec[position - 1 + len(text) :]
    return out


def to_bytes(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def expect_error(data: bytes, line: int, record: str, field: str, contains: str = "") -> CodaError:
    with pytest.raises(CodaError) as info:
        parse_coda(data)
    err = info.value
    assert (err.line, err.record, err.field) == (line, record, field), str(err)
    assert contains in str(err)
    assert f"line {line}" in str(err) and field in str(err)
    return err


# ------------------------------------------------------------------------------------------------
# Real files


def test_kbc_statement_reads_strictly():
    f = parse_coda_file(KBC)
    assert [p for p in f.problems if p.severity == "error"] == []
    (st,) = f.statements
    assert st.header.creation_date == dt.date(2006, 12, 6)
    assert st.header.bic == "KREDBEBB"
    assert st.header.version == 2
    assert st.account_structure == "0"
    assert st.account == "435000000080"
    assert st.currency == "EUR"
    assert st.country == "BE"
    assert st.old_balance_cents == 0
    assert st.new_balance_cents == 940_529_699  # 9,405,296.99 (dependencies.md)
    assert st.new_balance_date == dt.date(2006, 12, 7)
    assert st.holder_name == "Testgebruiker21"
    assert len(f.movements) == 111
    # the trailer: 260 records, debit 3 085 871.60, credit 12 491 168.59
    assert st.total_debit_cents == 308_587_160
    assert st.total_credit_cents == 1_249_116_859
    details = [m for m in st.movements if m.is_detail]
    assert details, "the KBC file has globalised amounts with details"
    # counting the details as well would break the balance: they are shown but not added twice
    naive = sum(m.amount_cents for m in st.movements)
    assert naive != st.new_balance_cents - st.old_balance_cents
    first = st.movements[0]
    assert first.amount_cents == -257_825
    assert first.transaction_code == TransactionCode("0", "07", "99", "000")
    assert str(first.transaction_code) == "00799000"
    assert first.bank_reference == "EPIB00048 AWIUBTKAPUO"
    assert first.communication.startswith("BORDEREAU DE DECOMPTE AVANCES")


def test_kbc_structured_and_foreign_counterparty():
    f = parse_coda_file(KBC)
    structured = [m for m in f.movements if m.communication_type == "101"]
    assert structured and all(m.ogm is None or len(m.ogm) == 12 for m in structured)
    lu = next(m for m in f.movements if m.counterparty_account.startswith("LU"))
    assert lu.counterparty_account == "LU037050522702273100"
    assert lu.counterparty_name == "Olgerdin Egill Skallagrims"
    assert lu.amount_cents == 107_500
    assert lu.information[0].communication_type == "001"
    assert lu.information[0].name == "Olgerdin Egill Skallagrims"
    # old Belgian 12-digit account numbers are offered as IBANs for matching
    assert f.statements[0].iban == "BE47435000000080"
    be = next(m for m in f.movements if m.counterparty_account == "191038188256")
    assert be.counterparty_iban == "BE20191038188256"
    assert next(m for m in f.movements if m.counterparty_account == "000000000000").counterparty_iban is None


def test_empty_statement():
    f = parse_coda_file(EMPTY)
    (st,) = f.statements
    assert st.movements == []
    assert st.old_balance_cents == st.new_balance_cents == 0
    assert st.account == "BE00000000000000" and st.iban is None
    assert st.holder_name == "COMPANY NAME NV"
    assert f.errors == []
    assert {p.field for p in f.warnings} == {"application_code", "account"}


def test_oca_statement_does_not_add_up_and_is_refused_strictly():
    err = expect_error(OCA.read_bytes(), 23, "8", "new_balance", "13527.81")
    assert "13646.05" in str(err)


def test_oca_statement_lenient_keeps_everything():
    f = parse_coda_file(OCA, strict=False)
    (st,) = f.statements
    assert st.statement_number == "2012/135"
    assert st.account == "BE46737018594236" and st.iban == "BE46737018594236"
    assert st.header.bic == "KREDBEBB"
    assert st.old_balance_cents == 1_181_270
    assert st.new_balance_cents == 1_364_605
    assert st.holder_name == "NOVIAT NV"
    assert [(p.line, p.record, p.field, p.severity) for p in f.problems] == [
        (23, "8", "account", "warning"),
        (23, "8", "new_balance", "error"),
    ]
    line = next(m for m in st.movements if m.counterparty_iban == "BE61310126985517")
    assert line.ogm == "240283842818"
    assert make_ogm(line.ogm[:10]) == "+++240/2838/42818+++"
    assert line.amount_cents == 304_445
    assert line.counterparty_name == "PARTNER 2"
    assert line.counterparty_bic == "BBRUBEBB"
    assert line.information[0].street == "MOLENSTRAAT 60"
    assert line.information[0].locality == "9340    LEDE"
    first = st.movements[0]
    assert first.communication == "MEDEDELING" and first.communication_type is None
    assert first.counterparty_iban == "BE41063012345610"
    # globalised: 0003 (type 3) with details 0001/0002 (type 8) that add up to it
    group = [m for m in st.movements if m.sequence == 3]
    assert [m.transaction_code.type for m in group] == ["3", "8", "8"]
    assert group[0].amount_cents == sum(m.amount_cents for m in group[1:]) == -47_904
    assert st.total_debit_cents == 139_308 and st.total_credit_cents == 310_819  # = the trailer


def test_sha256_recognises_a_reimport(tmp_path):
    data = KBC.read_bytes()
    copy = tmp_path / "again.coda"
    copy.write_bytes(data)
    assert file_sha256(data) == file_sha256(copy) == parse_coda(data).sha256
    assert file_sha256(data + b" ") != file_sha256(data)


# ------------------------------------------------------------------------------------------------
# Broken files: strict refuses with line, record and field; lenient keeps going


def test_short_line():
    lines = lines_of(KBC)
    lines[4] = lines[4][:100]
    expect_error(to_bytes(lines), 5, "2.1", "record_length", "100 characters")


def test_long_line():
    lines = lines_of(KBC)
    lines[1] += "X"
    expect_error(to_bytes(lines), 2, "1", "record_length", "129")


@pytest.mark.parametrize("code", ["3", "0", " ", "X"])
def test_an_unknown_version_is_refused(code):
    """Versions 2 and 1 are read (tests/exchange/test_coda_version_1.py); any other is refused by name."""
    expect_error(to_bytes(put(lines_of(KBC), 1, 128, code)), 1, "0", "version", f"unknown CODA version {code!r}")


def test_broken_balance():
    lines = lines_of(OCA)
    # make the file consistent first (new balance = 13 527.81), then break it by one cent
    ok = put(put(lines, 23, 42, "0000000013527810"), 23, 5, "BE46737018594236")
    assert parse_coda(to_bytes(ok)).statements[0].new_balance_cents == 1_352_781
    expect_error(to_bytes(put(ok, 23, 42, "0000000013527820")), 23, "8", "new_balance", "13527.82")


def test_bad_trailer_count():
    lines = lines_of(KBC)
    expect_error(to_bytes(put(lines, len(lines), 17, "000259")), len(lines), "9", "number_of_records", "259")


def test_bad_trailer_totals():
    lines = lines_of(KBC)
    n = len(lines)
    expect_error(to_bytes(put(lines, n, 23, "000003085871700")), n, "9", "debit_total", "3085871.70")
    expect_error(to_bytes(put(lines, n, 38, "000012491168690")), n, "9", "credit_total", "12491168.69")


def test_non_numeric_amount():
    lines = lines_of(OCA)
    expect_error(to_bytes(put(lines, 3, 33, "00000000043A000")), 3, "2.1", "amount", "not numeric")


def test_amount_with_a_fraction_of_a_cent():
    lines = lines_of(KBC)
    expect_error(to_bytes(put(lines, 3, 47, "1")), 3, "2.1", "amount", "third decimal")


def test_bad_sign_and_bad_date():
    lines = lines_of(OCA)
    expect_error(to_bytes(put(lines, 3, 32, "7")), 3, "2.1", "amount_sign")
    expect_error(to_bytes(put(lines, 3, 48, "320112")), 3, "2.1", "value_date")
    expect_error(to_bytes(put(lines, 2, 59, "311312")), 2, "1", "old_balance_date")


def test_truncated_file():
    lines = lines_of(KBC)
    expect_error(to_bytes(lines[:-1]), len(lines) - 1, "8", "record", "truncated")
    expect_error(to_bytes(lines[:100]), 100, lines[99][0] + "." + lines[99][1], "record", "truncated")
    # a trailer missing between two envelopes: the next header says so
    two = lines + lines
    expect_error(to_bytes(two[:len(lines) - 1] + two[len(lines):]), len(lines), "0", "record",
                 "before the trailer record 9")


def test_empty_and_garbage():
    expect_error(b"", 1, "?", "record", "empty file")
    expect_error(b"\r\n\r\n", 1, "?", "record", "empty file")
    lines = lines_of(OCA)
    expect_error(to_bytes(lines[1:]), 1, "1", "record", "header record 0")
    expect_error(to_bytes(put(lines, 4, 1, "7")), 4, "?", "record_type", "'7'")
    blank = lines[:5] + [""] + lines[5:]
    expect_error(to_bytes(blank), 6, "?", "record", "empty line")


def test_record_order():
    lines = lines_of(OCA)
    # 2.2 without its 2.1
    expect_error(to_bytes(lines[:2] + lines[3:]), 3, "2.2", "record", "must follow record 2.1")
    # a 2.1 whose sequence goes back
    expect_error(to_bytes(put(lines, 7, 3, "0000")), 7, "2.1", "sequence", "out of order")
    # a 2.2 that belongs to another movement
    expect_error(to_bytes(put(lines, 4, 3, "0009")), 4, "2.2", "sequence", "does not match")
    # a detail number that goes back within a sequence
    expect_error(to_bytes(put(lines, 13, 7, "0000")), 13, "2.1", "detail", "out of order")
    # information for a sequence without movement
    expect_error(to_bytes(put(lines, 6, 3, "0042")), 6, "3.1", "sequence", "no movement")


def test_lenient_collects_and_keeps_everything():
    lines = lines_of(KBC)
    lines = put(lines, 3, 33, "00000000025782X")  # bad amount on line 3
    lines = put(lines, 7, 48, "999999")  # bad value date on line 7
    lines[19] = lines[19][:90]  # short record on line 20
    f = parse_coda(to_bytes(lines), strict=False)
    assert len(f.movements) == 111  # nothing dropped
    where = [(p.line, p.field) for p in f.errors]
    assert (3, "amount") in where and (7, "value_date") in where and (20, "record_length") in where
    # the broken amount reads as 0 and therefore the balance and trailer are reported too
    assert any(p.field == "new_balance" for p in f.errors)
    assert any(p.field == "debit_total" for p in f.errors)
    with pytest.raises(CodaError):
        parse_coda(to_bytes(lines))


def test_nothing_partial_in_strict_mode():
    lines = lines_of(KBC)
    with pytest.raises(CodaError):
        parse_coda(to_bytes(put(lines, len(lines) - 1, 42, "0000000000000001")))


# ------------------------------------------------------------------------------------------------
# Encodings and line endings


def _stmt(movements, **kw) -> Statement:
    return make_statement(
        account_iban="BE71096123456769",
        old_balance_cents=kw.pop("old", 10_000),
        old_balance_date=dt.date(2026, 3, 1),
        new_balance_date=dt.date(2026, 3, 2),
        movements=movements,
        holder_name="CAISSE ASBL",
        bic="GKCCBEBB",
        paper_sequence=kw.pop("paper", 42),
        **kw,
    )


def _mv(seq, cents, **kw) -> Movement:
    return Movement(
        sequence=seq,
        detail=kw.pop("detail", 0),
        amount_cents=cents,
        value_date=dt.date(2026, 3, 2),
        entry_date=dt.date(2026, 3, 2),
        transaction_code=TransactionCode.parse(kw.pop("code", "00150000")),
        **kw,
    )


def test_cp1252_and_utf8_names():
    st = _stmt([_mv(1, 12_345, counterparty_name="Hélène Müller-Geëerd", communication="Cotisation €")])
    cp = write_coda([st])
    assert parse_coda(cp).movements[0].counterparty_name == "Hélène Müller-Geëerd"
    assert parse_coda(cp).movements[0].communication == "Cotisation €"
    latin = write_coda([_stmt([_mv(1, 5, counterparty_name="Lefèvre")])], encoding="latin-1")
    assert parse_coda(latin).movements[0].counterparty_name == "Lefèvre"
    utf = write_coda([st], encoding="utf-8")
    f = parse_coda(utf)
    assert f.encoding == "utf-8" and f.movements[0].counterparty_name == "Hélène Müller-Geëerd"


def test_line_endings_and_eof_mark():
    data = write_coda([_stmt([_mv(1, 100)])])
    assert parse_coda(data.replace(b"\r\n", b"\n")) == parse_coda(data)
    assert parse_coda(data + b"\x1a") == parse_coda(data)
    assert parse_coda(data.rstrip(b"\r\n")) == parse_coda(data)
    assert parse_coda(data.decode("cp1252")) == parse_coda(data)


# ------------------------------------------------------------------------------------------------
# Writer, globalisation, R-transactions


def test_writer_round_trip_with_everything():
    movements = [
        _mv(1, 304_445, communication_type="101", communication="240283842818", counterparty_account="BE61310126985517",
            counterparty_name="PARTNER 2", counterparty_bic="BBRUBEBB",
            information=[Information(1, 1, "REF", TransactionCode.parse("00150001"), "001",
                                     "PARTNER 2".ljust(70) + "MOLENSTRAAT 60".ljust(35) + "9340 LEDE")]),
        _mv(2, -50_000, code="10150000", communication="A" * 60 + "B" * 60 + "C" * 20),
        _mv(2, -20_000, detail=1, code="50150000", communication="detail one"),
        _mv(2, -30_000, detail=2, code="50150000", communication="detail two"),
        _mv(3, 1, bank_reference="X" * 21, customer_reference="E2E-1", purpose="SSBE", category_purpose="SUPP"),
    ]
    st = _stmt(movements, old=-5_000)
    st.free_messages.append(FreeMessage(0, 0, "Bienvenue chez votre banque"))
    data = write_coda([st, _stmt([], paper=43)])
    f = parse_coda(data)
    assert f.statements == [st, _stmt([], paper=43)]
    assert f.problems == []
    assert st.new_balance_cents == -5_000 + 304_445 - 50_000 + 1  # the details are not counted again
    assert f.movements[0].information[0].street == "MOLENSTRAAT 60"
    assert f.movements[1].communication == "A" * 60 + "B" * 60 + "C" * 20
    assert [len(ln) for ln in data.decode("cp1252").splitlines()] == [128] * len(data.splitlines())


def test_writer_refuses_what_does_not_fit():
    with pytest.raises(CodaWriteError, match="communication"):
        write_coda([_stmt([_mv(1, 1, communication="x" * 150)])])
    with pytest.raises(CodaWriteError, match="counterparty_name"):
        write_coda([_stmt([_mv(1, 1, counterparty_name="x" * 36)])])


def sdd(mandate: str, r_type: str, reason: str, paid: str = "0") -> str:
    """Structured communication 127 (Annex III): settlement date, type, scheme, paid/reason, creditor id,
    mandate, communication, R type, R reason."""
    return (
        "020326" + "1" + "1" + paid + "BE11ZZZ0403170701".ljust(35) + mandate.ljust(35)
        + "+++010/8068/17183+++".ljust(62) + r_type + reason
    ).rstrip()


def test_r_transactions_from_the_statement():
    creditor_id = "BE11ZZZ0403170701"
    movements = [
        _mv(1, 150_000, code="00550000", communication_type="127", communication=sdd("MANDATE-0000", "0", "")),
        _mv(2, -12_000, code="00558000", communication_type="127", communication=sdd("MANDATE-0001", "2", "MD06", "3"),
            customer_reference="E2E-77", r_transaction_type="2", r_reason="MD06"),
        _mv(3, -9_000, code="00554000", customer_reference="E2E-78"),
        # a globalised reversal: one total, two details with their own mandates
        _mv(4, -3_000, code="10558000"),
        _mv(4, -1_000, detail=1, code="50558000", communication_type="127",
            communication=sdd("MANDATE-0002", "2", "AC04", "4")),
        _mv(4, -2_000, detail=2, code="50558000", communication_type="127",
            communication=sdd("MANDATE-0003", "1", "AM04", "1")),
    ]
    f = parse_coda(write_coda([_stmt(movements, old=0)]))
    ms = f.movements
    assert ms[0].r_transaction is None  # a paid collection
    r = ms[1].r_transaction
    assert (r.kind, r.reason, r.mandate_reference, r.creditor_id, r.end_to_end_id, r.amount_cents) == (
        "return", "MD06", "MANDATE-0001", creditor_id, "E2E-77", -12_000)
    assert ms[1].sepa_direct_debit.settlement_date == dt.date(2026, 3, 2)
    assert ms[1].sepa_direct_debit.communication == "+++010/8068/17183+++"
    assert ms[2].r_transaction.kind == "refund"
    returns = direct_debit_returns(f)
    assert [(m.sequence, m.detail, r.kind, r.mandate_reference, r.reason) for _, m, r in returns] == [
        (2, 0, "return", "MANDATE-0001", "MD06"),
        (3, 0, "refund", "", ""),
        (4, 1, "return", "MANDATE-0002", "AC04"),
        (4, 2, "reject", "MANDATE-0003", "AM04"),
    ]
    assert sum(r.amount_cents for _, _, r in returns) == -12_000 - 9_000 - 3_000


def test_header_fields_round_trip():
    st = _stmt([_mv(1, 100)])
    st.header = Header(creation_date=dt.date(2026, 3, 2), bank_id="725", duplicate=True, file_reference="FR1",
                       addressee="CAISSE", bic="KREDBEBB", holder_id="00403170701", transaction_reference="T",
                       related_reference="R")
    f = parse_coda(write_coda([st]))
    assert f.statements[0].header == st.header
    assert f.statements[0].header.duplicate


def test_sequence_number_wraps_after_9999():
    f = parse_coda(write_coda([_stmt([_mv(9998, 1), _mv(9999, 2), _mv(0, 3), _mv(1, 4)])]))
    assert [m.sequence for m in f.movements] == [9998, 9999, 0, 1]
    with pytest.raises(CodaError, match="out of order"):
        parse_coda(write_coda([_stmt([_mv(9998, 1), _mv(0, 3)])]))


def test_benchmark_generator_still_works():
    import importlib.util

    path = Path(__file__).parent.parent.parent / "benchmarks" / "coda.py"
    spec = importlib.util.spec_from_file_location("bench_coda", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    f = parse_coda(bench.build(2_000))
    assert len(f.movements) == 2_000 and f.errors == []


def test_demo_helpers():
    from caisse.exchange.coda import direct_debit_return_movement, transfer_movement

    day = dt.date(2026, 4, 2)
    mvs = [
        transfer_movement(1, 81_234, day, ogm="+++010/8068/17183+++", counterparty_iban="BE62 5100 0754 7061",
                          counterparty_name="DUPONT JEAN"),
        transfer_movement(2, 5_000, day, text="cotisation dupont", counterparty_iban="BE62510007547061"),
        transfer_movement(3, -2_500, day, text="remboursement", counterparty_iban="BE62510007547061"),
        direct_debit_return_movement(4, 70_000, day, mandate_reference="CAISSE-MDT-1", creditor_id="BE11ZZZ0403170701",
                                     end_to_end_id="Q2026Q1-000001", reason="AC04"),
    ]
    f = parse_coda(write_coda([_stmt(mvs)]))
    a, b, c, d = f.movements
    assert a.ogm == "010806817183" and a.counterparty_iban == "BE62510007547061" and a.amount_cents == 81_234
    assert b.ogm is None and b.communication == "cotisation dupont"
    assert str(c.transaction_code) == "00101000" and c.amount_cents == -2_500
    r = d.r_transaction
    assert (r.kind, r.reason, r.mandate_reference, r.end_to_end_id, r.amount_cents) == (
        "return", "AC04", "CAISSE-MDT-1", "Q2026Q1-000001", -70_000)
    assert f.statements[0].new_balance_cents == 10_000 + 81_234 + 5_000 - 2_500 - 70_000
