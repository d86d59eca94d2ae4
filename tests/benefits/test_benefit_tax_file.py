"""The benefits the fund paid in a year go out for the tax records once the year is over: per person and benefit,
what was transferred and what was set off against an undue benefit. Birth leave is reported on form 281.18 (the
only form the notes name); for the bridging right, carer and bereavement leave the form is NOT FOUND and the file
says so, as it does for the box codes; the withholding rate is the one the fund recorded and applied, with its source
id, and NOT_FOUND where none was — nothing is invented."""

from __future__ import annotations

import pytest
from helpers import contributions, d, iban, quarters
from test_benefit_undue_and_charter import CASEWORKER, bereavement, granted_carer
from typer.testing import CliRunner

from caisse.benefits import service, undue
from caisse.cli import app
from caisse.collection.credit_transfers import export_credit_transfers
from caisse.exchange.fixed_width import BENEFIT_TAX
from caisse.reporting import outgoing
from caisse.reporting.benefit_files import benefit_tax_export
from caisse.security.authz import Principal
from caisse.store.db import session_scope

DESK = Principal.system("cli:benefits-officer")
runner = CliRunner()


def _read(path):
    lines = path.read_text(encoding="ascii").splitlines(keepends=True)
    assert all(len(line) == BENEFIT_TAX.width + 1 for line in lines)
    parsed = [BENEFIT_TAX.parse(line) for line in lines]
    return parsed[0][1], [v for _c, v in parsed[1:-1]], parsed[-1][1]


def _export(url, as_of: str, path):
    return outgoing.make_file(url, benefit_tax_export(), d(as_of), path, who="test", today=d("2026-01-31"))


def _row(x):
    return (x["year"], x["benefit"], x["form"], x["boxes"], x["paid"], x["set_off"], x["gross"], x["tax_withheld"],
            x["withholding"], x["withholding_source"], x["claims"])


def bea_birth_leave(db_url, fund) -> tuple[int, int]:
    """Bea's application for 10 days of birth leave for her child born on 10 March 2023 (her quarters paid)."""
    bea = fund.person(category="main", start=d("2015-01-01"))
    iban(db_url, bea)
    contributions(db_url, bea, paid=quarters("2022Q3", "2022Q4"))
    with session_scope(db_url) as s:
        cid = service.file_claim(s, DESK, bea, "birth_leave", {
            "birth_date": d("2023-03-10"), "start": d("2023-03-13"), "end": d("2023-03-24"), "days": 10},
            d("2023-03-11")).id
    return bea, cid


def test_birth_leave_paid_in_2023_is_reported_on_form_281_18_once_the_year_is_over(db_url, fund, tmp_path):
    """Bea takes 10 days of birth leave for her child born on 10 March 2023: 10 × 96.60 = 966.00 [S206], paid by
    credit transfer on 28 April 2023."""
    bea, cid = bea_birth_leave(db_url, fund)
    with session_scope(db_url) as s:
        assert service.decide(s, DESK, cid, d("2023-03-20")).amount_cents == 96_600
    export_credit_transfers(db_url, d("2023-04-28"))

    assert _export(db_url, "2023-12-30", tmp_path / "t0.txt").reference is None  # 2023 is not over yet
    result = runner.invoke(app, ["export", "benefit-tax", "--as-of", "2023-12-31", "--output",
                                 str(tmp_path / "t1.txt"), "--db", db_url])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("BENEFITTAX-20231231-0001: 1 records (1 new)")
    header, (line,), trailer = _read(tmp_path / "t1.txt")
    assert (header["format"], header["first_year"], header["last_year"]) == ("CAISSE-BENEFIT-TAX", "2023", "2023")
    assert line["niss"] == fund.niss_of(bea)
    assert _row(line) == ("2023", "birth_leave", "281.18", "NOT_FOUND", 96_600, 0, 96_600, 0, "NOT_FOUND", "", 1)
    assert (trailer["gross"], trailer["tax_withheld"]) == (96_600, 0)
    assert _export(db_url, "2024-06-30", tmp_path / "t2.txt").reference is None  # nothing new: no file


def test_a_benefit_set_off_against_an_undue_one_counts_as_paid_and_says_so(db_url, fund, tmp_path):
    """Bram's carer allowance (2 × 1,638.26) is paid on 24 May 2024; 819.13 of it is claimed back as undue; his
    bereavement benefit of 1,015.00 is then granted, 819.13 of it withheld to settle the undue and 195.87
    transferred. For 2024 the file carries both benefits, the form NOT_FOUND (not in the notes for either)."""
    bram, carer = granted_carer(db_url, fund)
    with session_scope(db_url) as s:
        uid = undue.claim_back(s, DESK, carer, 81_913, "amount", "Half-time in July.", d("2024-08-20")).id
        later = bereavement(s, bram)
    with session_scope(db_url) as s:
        service.decide(s, DESK, later, d("2024-10-02"))
    with session_scope(db_url) as s:
        assert undue.decide_set_off(s, CASEWORKER, later, 81_913, d("2024-10-03")) == {uid: 81_913}
    assert export_credit_transfers(db_url, d("2024-10-10")).count == 1

    first = _export(db_url, "2025-01-31", tmp_path / "t.txt")
    header, lines, trailer = _read(tmp_path / "t.txt")
    assert first.records == 2 and (header["first_year"], header["last_year"]) == ("2024", "2024")
    assert {x["niss"] for x in lines} == {fund.niss_of(bram)}
    assert [_row(x) for x in lines] == [
        ("2024", "bereavement", "NOT_FOUND", "NOT_FOUND", 19_587, 81_913, 101_500, 0, "NOT_FOUND", "", 1),
        ("2024", "carer", "NOT_FOUND", "NOT_FOUND", 327_652, 0, 327_652, 0, "NOT_FOUND", "", 1)]
    assert trailer["gross"] == 429_152


def test_a_benefit_set_off_against_contributions_with_her_agreement_counts_as_paid(db_url, fund, tmp_path):
    """Carla agreed that her carer allowance (1,638.26) pays her contributions due: 800.00 of it settled 2022Q2 on
    20 May 2024 and 838.26 was transferred on 24 May. Her 2024 record carries the whole benefit: 838.26 paid,
    800.00 set off, 1,638.26 gross — not 838.26 as if 800.00 of it had never been paid."""
    from test_benefit_withholding_and_set_off import carer_claim, decide

    from caisse.benefits import setoff

    carla, cid = carer_claim(db_url, fund, unpaid=["2022Q2"])
    with session_scope(db_url) as s:
        setoff.record_consent(s, DESK, cid, d("2024-05-16"), "desk")
    assert decide(db_url, cid)["contribution_set_off"]["set_off_cents"] == 80_000
    assert export_credit_transfers(db_url, d("2024-05-24")).count == 1

    _export(db_url, "2025-01-31", tmp_path / "t.txt")
    _header, [line], trailer = _read(tmp_path / "t.txt")
    assert line["niss"] == fund.niss_of(carla)
    assert _row(line) == ("2024", "carer", "NOT_FOUND", "NOT_FOUND", 83_826, 80_000, 163_826, 0, "NOT_FOUND", "", 1)
    assert trailer["gross"] == 163_826


RATE_FROM_JUNE = ('rates:\n  - {kind: carer, from: 2024-06-01, rate: "0.1111", source: "TEST source", '
                  "source_id: TEST-1, entered_by: test, entered_on: 2024-05-31}\n")


@pytest.fixture
def rate_file(tmp_path, monkeypatch):
    from caisse.config import get_settings

    def record(text):
        path = tmp_path / "withholding.yaml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("CAISSE_WITHHOLDING_FILE", str(path))
        get_settings.cache_clear()
    yield record
    get_settings.cache_clear()


def test_the_tax_withheld_at_a_rate_the_fund_recorded_is_reported_with_that_rate_and_its_source(
        db_url, fund, tmp_path, rate_file):
    """The fund recorded a TEST rate of 11.11 % for carer allowances (source id TEST-1): of Carla's 1,638.26,
    182.01 was withheld and 1,456.25 transferred. Her record says 182.01 withheld, the gross 1,638.26 — not a gross
    of 1,456.25 with nothing withheld — and the rate applied, 0.1111, with its source id."""
    from test_benefit_withholding_and_set_off import carer_claim, decide

    rate_file(RATE_FROM_JUNE.replace("2024-06-01", "2024-01-01"))
    carla, cid = carer_claim(db_url, fund)
    assert decide(db_url, cid)["withholding"]["withheld_cents"] == 18_201
    assert export_credit_transfers(db_url, d("2024-05-24")).count == 1
    _export(db_url, "2025-01-31", tmp_path / "t.txt")
    _header, [line], trailer = _read(tmp_path / "t.txt")
    assert _row(line) == ("2024", "carer", "NOT_FOUND", "NOT_FOUND", 145_625, 0, 163_826, 18_201, "0.1111",
                          "TEST-1", 1)
    assert (trailer["gross"], trailer["tax_withheld"]) == (163_826, 18_201)


def test_payments_before_and_after_a_rate_was_recorded_are_reported_apart(db_url, fund, tmp_path, rate_file):
    """The fund recorded 11.11 % (TEST-1) for carer allowances from 1 June 2024. Carla's June allowance, granted on
    20 May, was paid whole (1,638.26); her July allowance (2024Q2 paid on 30 June), granted on 2 July, was taxed:
    182.01 withheld, 1,456.25 transferred. Her 2024 carer benefit comes in two records: the one without a rate says
    NOT_FOUND, the other the rate and its source — never the rate on the payment it was not applied to."""
    from test_benefit_withholding_and_set_off import carer_claim, decide

    rate_file(RATE_FROM_JUNE)
    carla, june = carer_claim(db_url, fund)
    assert decide(db_url, june)["withholding"]["applied"] is False
    assert export_credit_transfers(db_url, d("2024-05-24")).count == 1
    with session_scope(db_url) as s:
        july = service.file_claim(s, DESK, carla, "carer", {"start": d("2024-07-01"), "months": 1},
                                  d("2024-06-15")).id
    contributions(db_url, carla, paid=["2024Q2"])  # paid on 30 June
    tax = decide(db_url, july, "2024-07-02")["withholding"]
    assert (tax["rate"], tax["source_id"], tax["withheld_cents"]) == ("0.1111", "TEST-1", 18_201)
    assert export_credit_transfers(db_url, d("2024-07-05")).count == 1

    _export(db_url, "2025-01-31", tmp_path / "t.txt")
    _header, lines, trailer = _read(tmp_path / "t.txt")
    assert [_row(x) for x in lines] == [
        ("2024", "carer", "NOT_FOUND", "NOT_FOUND", 163_826, 0, 163_826, 0, "NOT_FOUND", "", 1),
        ("2024", "carer", "NOT_FOUND", "NOT_FOUND", 145_625, 0, 163_826, 18_201, "0.1111", "TEST-1", 1)]
    assert (trailer["gross"], trailer["tax_withheld"]) == (327_652, 18_201)


def test_a_record_sent_in_version_1_is_not_corrected_for_the_columns_version_2_added(db_url, fund, tmp_path):
    """Bea's 2023 birth leave went out in a version-1 file (no rate recorded). Version 2 adds the rate's source
    column; with nothing changed in her payments, the next file sends nothing — no correction for a column added —
    and the version-1 file's date still gives back that very file."""
    import dataclasses

    from caisse.exchange.fixed_width import BENEFIT_TAX_V1

    bea, cid = bea_birth_leave(db_url, fund)
    with session_scope(db_url) as s:
        service.decide(s, DESK, cid, d("2023-03-20"))
    export_credit_transfers(db_url, d("2023-04-28"))
    v1 = dataclasses.replace(benefit_tax_export(), fmt=BENEFIT_TAX_V1)
    old = outgoing.make_file(db_url, v1, d("2024-01-31"), tmp_path / "v1.txt", who="test", today=d("2024-02-01"))
    assert old.records == 1
    [line] = (tmp_path / "v1.txt").read_text(encoding="ascii").splitlines()[1:-1]
    assert len(line) == 135 and line.endswith("NOT_FOUND00001")
    assert _export(db_url, "2025-01-31", tmp_path / "v2.txt").reference is None  # nothing changed: no file
    again = outgoing.make_file(db_url, benefit_tax_export(), d("2024-01-31"), tmp_path / "again.txt", who="test",
                               today=d("2025-02-01"))
    assert (again.reference, again.sha256) == (old.reference, old.sha256)
    assert (tmp_path / "again.txt").read_bytes() == (tmp_path / "v1.txt").read_bytes()
