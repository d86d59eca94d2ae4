"""The recovery pipeline as data: the stages in order, what the batch may do next, and the delays (from
``rules/parameters/recovery.yaml``: each with its date, status and source)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from caisse.rules.params import load as load_params
from caisse.services.calendar import add_months
from caisse.texts import T_

#: the batch's path, one step per run
AUTOMATIC = ("reminder", "statement", "formal_notice", "personal_contact", "enforcement", "bailiff")
#: judicial steps: the personal contact must be logged before the first of them
JUDICIAL = frozenset({"enforcement", "court"})
#: stages during which an enforcement (contrainte or court case) is running: no payment plan
ENFORCEMENT_RUNNING = frozenset({"enforcement", "bailiff", "court"})
#: the name of each stage of a running enforcement in a sentence for the person (translated where it is shown)
ENFORCEMENT_STAGE = {"enforcement": T_("enforcement order"), "bailiff": T_("bailiff"), "court": T_("court")}
#: by hand, besides the next automatic stage: the summons route (court) instead of or after a contrainte
BY_HAND = {"personal_contact": ("court",), "enforcement": ("court",), "bailiff": ("court",)}
LETTER_OF_STAGE = {"reminder": "reminder", "statement": "statement", "formal_notice": "formal_notice",
                   "enforcement": "enforcement", "bailiff": "bailiff"}


@dataclass(frozen=True)
class Policy:
    on: dt.date
    reminder_days: int
    statement_days: int
    formal_notice_days: int
    contest_months: int
    enforcement_after_contact_days: int
    opposition_months: int
    renounce_below_cents: int
    plan_max_months: int
    plan_down_payment: Fraction
    plan_max_broken: int
    plan_broken_window_months: int
    plan_grace_days: int
    sources: dict[str, str]

    def contest_ends(self, notice_on: dt.date, presented_on: dt.date | None = None) -> dt.date:
        """The last day of the debtor's month to contest or ask terms (art. 46): one month from the day the
        registered letter was posted/presented when staff recorded it, else from the formal-notice step."""
        return add_months(presented_on or notice_on, self.contest_months)

    def opposition_ends(self, served_on: dt.date) -> dt.date:
        """The last day to oppose a contrainte: one month from its service (art. 47bis §5 al. 2)."""
        return add_months(served_on, self.opposition_months)

    def execution_from(self, served_on: dt.date) -> dt.date:
        """The first day the bailiff may go on to execution: the day after the month of opposition."""
        return self.opposition_ends(served_on) + dt.timedelta(days=1)

    def earliest(self, stage: str | None, since: dt.date, contact: dt.date | None,
                 presented_on: dt.date | None = None) -> dt.date | None:
        """The first day the batch may move a file out of ``stage`` (entered on ``since``; ``None`` stage:
        ``since`` is the oldest open due date). None: the batch never moves it from there."""
        if stage is None or stage == "closed":
            return since + dt.timedelta(days=self.reminder_days)
        if stage == "reminder":
            return since + dt.timedelta(days=self.statement_days)
        if stage == "statement":
            return since + dt.timedelta(days=self.formal_notice_days)
        if stage == "formal_notice":  # the day after the debtor's month (art. 46)
            return self.contest_ends(since, presented_on) + dt.timedelta(days=1)
        if stage == "personal_contact":
            return None if contact is None else contact + dt.timedelta(days=self.enforcement_after_contact_days)
        if stage == "enforcement":  # the contrainte issued goes to the bailiff to be served (next run)
            return since
        return None


NAMES = {"reminder_days": "recovery_reminder_after_days", "statement_days": "recovery_statement_after_days",
         "formal_notice_days": "recovery_formal_notice_after_days", "contest_months": "recovery_contest_period_months",
         "enforcement_after_contact_days": "recovery_enforcement_after_contact_days",
         "opposition_months": "recovery_opposition_period_months", "renounce_below_cents": "recovery_renounce_below",
         "plan_max_months": "payment_plan_max_months", "plan_down_payment": "payment_plan_down_payment",
         "plan_max_broken": "payment_plan_max_broken", "plan_broken_window_months": "payment_plan_broken_window_months",
         "plan_grace_days": "payment_plan_grace_days"}


def policy(on: dt.date) -> Policy:
    params = load_params()
    values = {field: params.get(name, on) for field, name in NAMES.items()}
    return Policy(on=on, **{f: v.value for f, v in values.items()},
                  sources={v.name: f"{v.name}@{v.start.isoformat()} ({v.parameter.law}; "
                           f"{', '.join(s.tag for s in v.sources)}, {v.status})" for v in values.values()})


def next_stage(stage: str | None) -> str | None:
    if stage is None or stage == "closed":
        return "reminder"
    if stage in AUTOMATIC and stage != AUTOMATIC[-1]:
        return AUTOMATIC[AUTOMATIC.index(stage) + 1]
    return None
