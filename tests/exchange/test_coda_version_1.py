"""CODA version 1 (record 0, position 128 = 1): read like its version 2 equivalent, Belgian numbers as IBANs.

The version 1 files are made here by hand from a CODA 2 file our writer wrote (tests/support/coda_v1.py); the
layout and its source are in docs/formats/coda.md, "CODA version 1".
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from caisse.exchange.coda import (
    CodaError,
    Information,
    Movement,
    TransactionCode,
    make_statement,
    parse_coda,
    transfer_movement,
    write_coda,
)
from caisse.identifiers import make_ogm
from support.coda_v1 import bban, put, to_version_1

DAY = dt.date(2026, 3, 20)
FUND = "BE71096123456769"
PAYER = "BE62510007547061"
SUPPLIER = "BE68539007547034"  # check digits hold; bank code 539 is not in python-stdnum's registry
OGM = make_ogm("0000001234").strip("+").replace("/", "")


def _version_2() -> bytes:
    """A statement of the fund's account: a payment with a structured communication, one with free text, a
    payment to a supplier, bank costs without a counterparty (no record 2.3) and an information record."""
    costs = Movement(sequence=4, detail=0, amount_cents=-250, value_date=DAY, entry_date=DAY,
                     transaction_code=TransactionCode.parse("13537000"), communication="FRAIS DE GESTION",
                     information=[Information(sequence=4, detail=1, bank_reference="",
                                              transaction_code=TransactionCode.parse("13537001"),
                                              communication_type="001", communication="BANQUE")])
    st = make_statement(account_iban=FUND, old_balance_cents=1_000_000, old_balance_date=DAY - dt.timedelta(1),
                        new_balance_date=DAY, paper_sequence=12, holder_name="CAISSE ASBL", movements=[
                            transfer_movement(1, 83_240, DAY, ogm=OGM, counterparty_iban=PAYER,
                                              counterparty_name="DUPONT JEAN"),
                            transfer_movement(2, 12_000, DAY, text="cotisation mars", counterparty_iban=PAYER,
                                              counterparty_name="DUPONT JEAN"),
                            transfer_movement(3, -4_500, DAY, text="facture 17", counterparty_iban=SUPPLIER,
                                              counterparty_name="PAPETERIE SA"),
                            costs,
                        ])
    return write_coda([st])


def _lines(data: bytes) -> list[str]:
    return data.decode("cp1252").split("\r\n")[:-1]


def test_the_version_1_file_is_laid_out_as_version_1():
    """The hand-made file itself: what a version 1 reader finds where (1-based positions)."""
    lines = _lines(to_version_1(_version_2(), address="RUE HAUTE 1 1000 BRUXELLES"))
    header, old, *_, new, _trailer = lines
    assert header[127] == "1"
    assert (old[5:17], old[17], old[18:21], old[21:42].strip()) == ("096123456769", " ", "EUR", "")
    assert (new[4:16], new[17:20]) == ("096123456769", "EUR")
    r23 = next(rec for rec in lines if rec.startswith("23"))
    assert (r23[10:22], r23[47:73].strip(), r23[73:125].strip()) == (bban(PAYER), "DUPONT JEAN",
                                                                      "RUE HAUTE 1 1000 BRUXELLES")


def test_a_version_1_statement_reads_like_its_version_2_equivalent():
    v2 = parse_coda(_version_2())
    v1 = parse_coda(to_version_1(_version_2()))
    assert v1.problems == []
    (st1,), (st2,) = v1.statements, v2.statements
    assert (st1.header.version, st2.header.version) == (1, 2)
    # the statement's account is the IBAN, as in version 2
    assert (st1.account_structure, st1.account, st1.iban, st1.currency) == ("2", FUND, FUND, "EUR")
    assert dataclasses.replace(st1, header=st2.header) == st2
    assert v1.movements == v2.movements
    payment, _, supplier, costs = v1.movements
    assert (payment.counterparty_account, payment.counterparty_iban, payment.ogm) == (PAYER, PAYER, OGM)
    assert (supplier.counterparty_account, supplier.counterparty_name, supplier.amount_cents) == (
        SUPPLIER, "PAPETERIE SA", -4_500)
    assert costs.counterparty_account == "" and costs.information[0].name == "BANQUE"


def test_version_1_record_1_has_no_structure_code_and_record_2_3_an_address():
    data = to_version_1(_version_2(), address="RUE HAUTE 1 1000 BRUXELLES")
    for code in (" ", "0", "2"):
        f = parse_coda(put(data, 2, 2, code))
        assert f.problems == [] and f.statements[0].iban == FUND
    mv = parse_coda(data).movements[0]
    assert (mv.counterparty_name, mv.counterparty_address, mv.communication) == (
        "DUPONT JEAN", "RUE HAUTE 1 1000 BRUXELLES", OGM)
    line = next(n for n, rec in enumerate(_lines(data), 1) if rec.startswith("23"))
    assert parse_coda(put(data, line, 24, "EUR")).movements[0].counterparty_currency == "EUR"


def test_a_counterparty_number_that_is_not_a_belgian_account_is_kept_as_written():
    data = to_version_1(_version_2())
    line = next(n for n, rec in enumerate(_lines(data), 1) if rec.startswith("23"))
    for number in ("000000000000", "510007547062"):  # anonymised; check digits that do not hold
        mv = parse_coda(put(data, line, 11, number)).movements[0]
        assert (mv.counterparty_account, mv.counterparty_iban) == (number, None)


@pytest.mark.parametrize("number", [
    "096123456768",  # the check digits do not hold
    "09612345676X",  # not a number
    "000000000000",  # anonymised
    "BE7109612345",  # a version 2 IBAN where version 1 has its number
])
def test_a_version_1_account_that_is_not_a_belgian_number_is_refused(number):
    data = put(to_version_1(_version_2()), 2, 6, number)
    with pytest.raises(CodaError) as info:
        parse_coda(data)
    assert (info.value.line, info.value.record, info.value.field) == (2, "1", "account")
    assert repr(number) in str(info.value)
    # leniently: read as written, never as an IBAN
    f = parse_coda(data, strict=False)
    assert [(p.line, p.record, p.field) for p in f.errors] == [(2, "1", "account")]
    assert (f.statements[0].account, f.statements[0].iban) == (number, None)


def test_a_version_1_account_of_a_bank_code_stdnum_does_not_know_is_read_with_a_warning():
    """As a CODA 2 IBAN would be: the number is well formed, only the registry does not know its bank."""
    data = to_version_1(_version_2())
    n = len(_lines(data)) - 1
    f = parse_coda(put(put(data, 2, 6, bban(SUPPLIER)), n, 5, bban(SUPPLIER)))
    assert [(p.line, p.record, p.field, p.severity) for p in f.problems] == [(2, "1", "account", "warning")]
    assert f.statements[0].account == SUPPLIER


def test_version_1_record_8_is_compared_with_record_1():
    data = to_version_1(_version_2())
    n = len(_lines(data)) - 1
    f = parse_coda(put(data, n, 5, bban(PAYER)))
    assert [(p.line, p.record, p.field, p.severity) for p in f.problems] == [(n, "8", "account", "warning")]


def test_version_1_balances_and_trailer_are_checked_as_in_version_2():
    data = to_version_1(_version_2())
    n = len(_lines(data))
    assert parse_coda(data).statements[0].new_balance_cents == 1_090_490
    with pytest.raises(CodaError) as info:
        parse_coda(put(data, n - 1, 43, f"{1_090_491 * 10:015d}"))  # one cent more than the movements say
    assert (info.value.line, info.value.record, info.value.field) == (n - 1, "8", "new_balance")
    with pytest.raises(CodaError) as info:
        parse_coda(put(data, n, 17, "000099"))
    assert (info.value.line, info.value.record, info.value.field) == (n, "9", "number_of_records")


def test_a_version_1_statement_is_written_again_as_version_2():
    v1 = parse_coda(to_version_1(_version_2()))
    again = parse_coda(write_coda(v1))
    assert again.statements[0].header.version == 2
    assert again.movements == v1.movements and again.statements[0].iban == FUND
