"""Belgian identifiers, validated with python-stdnum; each error names the field and the reason.

- NISS (national register number, *numéro d'identification de la sécurité sociale*) and BIS numbers;
- KBO/BCE enterprise number;
- IBAN / BIC;
- structured communication (OGM/VCS, ``+++ddd/dddd/ddddd+++``): 10 digits + check = base mod 97 (97 if 0).
"""

from __future__ import annotations

import datetime as dt

from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum.be import bis as std_bis
from stdnum.be import nn as std_nn
from stdnum.be import ogm_vcs, vat
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

from caisse.errors import InvalidInput
from caisse.texts import T_, Text


def _reason(exc: ValidationError, what: Text) -> Text:
    """Why ``what`` (an identifier's name, itself a ``Text``) is refused: English on the command line and in the
    API, translated on a page (caisse.texts)."""
    if isinstance(exc, InvalidLength):
        return T_("{what} has the wrong number of digits", what=what)
    if isinstance(exc, InvalidChecksum):
        return T_("{what} check digits do not match (typing error?)", what=what)
    if isinstance(exc, InvalidFormat):
        return T_("{what} contains characters that are not allowed", what=what)
    if isinstance(exc, InvalidComponent):
        return T_("{what} contains an impossible part (date or code)", what=what)
    return T_("not a valid {what}", what=what)


NISS = T_("national number (NISS)")
KBO = T_("enterprise number (KBO/BCE)")
IBAN = T_("IBAN")
BIC = T_("BIC")
OGM = T_("structured communication")


def normalize_niss(value: str, field: str = "niss") -> str:
    """Return the 11-digit NISS (national number or BIS number) or raise InvalidInput."""
    if value is None or not str(value).strip():
        raise InvalidInput(field, "national number (NISS) is required")
    raw = str(value)
    try:
        compact = std_nn.compact(raw)
        if compact[2:4].isdigit() and int(compact[2:4]) >= 20:
            return std_bis.validate(raw)
        return std_nn.validate(raw)
    except ValidationError as exc:
        raise InvalidInput(field, _reason(exc, NISS)) from None


def niss_is_bis(niss: str) -> bool:
    return int(niss[2:4]) >= 20


def format_niss(niss: str) -> str:
    return std_nn.format(niss)


def mask_niss(niss: str) -> str:
    """For lists and logs: only the birth part and the last two digits."""
    return f"{niss[:2]}.{niss[2:4]}.{niss[4:6]}-xxx.{niss[-2:]}"


def niss_birth_date(niss: str) -> dt.date | None:
    try:
        if niss_is_bis(niss):
            return std_bis.get_birth_date(niss)
        return std_nn.get_birth_date(niss)
    except (ValidationError, ValueError):
        return None


def normalize_kbo(value: str, field: str = "kbo") -> str:
    """Return the 10-digit enterprise number (KBO/BCE) or raise InvalidInput."""
    if value is None or not str(value).strip():
        raise InvalidInput(field, "enterprise number (KBO/BCE) is required")
    try:
        return vat.validate(str(value))
    except ValidationError as exc:
        raise InvalidInput(field, _reason(exc, KBO)) from None


def format_kbo(kbo: str) -> str:
    return f"{kbo[:4]}.{kbo[4:7]}.{kbo[7:]}"


def normalize_iban(value: str, field: str = "iban") -> str:
    if value is None or not str(value).strip():
        raise InvalidInput(field, "IBAN is required")
    try:
        return std_iban.validate(str(value))
    except ValidationError as exc:
        raise InvalidInput(field, _reason(exc, IBAN)) from None


def format_iban(iban: str) -> str:
    return std_iban.format(iban)


def mask_iban(iban: str) -> str:
    return f"{iban[:4]} xxxx xxxx {iban[-4:]}"


def bic_of_iban(iban: str) -> str | None:
    """The BIC of the bank a Belgian IBAN's bank code belongs to (the NBB's list in python-stdnum); None for another
    country or an unknown bank code."""
    from stdnum.be import iban as be_iban

    return be_iban.to_bic(iban) if iban.startswith("BE") else None


def normalize_bic(value: str, field: str = "bic") -> str:
    try:
        return std_bic.validate(str(value))
    except ValidationError as exc:
        raise InvalidInput(field, _reason(exc, BIC)) from None


def make_ogm(base: int | str) -> str:
    """10-digit base -> '+++ddd/dddd/ddddd+++'."""
    digits = f"{int(base):010d}"
    if len(digits) != 10:
        raise InvalidInput("structured_communication", "base must have at most 10 digits")
    number = digits + ogm_vcs.calc_check_digits(digits)
    return f"+++{ogm_vcs.format(number)}+++"


def normalize_ogm(value: str, field: str = "structured_communication") -> str:
    """Accept '+++123/4567/89012+++', '***…***' or 12 digits; return the 12 digits."""
    try:
        return ogm_vcs.validate(str(value).strip().strip("+*"))
    except ValidationError as exc:
        raise InvalidInput(field, _reason(exc, OGM)) from None


def ogm_is_valid(value: str) -> bool:
    return ogm_vcs.is_valid(str(value).strip().strip("+*"))
