"""The deadlines around a claim, as stories with exact dates: the request deadlines of carer leave (legislation §8.5)
and bereavement leave (addendum §8.6) — the last valid day accepted, the next day refused with a motivated decision;
the appeal period counted from the notification of the decision (Charter art. 23), not from its date; the
decision deadline suspended while information asked of the person is missing and, after a reminder left
unanswered for a month, the claim listed as one the fund may decide on what it has (Charter arts. 10 and 11)."""

from __future__ import annotations

import pytest
from helpers import contributions, d, quarters
from test_benefit_undue_and_charter import text_of

from caisse.benefits import service
from caisse.benefits.models import BenefitClaim
from caisse.documents.benefit_decisions import decision_pdf
from caisse.errors import Conflict, InvalidInput
from caisse.security.authz import Principal
from caisse.store.db import session_scope

DESK = Principal.system("cli:benefits-officer")


def filed(db_url, person, kind, received, **facts) -> int:
    with session_scope(db_url) as s:
        return service.file_claim(s, DESK, person, kind, facts, d(received)).id


def decided(db_url, cid, today):
    with session_scope(db_url) as s:
        c = service.decide(s, DESK, cid, d(today))
        return c.outcome, c.amount_cents, c.decision


# --- request deadlines -------------------------------------------------------------------------------------------

def test_carer_leave_asked_on_the_last_day_of_the_four_weeks_is_granted_the_next_day_refused(db_url, fund):
    # Two carers interrupt from 1 June 2024; the 4 weeks (legislation §8.5) are counted from that first day, which
    # is not counted: the last day to ask is 29 June 2024.
    first, second = (fund.person(category="main", start=d("2015-01-01")) for _ in range(2))
    for who in (first, second):
        contributions(db_url, who, paid=quarters("2023Q4", "2024Q1"))
    on_time = filed(db_url, first, "carer", "2024-06-29", start=d("2024-06-01"), months=1)
    late = filed(db_url, second, "carer", "2024-06-30", start=d("2024-06-01"), months=1)
    outcome, amount, decision = decided(db_url, on_time, "2024-07-02")
    assert (outcome, amount) == ("granted", 163_826)  # 1,638.26 a month in 2024 [S204]
    [request] = [c for c in decision["checks"] if c["check"] == "request"]
    assert request["ok"] and request["rendered"]["en"].startswith(
        "Request received on 2024-06-29, by 2024-06-29 at the latest (request within 4 weeks")
    assert "counts them from the first day of the interruption (the fund's assumption)" in request["rendered"]["en"]
    assert any(p["name"] == "carer_request_weeks" and p["value"] == "4" for p in decision["parameters"]["en"])

    outcome, amount, decision = decided(db_url, late, "2024-07-02")
    assert (outcome, amount) == ("refused", 0)
    assert decision["reasons"]["fr"] == [
        "La demande a été reçue le 30/06/2024, après la date limite du 29/06/2024 (demande dans les 4 semaines, par "
        "lettre recommandée ou dépôt contre accusé de réception — legislation §8.5 [S53] ; les notes ne disent pas à "
        "partir de quel jour courent les 4 semaines : la caisse les compte à partir du premier jour de l'interruption "
        "(hypothèse de la caisse))."]
    assert decision["reasons"]["nl"][0].startswith("De aanvraag werd ontvangen op 30-06-2024, na de uiterste datum "
                                                   "van 29-06-2024 (aanvraag binnen 4 weken")
    assert decision["reasons"]["de"][0].startswith("Der Antrag ging am 30.06.2024 ein, nach der Frist vom 29.06.2024")
    with session_scope(db_url) as s:
        text = text_of(decision_pdf(s, late))
        assert s.get(BenefitClaim, late).amount_cents == 0
    assert "Décision de refus — allocation d'aidant proche" in text
    assert "après la date limite du 29/06/2024" in text and "tribunal du travail" in text  # reasons, appeal route


def test_carer_leave_asked_before_the_interruption_starts_is_in_time(db_url, fund):
    eva = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, eva, paid=quarters("2023Q4", "2024Q1"))
    cid = filed(db_url, eva, "carer", "2024-05-15", start=d("2024-06-01"), months=1)
    assert decided(db_url, cid, "2024-05-20")[:2] == ("granted", 163_826)


def test_bereavement_asked_on_the_last_day_of_the_year_after_the_death_is_granted_the_next_day_refused(db_url,
                                                                                                       fund):
    # A death on 20 September 2024: "au plus tard le dernier jour de l'année qui suit la date du décès" (UCM,
    # addendum §8.6), read as 31 December 2025.
    first, second = (fund.person(category="main", start=d("2015-01-01")) for _ in range(2))
    leave = {"death_date": d("2024-09-20"), "start": d("2024-09-23"), "end": d("2024-10-04"), "days": 10}
    for who in (first, second):
        contributions(db_url, who, paid=quarters("2024Q1", "2024Q2"))
    on_time = filed(db_url, first, "bereavement", "2025-12-31", **leave)
    late = filed(db_url, second, "bereavement", "2026-01-01", **leave)
    outcome, amount, decision = decided(db_url, on_time, "2026-01-05")
    assert (outcome, amount) == ("granted", 101_500)  # 10 × 101.50 [S125]
    [request] = [c for c in decision["checks"] if c["check"] == "request"]
    assert request["ok"] and "read as 31 December of the year after the year of the death" in request["rendered"]["en"]

    outcome, amount, decision = decided(db_url, late, "2026-01-05")
    assert (outcome, amount) == ("refused", 0)
    assert decision["reasons"]["fr"] == [
        "La demande a été reçue le 01/01/2026, après la date limite du 31/12/2025 (demande « au plus tard le dernier "
        "jour de l'année qui suit la date du décès » — addendum §8.6 [S203] ; lu comme le 31 décembre de l'année qui "
        "suit celle du décès (hypothèse de la caisse : les notes reprennent la formule telle que publiée))."]
    assert decision["reasons"]["de"][0].startswith("Der Antrag ging am 01.01.2026 ein, nach der Frist vom "
                                                   "31.12.2025")
    assert decision["appeal"]["months"] == 3


# --- the appeal period runs from the notification (Charter art. 23) -----------------------------------------------

def late_carer(db_url, fund, language="fr") -> int:
    """A carer claim received a day after the 4 weeks, refused on 2 July 2024."""
    ida = fund.person(category="main", start=d("2015-01-01"), language=language)
    contributions(db_url, ida, paid=quarters("2023Q4", "2024Q1"))
    cid = filed(db_url, ida, "carer", "2024-06-30", start=d("2024-06-01"), months=1)
    assert decided(db_url, cid, "2024-07-02")[0] == "refused"
    return cid


def test_a_refusal_is_final_three_months_after_its_registered_letter_not_its_date(db_url, fund):
    cid = late_carer(db_url, fund)
    with session_scope(db_url) as s:  # made available the day it is decided: notified that day, by default
        c = s.get(BenefitClaim, cid)
        assert (c.notified_on, c.notified_by, service.appeal_until(c)) == (d("2024-07-02"), "sent", d("2024-10-02"))
    with session_scope(db_url) as s:  # the fund sends it by registered letter, presented on 5 July
        service.record_notification(s, DESK, cid, d("2024-07-05"), "registered", d("2024-07-08"))
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert service.appeal_until(c) == d("2024-10-05")
        text = text_of(decision_pdf(s, cid))
        assert "dans les 3 mois de la notification de cette décision" in text
        assert ("Cette décision vous est notifiée le 05/07/2024 (lettre recommandée) : le recours doit être introduit "
                "au plus tard le 05/10/2024.") in text
        assert [st.detail["before"] for st in service.steps(s, cid) if st.step == "notified"] == [
            {"on": "2024-07-02", "by": "sent"}]
    with session_scope(db_url) as s:  # three months from the decision date have run, not from the notification
        assert service.follow_up(s, DESK, d("2024-10-05"))["closed_refused"] == 0
        assert s.get(BenefitClaim, cid).status == "refused"
    with session_scope(db_url) as s:
        assert service.follow_up(s, DESK, d("2024-10-06"))["closed_refused"] == 1
        c = s.get(BenefitClaim, cid)
        assert (c.status, c.closed_on) == ("closed", d("2024-10-06"))
        [closed] = [st for st in service.steps(s, cid) if st.step == "closed"]
        assert closed.detail == {"why": "appeal period over", "notified_on": "2024-07-05",
                                 "appeal_until": "2024-10-05"}
    with session_scope(db_url) as s, pytest.raises(Conflict):  # final: no notification to record any more
        service.record_notification(s, DESK, cid, d("2024-10-06"), "sent", d("2024-10-07"))


def test_a_notification_is_refused_before_the_decision_in_the_future_or_by_an_unknown_way(db_url, fund):
    cid = late_carer(db_url, fund)
    for on, by, field in (("2024-07-01", "registered", "on"), ("2024-07-09", "sent", "on"),
                          ("2024-07-05", "fax", "by")):
        with session_scope(db_url) as s, pytest.raises(InvalidInput) as exc:
            service.record_notification(s, DESK, cid, d(on), by, d("2024-07-08"))
        assert exc.value.field == field
    with session_scope(db_url) as s:
        assert s.get(BenefitClaim, cid).notified_on == d("2024-07-02")
        assert [st.step for st in service.steps(s, cid)].count("notified") == 0


def test_a_refusal_whose_notification_is_not_recorded_is_never_final(db_url, fund):
    cid = late_carer(db_url, fund)
    with session_scope(db_url) as s:  # e.g. a decision the fund holds back to send by registered letter
        c = s.get(BenefitClaim, cid)
        c.notified_on, c.notified_by = None, None
    with session_scope(db_url) as s:
        done = service.follow_up(s, DESK, d("2025-07-01"))
        assert (done["closed_refused"], done["not_notified"]) == (0, 1)
        assert s.get(BenefitClaim, cid).status == "refused"
        assert "  notification not recorded: the appeal period (Charter art. 23) has not started" in \
            service.describe(s.get(BenefitClaim, cid))


def test_a_notification_recorded_does_not_start_the_appeal_period_while_a_mention_is_missing(db_url, fund,
                                                                                             shipped_charter):
    cid = late_carer(db_url, fund)
    with session_scope(db_url) as s:
        c = service.record_notification(s, DESK, cid, d("2024-07-05"), "registered", d("2024-07-08"))
        assert service.appeal_until(c) is None  # art. 14, last paragraph
        assert "vous est notifiée" not in text_of(decision_pdf(s, cid))
    with session_scope(db_url) as s:
        done = service.follow_up(s, DESK, d("2025-07-01"))
        assert (done["closed_refused"], done["appeal_not_started"]) == (0, 1)


# --- information asked, reminded, then decided on the file (Charter arts. 10 and 11) --------------------------------

def test_after_a_reminder_left_unanswered_a_month_the_claim_may_be_decided_on_the_file(db_url, fund):
    from sqlalchemy import select

    from caisse.cases.models import Case, CaseMessage

    jan = fund.person(category="main", start=d("2015-01-01"), language="nl")
    contributions(db_url, jan, paid=quarters("2023Q4", "2024Q1"))
    cid = filed(db_url, jan, "carer", "2024-05-15", start=d("2024-06-01"), months=1)  # decision due 15-9-2024
    from caisse.benefits import attachments

    with session_scope(db_url) as s, pytest.raises(Conflict):  # nothing asked yet: nothing to remind
        service.send_reminder(s, DESK, cid, d("2024-06-01"))
    with session_scope(db_url) as s:
        attachments.request_document(s, DESK, cid, "het medisch attest", d("2024-06-01"))
    with session_scope(db_url) as s, pytest.raises(InvalidInput):
        service.send_reminder(s, DESK, cid, d("2024-05-31"))
    with session_scope(db_url) as s:
        c = service.send_reminder(s, DESK, cid, d("2024-07-10"))
        assert service.may_decide_from(c) == d("2024-08-11")  # he may answer until 10 August
        assert service.decision_deadline(c, d("2024-07-10")) == d("2024-10-24")  # suspended since 1 June
        [body] = s.scalars(select(CaseMessage.body).join(Case, Case.id == CaseMessage.case_id).where(
            Case.id == c.case_id, CaseMessage.body.like("Herinnering%")))
        assert body == (f"Herinnering: om over uw aanvraag nr. {cid} (mantelzorguitkering) te beslissen, wacht het "
                        "fonds nog steeds op: het medisch attest (gevraagd op 01-06-2024). Voeg het toe op de pagina "
                        "van uw aanvraag. Zonder antwoord van u uiterlijk op 10-08-2024 kan het fonds beslissen op "
                        "basis van de gegevens waarover het beschikt (Handvest van de sociaal verzekerde, art. 11).")
        assert ("  reminder sent 2024-07-10: may be decided on the file's information from 2024-08-11 "
                "(Charter art. 11)") in service.describe(c)
    with session_scope(db_url) as s, pytest.raises(Conflict):  # once
        service.send_reminder(s, DESK, cid, d("2024-07-11"))
    with session_scope(db_url) as s:
        assert "may_decide_on_file" not in service.follow_up(s, DESK, d("2024-08-10"))
    for day in ("2024-08-11", "2024-08-12"):  # listed as long as it waits; the step written once
        with session_scope(db_url) as s:
            assert service.follow_up(s, DESK, d(day))["may_decide_on_file"] == [cid]
    with session_scope(db_url) as s:
        assert [st.step for st in service.steps(s, cid)].count("may_decide") == 1
    with session_scope(db_url) as s:  # the certificate arrives after all: the clock runs again, 80 days later
        c = attachments.document_received(s, DESK, cid, d("2024-08-20"))
        assert (c.decision_due, c.reminded_on, c.waiting_for) == (d("2024-12-04"), None, None)
    with session_scope(db_url) as s:
        assert "may_decide_on_file" not in service.follow_up(s, DESK, d("2024-08-21"))


def test_a_claim_decided_on_the_file_after_the_reminder_says_so_in_its_decision(db_url, fund):
    from caisse.benefits import attachments

    kim = fund.person(category="main", start=d("2015-01-01"))
    contributions(db_url, kim, paid=quarters("2023Q4", "2024Q1"))
    cid = filed(db_url, kim, "carer", "2024-05-15", start=d("2024-06-01"), months=1)
    with session_scope(db_url) as s:
        attachments.request_document(s, DESK, cid, "le certificat médical", d("2024-06-01"))
        service.send_reminder(s, DESK, cid, d("2024-07-10"))
    outcome, _amount, decision = decided(db_url, cid, "2024-08-11")
    assert decision["decided_while_waiting"] == {"since": "2024-06-01", "reminded_on": "2024-07-10",
                                                 "may_decide_from": "2024-08-11"}
    with session_scope(db_url) as s:
        c = s.get(BenefitClaim, cid)
        assert (c.waiting_for, c.reminded_on) == (None, None)
