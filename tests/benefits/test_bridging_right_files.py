"""The quarters a bridging right keeps reach the mutualities, not INASTI's pension career (legislation §8.1
[S41][S39]: health-care and incapacity/maternity rights maintained without contributions, pension not included) —
and the quarterly call is unchanged: the person who stopped is no longer affiliated, so nothing is called; the one
still affiliated (a forced interruption) is called as before (the notes dispense no contribution with it)."""

from __future__ import annotations

from helpers import NOTHING_ELSE, contributions, d, quarters
from sqlalchemy import select

from caisse.batches import quarterly_call
from caisse.batches.models import Notice
from caisse.benefits import events, service
from caisse.documents.yearly_summary import lines_for
from caisse.exchange.fixed_width import CAREER, INSURABILITY, MUTUALITY
from caisse.reporting import outgoing
from caisse.reporting import yearly_summary as ys
from caisse.reporting.benefit_files import insurability_export
from caisse.reporting.career import career_export, mutuality_export
from caisse.security.authz import Principal
from caisse.store.db import session_scope

DESK = Principal.system("cli:benefits-officer")


def _read(fmt, path):
    parsed = [fmt.parse(line) for line in path.read_text(encoding="ascii").splitlines(keepends=True)]
    return parsed[0][1], [v for _c, v in parsed[1:-1]], parsed[-1][1]


def _grant(url, person, received, **facts) -> int:
    with session_scope(url) as s:
        c = service.file_claim(s, DESK, person, "bridging_right", {**facts, **NOTHING_ELSE}, d(received))
        assert service.decide(s, DESK, c.id, d(received)).outcome == "granted"
        return c.id


def test_kept_quarters_go_to_the_mutuality_file_not_the_career_file_and_the_call_is_unchanged(db_url, fund, tmp_path):
    # Ana, bankrupt on 20 May 2024 (her affiliation ends that day), leaves 2024Q2 unpaid; 3 months from June
    ana = fund.person(category="main", start=d("2015-01-01"), end=d("2024-05-20"))
    contributions(db_url, ana, paid=quarters("2022Q3", "2024Q1"), unpaid=["2024Q2"])
    ana_claim = _grant(db_url, ana, "2024-05-27", case="bankruptcy", event_date=d("2024-05-20"),
                       start=d("2024-06-01"), months=3)
    # Rosa, a starter of June 2023 still affiliated, has a fire on 2 September 2024: 15 days of interruption
    rosa = fund.person(category="main", start=d("2023-06-01"))
    contributions(db_url, rosa, paid=quarters("2023Q2", "2024Q2"))
    rosa_claim = _grant(db_url, rosa, "2024-09-20", case="fire", event_date=d("2024-09-02"), start=d("2024-09-02"),
                        days=15)

    quarterly_call.run(db_url, "2024Q3", fee_rate="0")
    with session_scope(db_url) as s:
        called = {n.party_id: n.amount_cents for n in s.scalars(select(Notice).where(Notice.period == "2024Q3"))}
    assert ana not in called  # no longer affiliated: nothing to call, her rights kept all the same
    assert called[rosa] == 86_415  # still affiliated: called as before (a starter: 864.15, legislation §0)

    m = outgoing.make_file(db_url, mutuality_export(), d("2024-12-31"), tmp_path / "m.txt", who="test",
                           today=d("2025-01-15"))
    header, details, trailer = _read(MUTUALITY, tmp_path / "m.txt")
    assert header["version"] == 3
    rows = {(r["niss"], r["quarter"]): (r["in_order"], r["state"], r["reason"], r["decision"]) for r in details}
    assert rows[(fund.niss_of(ana), "2024Q2")] == ("Y", "kept_rights", "bridging", f"claim/{ana_claim}")  # unpaid
    assert rows[(fund.niss_of(ana), "2024Q3")] == ("Y", "kept_rights", "bridging", f"claim/{ana_claim}")  # not called
    assert rows[(fund.niss_of(rosa), "2024Q3")] == ("Y", "kept_rights", "bridging", f"claim/{rosa_claim}")
    assert (fund.niss_of(ana), "2024Q4") not in rows
    assert (m.records, trailer["in_order"], trailer["not_in_order"]) == (15, 15, 0)

    outgoing.make_file(db_url, career_export(), d("2024-12-31"), tmp_path / "c.txt", who="test",
                       today=d("2025-01-15"))
    header, details, _t = _read(CAREER, tmp_path / "c.txt")
    assert header["version"] == 2  # no new state nor reason in the career file
    career = {(r["niss"], r["quarter"]): (r["state"], r["called"], r["paid"], r["reason"]) for r in details}
    assert career[(fund.niss_of(ana), "2024Q2")] == ("unpaid", 80_000, 0, "not_paid")  # no pension right kept
    assert (fund.niss_of(ana), "2024Q3") not in career
    assert career[(fund.niss_of(rosa), "2024Q3")][0] == "unpaid"

    with session_scope(db_url) as s:  # the yearly summary: no pension, health care in order
        doc = lines_for(ys.one(s, ana, 2024, d("2025-01-15")))
    assert ("2024Q2", "800,00 €", "0,00 €", "droit passerelle : pas de pension", "en ordre") in [
        tuple(x.replace("\u202f", " ").replace("\xa0", " ") for x in q) for q in doc["quarters"]]
    assert "n'ouvre pas de droit à la pension" in doc["pension_note"]


def test_the_insurability_answer_says_the_kept_quarters_are_in_order(db_url, fund, tmp_path):
    # Ana, bankrupt on 20 May 2024, bridging right from June to August; her mutuality reports an incapacity from
    # 14 October: the answer for 2024Q1 to 2024Q4 says 2024Q2 and 2024Q3 in order, kept with the bridging right
    ana = fund.person(category="main", start=d("2015-01-01"), end=d("2024-05-20"))
    contributions(db_url, ana, paid=quarters("2022Q3", "2024Q1"), unpaid=["2024Q2"])
    claim = _grant(db_url, ana, "2024-05-27", case="bankruptcy", event_date=d("2024-05-20"), start=d("2024-06-01"),
                   months=3)
    with session_scope(db_url) as s:
        events.record_event(s, DESK, ana, "incapacity", d("2024-10-14"), d("2024-10-18"), source="mutuality")
    outgoing.make_file(db_url, insurability_export(), d("2024-12-31"), tmp_path / "i.txt", who="test",
                       today=d("2025-01-15"))
    header, details, _t = _read(INSURABILITY, tmp_path / "i.txt")
    assert header["version"] == 2
    assert [(r["quarter"], r["in_order"], r["state"], r["called"], r["paid"], r["reason"], r["decision"])
            for r in details] == [
        ("2024Q1", "Y", "paid", 80_000, 80_000, "paid", ""),
        ("2024Q2", "Y", "kept_rights", 80_000, 0, "bridging", f"claim/{claim}"),
        ("2024Q3", "Y", "kept_rights", 0, 0, "bridging", f"claim/{claim}"),
        ("2024Q4", "N", "none", 0, 0, "not_called", "")]


def test_an_undue_decision_withdraws_the_quarters_the_benefit_kept_from_the_counter_and_the_files(db_url, fund,
                                                                                                   tmp_path):
    from helpers import iban

    from caisse.benefits import undue
    from caisse.benefits.models import BenefitMaintainedQuarter, ClaimStep
    from caisse.collection.credit_transfers import export_credit_transfers

    # Ana, bankrupt on 20 May 2024, got June to August (4,914.78) and 2024Q2-Q3 kept; she had in fact gone on
    # working: the whole benefit is claimed back on 15 October — its quarters of rights go with it
    ana = fund.person(category="main", start=d("2015-01-01"))
    iban(db_url, ana)
    contributions(db_url, ana, paid=quarters("2022Q3", "2024Q1"), unpaid=["2024Q2"])
    claim = _grant(db_url, ana, "2024-05-27", case="bankruptcy", event_date=d("2024-05-20"), start=d("2024-06-01"),
                   months=3)
    export_credit_transfers(db_url, d("2024-06-14"))
    with session_scope(db_url) as s:
        service.follow_up(s, DESK, d("2024-06-30"))
    before = outgoing.make_file(db_url, mutuality_export(), d("2024-09-30"), tmp_path / "m1.txt", who="test",
                                today=d("2024-10-01"))
    rows = {r["quarter"]: (r["in_order"], r["state"], r["reason"]) for r in _read(MUTUALITY, tmp_path / "m1.txt")[1]}
    assert rows["2024Q2"] == rows["2024Q3"] == ("Y", "kept_rights", "bridging")
    with session_scope(db_url) as s:
        u = undue.claim_back(s, DESK, claim, 491_478, "activity", "Vous avez poursuivi votre activité.",
                             d("2024-10-15"))
        assert u.decision["maintained_withdrawn"] == {"quarters": ["2024Q2", "2024Q3"], "kept": []}
        kept = s.execute(select(BenefitMaintainedQuarter.period, BenefitMaintainedQuarter.withdrawn_on,
                                BenefitMaintainedQuarter.withdrawn_by_undue)
                         .order_by(BenefitMaintainedQuarter.period)).all()
        assert [tuple(r) for r in kept] == [("2024Q2", d("2024-10-15"), u.id), ("2024Q3", d("2024-10-15"), u.id)]
        assert s.scalar(select(ClaimStep.detail).where(ClaimStep.claim_id == claim,
                                                       ClaimStep.step == "rights_withdrawn")) == {
            "undue": u.id, "quarters": ["2024Q2", "2024Q3"]}
        from caisse.benefits.undue import undue_lines

        assert ("text", "Droits en soins de santé et indemnités/maternité maintenus avec ce droit passerelle : "
                        "retirés pour 2024Q2, 2024Q3 ; restent maintenus : —.") in undue_lines(u, "fr")
    # the career counter: a later bridging right (an economic event in September) finds 0 of the 4 quarters used
    later = _grant(db_url, ana, "2024-10-20", case="economic_event", event_date=d("2024-09-30"),
                   start=d("2024-10-01"), months=1)
    with session_scope(db_url) as s:
        decision = s.get(service.BenefitClaim, later).decision
        assert (decision["maintained_rights"]["used_before"], decision["maintained_rights"]["quarters"]) == (
            0, ["2024Q4"])
        assert service.reproduce(s, claim) == {"same": True, "differences": []}  # decided on its day, unchanged
    # the mutuality file: as of 30 September it still says what was true then; as of 31 December 2024Q2 is unpaid
    # (a correction of the record sent) and 2024Q3 no longer kept (cancelled)
    again = outgoing.make_file(db_url, mutuality_export(), d("2024-09-30"), tmp_path / "m1bis.txt", who="test",
                               today=d("2024-10-01"))
    assert again.sha256 == before.sha256
    outgoing.make_file(db_url, mutuality_export(), d("2024-12-31"), tmp_path / "m2.txt", who="test",
                       today=d("2025-01-15"))
    rows = {r["quarter"]: (r["record_type"], r["in_order"], r["state"], r["reason"])
            for r in _read(MUTUALITY, tmp_path / "m2.txt")[1]}
    assert rows["2024Q2"] == ("C", "N", "unpaid", "not_paid")
    assert rows["2024Q3"][0] == "D"
    assert rows["2024Q4"] == ("N", "Y", "kept_rights", "bridging")  # the later grant's quarter
