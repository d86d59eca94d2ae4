"""Published fund examples that take more than one rule call (the single-call ones are YAML cases in cases/)."""

from __future__ import annotations

from datetime import date

from caisse.money import fmt
from caisse.rules.surcharges import late_payment_surcharges


def test_provisional_8000_paid_only_in_december_costs_360_in_surcharges():
    """Easypay Group FAQ (id 2170, addendum §4.2 [S255]): a provisional contribution of 8,000 a year (2,000 a
    quarter), 6,000 paid in December of the contribution year: surcharges at the ends of March, June and September
    on the unpaid quarters, 360 in all (3 × 60 for Q1, 2 × 60 for Q2, 60 for Q3)."""
    december = date(2025, 12, 15)
    per_quarter = [late_payment_surcharges("2000.00", due, [(december, "2000.00")]).total
                   for due in (date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30))]
    assert [fmt(x) for x in per_quarter] == ["180.00", "120.00", "60.00"]
    assert fmt(sum(per_quarter)) == "360.00"
