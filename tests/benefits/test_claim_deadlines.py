"""The deadlines around a claim, as stories with exact dates: the request deadlines of carer leave (legislation §8.5)
and bereavement leave (addendum §8.6) — the last valid day accepted, the next day refused with a motivated decision;
the appeal period counted from the notification of the decision (Charter art. 23), not from its date; the
decision deadline suspended while information asked of the person is missing and, after a reminder left
unanswered for a month, the claim listed as one the fund may decide on what it has (Charter arts. 10 and 11)."""

from __future__ import annotations

from helpers import contributions, d, quarters
from test_benefit_undue_and_charter import text_of

from caisse.benefits import service
from caisse.benefits.models import BenefitClaim
from caisse.documents.benefit_decisions import decision_pdf
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
