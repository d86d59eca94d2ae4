"""Imputation of payments: in which order a debtor's money settles his open items.

Legal source (legislation addendum 2026-11 §6.2): arts. 1253–1256 of the old Civil Code, since 1-1-2023
Book 5 of the Civil Code, as applied to self-employed contributions by the labour court of Brussels
(3-5-2016, R.G. 2014/AB/540), supplemented by arts. 44 and 44bis RD 19-12-1967 for surcharges:

1. the debtor may designate the debt he pays (art. 1253) — a structured communication that identifies a
   period is such a designation;
2. absent a designation, the fund imputes on the oldest due period first (the fund's practice in the
   2016 case; the addendum's recommendation: "oldest due quarter first") — "the debt the debtor had most
   interest to pay" (art. 1256). A debt that is not yet due on the day of the payment (the quarter just
   called, a regularisation supplement due next quarter) comes after every debt already due, and among
   such debts the one falling due first comes first: paying a debt that bears no surcharge yet before one
   that does, or before one due sooner, is never in the debtor's interest;
3. within a period, principal (contribution, management fee, company contribution) before surcharges and
   costs. Art. 1254 lets the creditor refuse imputation on principal before accessories; the fund
   consents to it because it is in the debtor's interest: surcharges run on unpaid principal only and are
   never charged on surcharges (art. 44 RD 19-12-1967), so paying principal first stops them.

No statutory order "contributions before surcharges before costs" exists for the self-employed regime, so
the order is a policy: ``POLICIES`` holds the named choices, ``CAISSE_IMPUTATION_POLICY`` picks the fund's
default, and every imputation entry records the policy that produced it (``parameter``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from caisse.errors import InvalidInput
from caisse.ledger.queries import Balance

RULE = "Civil Code arts. 1253-1256 (Book 5); RD 19-12-1967 art. 44"


@dataclass(frozen=True)
class ImputationPolicy:
    name: str
    # "period": oldest period first, then accounts by rank within it.
    # "account": accounts by rank first (all principal, oldest period first, then all surcharges ...).
    order: str
    rank: tuple[str, ...]  # receivable accounts, first settled first
    honour_designation: bool = True
    source: str = RULE
    # sort keys already computed: pure in (account, period, due date), and a file of payments asks for the
    # same few again and again (bounded; not part of the policy's identity)
    _keys: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def sort_key(self, item: Balance) -> tuple:
        memo = (item.account, item.period, item.due_date, item.not_yet_due)
        found = self._keys.get(memo)
        if found is None:
            period = period_end(item.period or "")
            rank = self.rank.index(item.account) if item.account in self.rank else len(self.rank)
            due = item.due_date.isoformat() if item.due_date else "9999-12-31"
            if item.not_yet_due:  # after everything already due, the one falling due first first
                found = (1, due, period, rank) if self.order == "period" else (1, rank, due, period)
            else:
                found = (0, period, rank, due) if self.order == "period" else (0, rank, period, due)
            if len(self._keys) > 100_000:
                self._keys.clear()
            self._keys[memo] = found
        return found

    def ordered(self, items: list[Balance], designation: str | None = None) -> list[Balance]:
        """The items in imputation order; a designated period's items come first."""
        ordered = sorted(items, key=self.sort_key)
        if designation and self.honour_designation:
            ordered = [i for i in ordered if i.period == designation] + [i for i in ordered if i.period != designation]
        return ordered


@lru_cache(maxsize=4096)
def period_end(period: str) -> str:
    """'2026Q1' -> '2026-03-31', '2026' -> '2026-12-31' (a year is due with its last quarter); sortable text."""
    if len(period) == 6:
        month = int(period[5]) * 3
        return f"{period[:4]}-{month:02d}-{31 if month in (3, 12) else 30}"
    return f"{period}-12-31"


POLICIES: dict[str, ImputationPolicy] = {
    p.name: p
    for p in (
        ImputationPolicy("oldest-period-principal-first", "period",
                         ("contribution", "company_contribution", "management_fee", "surcharge", "costs")),
        ImputationPolicy("oldest-period-accessories-first", "period",
                         ("costs", "surcharge", "contribution", "company_contribution", "management_fee")),
        ImputationPolicy("all-principal-first", "account",
                         ("contribution", "company_contribution", "management_fee", "surcharge", "costs")),
    )
}
DEFAULT_POLICY_NAME = "oldest-period-principal-first"


def policy_named(name: str | None = None) -> ImputationPolicy:
    """The named policy, else the setting ``CAISSE_IMPUTATION_POLICY`` (environment or .env), else the default."""
    if not name:
        from caisse.config import get_settings

        name = get_settings().imputation_policy or DEFAULT_POLICY_NAME
    try:
        return POLICIES[name]
    except KeyError:
        raise InvalidInput("imputation_policy", f"unknown policy {name!r}; one of {', '.join(POLICIES)}") from None


def allocate(amount: int, items: list[Balance], limit_first: int | None = None,
             designation: str | None = None) -> list[tuple[Balance, int]]:
    """Split ``amount`` over ``items`` taken in order. With a designation, at most ``limit_first`` goes to
    the designated period before the rest follows the ordinary order (the designation covers that payment)."""
    remaining = amount
    taken: dict[int, int] = {}
    if designation and limit_first is not None:
        budget = min(limit_first, remaining)
        for n, item in enumerate(items):
            if item.period != designation or budget <= 0:
                continue
            take = min(budget, item.balance_cents)
            taken[n] = take
            budget -= take
            remaining -= take
    out = []
    for n, item in enumerate(items):
        already = taken.get(n, 0)
        take = min(remaining, item.balance_cents - already)
        remaining -= take
        if already + take > 0:
            out.append((item, already + take))
    return out
