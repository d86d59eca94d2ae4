"""The fund's structured communications (OGM/VCS): which debtor and which period a payment is for.

Ten digits before the check digits: the file number (7 digits), the year (2 digits) and a kind digit:

| kind | meaning | ledger period it designates |
|---|---|---|
| 1–4 | quarterly contribution of that quarter | ``YYYYQk`` |
| 0 | company annual contribution | ``YYYY`` |
| 9 | regularisation of that year | none (oldest first) |
| 8 | account statement / payment plan (any debt) | none (oldest first) |
| 7 | undue benefit claimed back (see below) | ``undue/n``: that recovery decision only |
| 6 | buy-back of dispensed quarters (see below) | ``buyback/n``: that buy-back request only |

Kind 7: the two "year" digits are the person's recovery decision number *n* (01–99, in the order decided); a
payment to it settles that decision's ``benefit_undue`` item, never a contribution.

Kind 6: likewise, the two "year" digits are the person's buy-back request number *n* (01–99, in the order asked); a
payment to it settles that request's ``buyback`` items (its dispensed quarters, recovery/buyback.py), never arrears.

A bank file gives the 12 digits; ``parse`` returns None for a communication that is not one of ours
(wrong check digits, file number 0), so the payment is parked for reconciliation instead of being guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

from caisse.errors import InvalidInput
from caisse.identifiers import make_ogm, ogm_is_valid

KINDS = {0: "company_contribution", 1: "quarter", 2: "quarter", 3: "quarter", 4: "quarter", 6: "buyback",
         7: "undue_benefit", 8: "statement", 9: "regularisation"}
BUYBACK = 6
UNDUE = 7
MAX_UNDUE_NUMBER = 99
MAX_FILE_NUMBER = 9_999_999


@dataclass(frozen=True)
class PaymentReference:
    party_id: int
    year: int  # four digits, 2000–2099
    kind: int

    @property
    def designation(self) -> str | None:
        """The ledger period this payment designates (Civil Code art. 1253), if any."""
        if 1 <= self.kind <= 4:
            return f"{self.year}Q{self.kind}"
        if self.kind == 0:
            return str(self.year)
        if self.kind == UNDUE:
            return f"undue/{self.year - 2000}"
        if self.kind == BUYBACK:
            return f"buyback/{self.year - 2000}"
        return None

    @property
    def ogm(self) -> str:
        return make_ogm(f"{self.party_id:07d}{self.year % 100:02d}{self.kind}")


def for_quarter(party_id: int, year: int, quarter: int) -> PaymentReference:
    if not 1 <= quarter <= 4:
        raise InvalidInput("quarter", "1 to 4")
    return _ref(party_id, year, quarter)


def for_company_contribution(party_id: int, year: int) -> PaymentReference:
    return _ref(party_id, year, 0)


def for_regularisation(party_id: int, year: int) -> PaymentReference:
    return _ref(party_id, year, 9)


def for_statement(party_id: int, year: int) -> PaymentReference:
    return _ref(party_id, year, 8)


def for_undue(party_id: int, number: int) -> PaymentReference:
    """The communication of the person's ``number``-th recovery decision of an undue benefit (1–99)."""
    if not 1 <= number <= MAX_UNDUE_NUMBER:
        raise InvalidInput("number", f"1 to {MAX_UNDUE_NUMBER} recovery decisions per person")
    return _ref(party_id, 2000 + number, UNDUE)


def for_buyback(party_id: int, number: int) -> PaymentReference:
    """The communication of the person's ``number``-th request to buy back dispensed quarters (1–99)."""
    if not 1 <= number <= MAX_UNDUE_NUMBER:
        raise InvalidInput("number", f"1 to {MAX_UNDUE_NUMBER} buy-back requests per person")
    return _ref(party_id, 2000 + number, BUYBACK)


def buyback_number(designation: str | None) -> int | None:
    """``buyback/2`` -> 2: the designation of a payment made to a buy-back request's communication; else None."""
    if designation and designation.startswith("buyback/") and designation[8:].isdigit():
        return int(designation[8:])
    return None


def undue_number(designation: str | None) -> int | None:
    """``undue/3`` -> 3: the designation of a payment made to an undue benefit's communication; else None."""
    if designation and designation.startswith("undue/") and designation[6:].isdigit():
        return int(designation[6:])
    return None


def _ref(party_id: int, year: int, kind: int) -> PaymentReference:
    if not 1 <= party_id <= MAX_FILE_NUMBER:
        raise InvalidInput("party_id", f"a file number in a structured communication is 1 to {MAX_FILE_NUMBER}")
    if not 2000 <= year <= 2099:
        raise InvalidInput("year", "2000 to 2099")
    return PaymentReference(party_id, year, kind)


def parse(communication: str | None) -> PaymentReference | None:
    """'+++000/0042/26186+++' or '000004226186' -> PaymentReference(42, 2026, 1); None if not ours."""
    if not communication:
        return None
    digits = "".join(ch for ch in communication if ch.isdigit())
    if len(digits) != 12 or not ogm_is_valid(digits):
        return None
    party_id, yy, kind = int(digits[:7]), int(digits[7:9]), int(digits[9])
    if party_id == 0 or kind not in KINDS:
        return None
    return PaymentReference(party_id, 2000 + yy, kind)
