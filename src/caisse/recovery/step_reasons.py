"""Why the recovery batches moved a file: each reason a code, its English sentence and its values.

A step the batches write (``recovery_step``) keeps the English sentence in ``reason`` — the command line, the API,
the exports and the audit read it as before — and, since migration 0032, the code and the values
(``reason_code``, ``reason_params``), so a page shows the sentence in the reader's language: the English sentence
is the message id of the web catalogues (``src/caisse/web/translations/*.po``), its dates and amounts are formatted
for the page, a stage named by its label. A step written before the codes carries only the English: ``parts``
reads its values back from the same sentences (the batches wrote them from these templates), so it is shown
translated too; a sentence of no template (a handler's own words: a move by hand, a contact logged) is shown as
it was written.

Values: dates as ISO strings, amounts as integer cents, stages as their codes (``models.STAGES``); the English
writes them as the batches always did (``2026-01-05``, ``1234.56``, ``reminder``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property

from caisse.money import fmt
from caisse.texts import T_, Text


@dataclass(frozen=True)
class Reason:
    text: Text
    dates: tuple[str, ...] = ()
    amounts: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()

    @cached_property
    def pattern(self) -> re.Pattern:
        """The sentence with its values as groups: how a step written before the codes is read back."""
        out, pos = [], 0
        for m in re.finditer(r"\{(\w+)\}", self.text.template):
            out.append(re.escape(self.text.template[pos:m.start()]))
            name = m.group(1)
            out.append(rf"(?P<{name}>\d{{4}}-\d\d-\d\d)" if name in self.dates
                       else rf"(?P<{name}>-?\d+\.\d\d)" if name in self.amounts
                       else rf"(?P<{name}>[a-z_]+)" if name in self.stages else rf"(?P<{name}>.+?)")
            pos = m.end()
        out.append(re.escape(self.text.template[pos:]))
        return re.compile("".join(out) + r"\Z", re.DOTALL)


REASONS: dict[str, Reason] = {
    # the stages of the recovery path, one forward when the delay is over (batches/recovery.py)
    "due_unpaid": Reason(T_("principal due since {since} unpaid"), dates=("since",)),
    "reminder_unpaid": Reason(T_("reminder without payment")),
    "statement_unpaid": Reason(T_("statement without payment: last reminder by registered letter (art. 46)")),
    "notice_unanswered": Reason(T_("no payment after the month to contest or ask terms: call the debtor")),
    "contact_unpaid": Reason(T_("personal contact logged on {contact}; nothing paid"), dates=("contact",)),
    "contrainte_to_bailiff": Reason(T_("contrainte issued: handed to a bailiff to be served (opposition: one month "
                                       "from the service)")),
    "enforceable": Reason(T_("contrainte {ref} served on {served}: no opposition recorded within the month (last "
                             "day {last}, art. 47bis §5 AR 19-12-1967): enforceable from {start}, the bailiff may "
                             "execute"), dates=("served", "last", "start")),
    "paid": Reason(T_("everything due is paid")),
    "fiftybis": Reason(T_("{rule}: no longer subject, {owed} EUR owed: the fund may renounce; informed first, as "
                          "{quarters} would not count for the pension unless paid"), amounts=("owed",)),
    # a payment plan granted (recovery/service.py: the handler's reason as written) and followed (batches/recovery.py)
    "plan_granted": Reason(T_("payment plan {plan} granted: {why}")),
    "plan_missed": Reason(T_("instalment {seq} of {due} ({amount} EUR) not paid: notice; the plan breaks after "
                             "{grace} days"), dates=("due",), amounts=("amount",)),
    "plan_broken": Reason(T_("instalment {seq} of {due} ({amount} EUR) still unpaid after {grace} days of grace: "
                             "plan broken, recovery resumes at {stage}"), dates=("due",), amounts=("amount",),
                          stages=("stage",)),
    "plan_completed": Reason(T_("payment plan {plan} paid in full")),
    # prescription (batches/prescription.py)
    "prescribed": Reason(T_("every debt left was prescribed and written off ({rule})")),
}


def _english(reason: Reason, name: str, value: object) -> str:
    if name in reason.amounts:
        return fmt(int(value))
    return str(value)


def reason(code: str, **values) -> dict:
    """The columns of a step's reason: the English sentence, its code and its values (dates as ISO strings)."""
    r = REASONS[code]
    stored = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}
    english = r.text.template.format(**{k: _english(r, k, v) for k, v in stored.items()})
    return {"reason": english, "reason_code": code, "reason_params": stored}


def parts(code: str | None, params: dict | None, english: str) -> tuple[Reason, dict] | None:
    """The reason of a step and its values — from its code, else read back from the English of a step written
    before the codes; None for a sentence of no template (a handler's own words)."""
    if code is not None and code in REASONS:
        return REASONS[code], dict(params or {})
    for r in REASONS.values():
        m = r.pattern.match(english or "")
        if m:
            values = m.groupdict()
            for name in r.amounts:
                whole, cents = values[name].lstrip("-").split(".")
                values[name] = (-1 if values[name].startswith("-") else 1) * (int(whole) * 100 + int(cents))
            return r, values
    return None


__all__ = ["REASONS", "Reason", "parts", "reason"]
