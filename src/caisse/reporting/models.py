"""The tax certificates issued (attestations fiscales): one row per debtor and calendar year, so that the portal
serves the very certificate that was sent and a rerun of the batch writes nothing new."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from caisse.store.models import Base, utcnow


class TaxCertificate(Base):
    """Amounts in cents, all from the ledger (entries booked in ``year``): ``paid`` = money imputed on the
    deductible items (contributions, management fees, company contribution, reminder costs), ``returned`` = the
    part of those items given back (a debt lowered after it was paid: released to the debtor's credit),
    ``deductible`` = paid − returned; ``surcharges`` and ``other_costs`` (judicial costs, legal interest,
    unclassified costs) = paid net, not deductible. ``lines``: the same figures per period (the trail)."""

    __tablename__ = "tax_certificate"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # tax-certificate/<year>/<party>
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    language: Mapped[str] = mapped_column(String(2))
    paid_cents: Mapped[int] = mapped_column(BigInteger)
    returned_cents: Mapped[int] = mapped_column(BigInteger)
    deductible_cents: Mapped[int] = mapped_column(BigInteger)
    surcharges_cents: Mapped[int] = mapped_column(BigInteger)
    other_costs_cents: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[list | None] = mapped_column(JSON)
    batch_key: Mapped[str] = mapped_column(String(200), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
