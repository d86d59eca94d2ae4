"""The worked examples of the legislation notes, as YAML cases (one file per topic in cases/).

Each case names a rule, its input, and either the expected figures (compared as the JSON strings the simulator
prints) or the error the fund must give. Dates are written YYYY-MM-DD.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from caisse import errors
from caisse.rules import benefits, company, contributions, surcharges

CASES_DIR = Path(__file__).parent / "cases"


def _date(v):
    return date.fromisoformat(v) if isinstance(v, str) else v


def run(rule: str, args: dict):
    a = dict(args)
    allow = a.pop("allow_estimates", False)
    if rule == "contribution":
        pension = not a.pop("without_pension", False)
        return contributions.contribution(a.pop("year"), a.pop("category"), a.pop("income"), pension=pension,
                                          allow_estimates=allow, **a)
    if rule == "provisional":
        pension = not a.pop("without_pension", False)
        return contributions.provisional(a.pop("year"), a.pop("category"), a.pop("reference_income", None),
                                         pension=pension, allow_estimates=allow, **a)
    if rule == "regularisation":
        return contributions.regularisation(a.pop("year"), a.pop("category"), a.pop("income"),
                                            a.pop("provisional_paid"), notice_date=_date(a.pop("notice_date", None)),
                                            allow_estimates=allow, **a)
    if rule == "surcharge":
        pays = [(_date(d), amt) for d, amt in a.pop("payments", [])]
        return surcharges.late_payment_surcharges(a.pop("amount"), _date(a.pop("due_date")), pays,
                                                  as_of=_date(a.pop("as_of", None)),
                                                  served_on=_date(a.pop("served_on", None)))
    if rule == "unjustified_reduction":
        return surcharges.unjustified_reduction_surcharge(a.pop("year"), a.pop("definitive"),
                                                          a.pop("reduced_provisional"), **a)
    if rule == "company":
        return company.company_contribution(a.pop("year"), a.pop("balance_sheet_total", None),
                                            paid_on=_date(a.pop("paid_on", None)), allow_estimates=allow, **a)
    if rule == "bridging_right":
        return benefits.bridging_right(_date(a.pop("date")), allow_estimates=allow, **a)
    if rule == "maternity":
        return benefits.maternity(_date(a.pop("start")), allow_estimates=allow, **a)
    if rule == "birth_leave":
        return benefits.birth_leave(_date(a.pop("date")), allow_estimates=allow, **a)
    if rule == "bereavement":
        return benefits.bereavement_leave(_date(a.pop("date")), allow_estimates=allow, **a)
    if rule == "carer":
        return benefits.carer_leave(_date(a.pop("date")), allow_estimates=allow, **a)
    raise AssertionError(f"unknown rule {rule}")


def load_cases():
    return [pytest.param(case, id=f"{path.stem}: {case['name']}")
            for path in sorted(CASES_DIR.glob("*.yaml"))
            for case in yaml.safe_load(path.read_text(encoding="utf-8"))]


def test_every_case_has_a_source_and_an_expectation():
    assert len(load_cases()) > 50
    for param in load_cases():
        case = param.values[0]
        assert case.get("source"), case["name"]
        assert ("expect" in case) != ("error" in case), case["name"]


@pytest.mark.parametrize("case", load_cases())
def test_worked_example(case):
    if "error" in case:
        kind = getattr(errors, case["error"]["type"])
        with pytest.raises(kind) as info:
            run(case["rule"], case["input"])
        assert case["error"]["contains"] in str(info.value)
        return
    answer = run(case["rule"], case["input"]).to_dict("en")
    got = {k: answer.get(k) for k in case["expect"]}
    assert got == case["expect"], f"{case['name']} ({case['source']})"
