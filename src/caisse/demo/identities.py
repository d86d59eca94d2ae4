"""Valid Belgian identifiers for synthetic people and companies (checked by python-stdnum in tests)."""

from __future__ import annotations

import datetime as dt

from stdnum import iban as std_iban


def make_niss(birth: dt.date, sequence: int) -> str:
    """National number: YYMMDD + 3-digit sequence (odd men, even women) + 97 - (base mod 97).

    For people born from 2000 the check is computed on '2' + the 9 digits (the register's rule).
    """
    if not 1 <= sequence <= 998:
        raise ValueError("sequence must be 1..998")
    base = f"{birth:%y%m%d}{sequence:03d}"
    number = int(("2" + base) if birth.year >= 2000 else base)
    return f"{base}{97 - number % 97:02d}"


def make_kbo(base: int) -> str:
    """Enterprise number: 0 or 1 + 7 digits, then 97 - (first 8 digits mod 97)."""
    digits = f"{base:08d}"
    if len(digits) != 8 or digits[0] not in "01":
        raise ValueError("base must have 8 digits starting with 0 or 1")
    return f"{digits}{97 - int(digits) % 97:02d}"


def make_iban(bank_code: str, account: int) -> str:
    """Belgian IBAN: bank code (3) + account (7) + national check (mod 97, 97 if 0), then IBAN check digits."""
    national = f"{bank_code}{account:07d}"
    bban = national + f"{int(national) % 97 or 97:02d}"
    return "BE" + std_iban.calc_check_digits("BE00" + bban) + bban


def make_bis(birth: dt.date, sequence: int, sex_known: bool = True) -> str:
    """BIS number (people not in the national register): month + 40 (sex known) or + 20 (sex unknown)."""
    month = birth.month + (40 if sex_known else 20)
    base = f"{birth:%y}{month:02d}{birth:%d}{sequence:03d}"
    number = int(("2" + base) if birth.year >= 2000 else base)
    return f"{base}{97 - number % 97:02d}"
