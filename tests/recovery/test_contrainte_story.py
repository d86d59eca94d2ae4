"""The contrainte as the law has it (addendum §6.1): the debtor's month after the formal notice runs from the day
the registered letter was presented (art. 46); a contestation received within it rules the contrainte out (only the
summons); the contrainte issued goes to a bailiff to be served, the month of opposition runs from the service date
the bailiff reports, execution only the day after, and an opposition sends the file to court. The letters never
say the month of opposition is over before the contrainte is even served."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_bailiff_and_trustee import CLERK, STATUS_HEADER, d, partners, stage  # noqa: F401 - fixture ``partners``

from caisse.batches import quarterly_call
from caisse.batches import recovery as batch
from caisse.documents.notices import T
from caisse.documents.recovery_letters import step_document
from caisse.documents.recovery_partners import TEXTS as PARTNER_TEXTS
from caisse.errors import InvalidInput
from caisse.recovery import service
from caisse.recovery.models import RecoveryStep
from caisse.recovery.partner_status import import_status
from caisse.recovery.partners import handover
from caisse.recovery.policy import policy
from caisse.store.db import session_scope

PARTNER_LANG = {"HUI-GENT": "nl", "HUI-LIEGE": "fr"}  # the bailiffs of the fixture ``partners``


def to_formal_notice(url, party) -> None:
    for day in ("2026-04-16", "2026-05-16", "2026-06-16"):
        batch.run(url, d(day))
    assert stage(url, party) == ("formal_notice", None)


def to_enforcement(url, party) -> None:
    to_formal_notice(url, party)
    batch.run(url, d("2026-07-17"))
    with session_scope(url) as s:
        service.log_contact(s, CLERK, party, d("2026-07-20"), "called: cannot pay, refuses a plan")
    batch.run(url, d("2026-08-05"))
    assert stage(url, party) == ("enforcement", None)


def test_the_month_after_the_formal_notice_runs_from_the_day_the_registered_letter_was_presented(db_url, fund):
    ana = fund.person(category="main", start=d("2025-01-01"), language="fr")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    to_formal_notice(db_url, ana)  # the formal notice is dated 16 June
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
        service.record_notice_presented(s, CLERK, ana, d("2026-06-10"), d("2026-06-25"))
    assert err.value.field == "presented_on" and "before the formal notice" in str(err.value)
    with session_scope(db_url) as s:  # the post presented it on 19 June: her month ends on 19 July
        service.record_notice_presented(s, CLERK, ana, d("2026-06-19"), d("2026-06-25"))
        assert policy(d("2026-06-19")).contest_ends(d("2026-06-16"), d("2026-06-19")) == d("2026-07-19")

    batch.run(db_url, d("2026-07-17"))  # the step date + one month is over, her month is not
    assert stage(db_url, ana) == ("formal_notice", None)
    batch.run(db_url, d("2026-07-19"))  # her last day
    assert stage(db_url, ana) == ("formal_notice", None)
    batch.run(db_url, d("2026-07-20"))  # the day after
    assert stage(db_url, ana) == ("personal_contact", None)


def test_by_hand_too_no_judicial_step_before_the_month_from_the_presentation_is_over(db_url, fund):
    eva = fund.person(category="main", start=d("2025-01-01"))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    to_formal_notice(db_url, eva)  # dated 16 June, presented on 19 June
    with session_scope(db_url) as s:
        service.record_notice_presented(s, CLERK, eva, d("2026-06-19"), d("2026-06-22"))
        service.move(s, CLERK, eva, "personal_contact", "call her now", d("2026-06-22"))
        service.log_contact(s, CLERK, eva, d("2026-06-23"), "reached: will not pay")
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # 17 July: the step date's month is over
        service.move(s, CLERK, eva, "enforcement", "contrainte", d("2026-07-18"))
    assert err.value.field == "to_stage" and "not before 2026-07-20" in str(err.value)
    with session_scope(db_url) as s:
        assert service.move(s, CLERK, eva, "enforcement", "contrainte", d("2026-07-20")).to_stage == "enforcement"


def test_no_manual_judicial_step_on_the_last_day_of_the_debtors_month(db_url, fund):
    bo = fund.person(category="main", start=d("2025-01-01"))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    to_formal_notice(db_url, bo)
    with session_scope(db_url) as s:
        service.move(s, CLERK, bo, "personal_contact", "call him now", d("2026-06-20"))
        service.log_contact(s, CLERK, bo, d("2026-06-21"), "reached: will not pay")
    for day in ("2026-07-01", "2026-07-16"):  # 16 July is the last day of his month (formal notice of 16 June)
        with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
            service.move(s, CLERK, bo, "court", "summons", d(day))
        assert err.value.field == "to_stage" and "not before 2026-07-17" in str(err.value)
    with session_scope(db_url) as s:
        assert service.move(s, CLERK, bo, "enforcement", "contrainte", d("2026-07-17")).to_stage == "enforcement"


def test_a_contestation_after_the_formal_notice_rules_out_the_contrainte_only_the_summons_remains(db_url, fund):
    cy = fund.person(category="main", start=d("2025-01-01"), language="nl")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    to_formal_notice(db_url, cy)
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
        service.record_contestation(s, CLERK, cy, "refusal", d("2026-07-01"), "letter", d("2026-07-02"))
    assert err.value.field == "kind"
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
        service.record_contestation(s, CLERK, cy, "contest", d("2026-07-09"), "letter", d("2026-07-02"))
    assert err.value.field == "received_on" and "in the future" in str(err.value)
    with session_scope(db_url) as s:  # her registered letter contests the surcharges, received on 1 July
        f = service.record_contestation(s, CLERK, cy, "contest", d("2026-07-01"), "the Q1 surcharges are wrong",
                                        d("2026-07-02"))
        assert (f.contested_on, f.contest_kind) == (d("2026-07-01"), "contest")

    batch.run(db_url, d("2026-07-17"))  # the month is over: she is called as always
    with session_scope(db_url) as s:
        service.log_contact(s, CLERK, cy, d("2026-07-20"), "maintains her contestation")
    summary = batch.run(db_url, d("2026-08-05"))  # but the batch issues no contrainte
    assert summary.skipped == {"contested after the formal notice (art. 46): no contrainte, summons by hand": 1}
    assert stage(db_url, cy) == ("personal_contact", None)
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # nor by hand
        service.move(s, CLERK, cy, "enforcement", "contrainte anyway", d("2026-08-06"))
    assert err.value.field == "contested_on" and "2026-07-01" in str(err.value) and "court" in str(err.value)
    with session_scope(db_url) as s:  # the summons before the labour court stays open
        assert service.move(s, CLERK, cy, "court", "summons: she contests", d("2026-08-06")).to_stage == "court"


def test_a_request_for_payment_terms_is_recorded_and_does_not_rule_out_the_contrainte(db_url, fund):
    di = fund.person(category="main", start=d("2025-01-01"))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    to_formal_notice(db_url, di)
    with session_scope(db_url) as s:
        f = service.record_contestation(s, CLERK, di, "terms", d("2026-06-30"), "asks 6 months", d("2026-07-01"))
        assert f.contest_kind == "terms"
    batch.run(db_url, d("2026-07-17"))
    with session_scope(db_url) as s:
        service.log_contact(s, CLERK, di, d("2026-07-20"), "no plan agreed: nothing paid")
    batch.run(db_url, d("2026-08-05"))
    assert stage(db_url, di) == ("enforcement", None)


def test_the_month_of_opposition_runs_from_the_service_and_execution_waits_for_its_end(
        db_url, fund, partners, tmp_path):  # noqa: F811
    ana = fund.person(category="main", start=d("2025-01-01"), language="nl")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    to_enforcement(db_url, ana)  # the contrainte is issued on 5 August
    batch.run(db_url, d("2026-08-06"))  # the next run hands it to a bailiff to be served — no month has run yet
    assert stage(db_url, ana) == ("bailiff", None)
    with session_scope(db_url) as s:
        assert service.execution_from(s, ana) is None  # not served: no execution
    result = handover(db_url, d("2026-08-07"), tmp_path, CLERK)
    letter = result.files[0].pdf_path.read_bytes()
    assert b"verstreken" not in letter and b"betekening" in letter
    with session_scope(db_url) as s:
        assert service.execution_from(s, ana) is None  # handed over, still not served

    # served on 15 September (the bailiff's status file): opposition until 15 October, execution from the 16th
    served = STATUS_HEADER + f"GENT-1,{ana}-1-bailiff,{ana},2026-09-15,2026-09-15,,,,betekend\n"
    assert import_status(db_url, served.encode(), "HUI-GENT", CLERK, d("2026-09-16")).served == 1
    with session_scope(db_url) as s:
        assert policy(d("2026-09-15")).opposition_ends(d("2026-09-15")) == d("2026-10-15")
        assert service.execution_from(s, ana) == d("2026-10-16")
    batch.run(db_url, d("2026-10-16"))  # the batch leaves the file with the bailiff
    assert stage(db_url, ana) == ("bailiff", None)


def test_staff_record_the_service_and_an_opposition_sends_the_file_to_court(
        db_url, fund, partners, tmp_path):  # noqa: F811
    bo = fund.person(category="main", start=d("2025-01-01"), language="fr")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    to_enforcement(db_url, bo)
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
        service.record_service(s, CLERK, bo, d("2026-08-20"), d("2026-08-21"))
    assert err.value.field == "served_on" and "not handed to a bailiff" in str(err.value)
    batch.run(db_url, d("2026-08-06"))
    handover(db_url, d("2026-08-07"), tmp_path, CLERK)
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:  # no opposition before a service
        service.record_opposition(s, CLERK, bo, d("2026-08-25"), "citation", d("2026-08-26"))
    assert err.value.field == "opposed_on"
    with pytest.raises(InvalidInput) as err, session_scope(db_url) as s:
        service.record_service(s, CLERK, bo, d("2026-08-01"), d("2026-08-21"))
    assert err.value.field == "served_on" and "before the contrainte was issued (2026-08-05)" in str(err.value)
    with session_scope(db_url) as s:  # served on 31 August: the month ends on 30 September (the month is shorter)
        service.record_service(s, CLERK, bo, d("2026-08-31"), d("2026-09-01"))
        assert service.execution_from(s, bo) == d("2026-10-01")
    with session_scope(db_url) as s:  # he cites the fund on 28 September
        step = service.record_opposition(s, CLERK, bo, d("2026-09-28"), "citation ref. 26/1234: surcharges",
                                         d("2026-09-29"))
        assert (step.from_stage, step.to_stage) == ("bailiff", "court")
        assert "opposition to the contrainte on 2026-09-28" in step.reason
    with session_scope(db_url) as s:
        assert service.execution_from(s, bo) is None  # the court decides: no execution
    assert stage(db_url, bo) == ("court", None)


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_no_letter_says_the_month_of_opposition_is_over(db_url, fund, partners, tmp_path, lang):  # noqa: F811
    cy = fund.person(category="main", start=d("2025-01-01"), language=lang)
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    to_enforcement(db_url, cy)
    batch.run(db_url, d("2026-08-06"))
    with session_scope(db_url) as s:  # the debtor's letter of the hand-over, in her language
        st = s.scalar(select(RecoveryStep).where(RecoveryStep.party_id == cy, RecoveryStep.to_stage == "bailiff"))
        doc = step_document(s, st.id)
        assert (doc.kind, doc.language) == ("recovery_bailiff", lang)
    intro = T[lang]["intro_recovery_bailiff"]
    for said_over in ("Aucune opposition", "écoulé", "geen verzet", "verstreken", "kein Einspruch", "abgelaufen"):
        assert said_over not in intro and said_over not in PARTNER_TEXTS[lang]["intro_handover_bailiff"]
    assert {"fr": "signifiera", "nl": "betekenen", "de": "zustellen"}[lang] in intro
    handed = handover(db_url, d("2026-08-07"), tmp_path, CLERK).files[0]  # the bailiff's cover letter
    word = {"fr": b"signification", "nl": b"betekening"}[PARTNER_LANG[handed.partner]]  # its bailiff's language
    assert word in handed.pdf_path.read_bytes()


def test_a_served_contrainte_without_opposition_becomes_enforceable_the_day_after_the_month_and_the_file_says_so(
        db_url, fund, partners, tmp_path):  # noqa: F811
    from typer.testing import CliRunner

    from caisse.cli._app import app
    from caisse.recovery.report import report

    ana = fund.person(category="main", start=d("2025-01-01"), language="nl")
    bo = fund.person(category="main", start=d("2025-01-01"), language="fr")
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    for day in ("2026-04-16", "2026-05-16", "2026-06-16"):
        batch.run(db_url, d(day))
    batch.run(db_url, d("2026-07-17"))
    with session_scope(db_url) as s:
        for who in (ana, bo):
            service.log_contact(s, CLERK, who, d("2026-07-20"), "called: will not pay")
    batch.run(db_url, d("2026-08-05"))
    batch.run(db_url, d("2026-08-06"))
    handover(db_url, d("2026-08-07"), tmp_path, CLERK)
    with session_scope(db_url) as s:  # both served on 31 August: the month of opposition ends on 30 September
        for who in (ana, bo):
            service.record_service(s, CLERK, who, d("2026-08-31"), d("2026-09-01"))
        service.record_opposition(s, CLERK, bo, d("2026-09-30"), "citation on the last day", d("2026-10-02"))

    summary = batch.run(db_url, d("2026-09-30"))  # the last day to oppose: not enforceable yet
    assert "contraintes enforceable (no opposition within the month of the service)" not in summary.details
    assert report(db_url, d("2026-09-30"))["bailiff_enforceable"]["debtors"] == 0
    summary = batch.run(db_url, d("2026-10-05"))  # a run after the month: one step, dated the first day
    assert summary.details["contraintes enforceable (no opposition within the month of the service)"] == 1
    assert stage(db_url, ana) == ("bailiff", None) and stage(db_url, bo) == ("court", None)  # bo opposed: court
    with session_scope(db_url) as s:
        st = s.scalar(select(RecoveryStep).where(RecoveryStep.event == "enforceable"))
        assert (st.party_id, st.on, st.from_stage, st.to_stage) == (ana, d("2026-10-01"), "bailiff", "bailiff")
        assert "no opposition recorded within the month (last day 2026-09-30" in st.reason
        state = service.contrainte_state(s, ana)
        assert (state.served_on, state.opposition_ends, state.enforceable_from, state.enforceable_on) == (
            d("2026-08-31"), d("2026-09-30"), d("2026-10-01"), d("2026-10-01"))
    assert batch.run(db_url, d("2026-10-06")).details.get(
        "contraintes enforceable (no opposition within the month of the service)") is None  # once per cycle

    # the report knows it from the day it holds (a report of an earlier date does not)
    rep = report(db_url, d("2026-10-01"))
    assert rep["bailiff_enforceable"]["debtors"] == 1
    assert {r["stage"]: r["debtors"] for r in rep["stages"]}["bailiff"] == 2  # bo's opposition reached us on 2 Oct
    stages = {r["stage"]: r["debtors"] for r in report(db_url, d("2026-10-02"))["stages"]}
    assert (stages["bailiff"], stages["court"]) == (1, 1)  # ana still with the bailiff, who may execute
    assert report(db_url, d("2026-09-30"))["bailiff_enforceable"]["debtors"] == 0
    runner = CliRunner()
    shown = runner.invoke(app, ["recovery", "show", "--debtor", str(ana), "--db", db_url]).output
    assert "served 2026-08-31: opposition until 2026-09-30; enforceable from 2026-10-01 (recorded)" in shown, shown
    assert "enforceable" in runner.invoke(app, ["recovery", "report", "--as-of", "2026-10-02", "--db",
                                               db_url]).output
