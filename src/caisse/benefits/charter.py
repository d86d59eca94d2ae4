"""The mentions the Charter of the social insured (law of 11-4-1995) art. 14 requires on a benefit decision
(addendum §15 [S233][S240]): the appeal to the competent labour court and its address, the appeal deadline
(art. 23, stored with the decision), the text of arts. 728 and 1017 of the Judicial Code, the file references and
the service handling the file, where to obtain explanations; for a decision claiming back an undue benefit also
the prescription period, the possibility of a waiver and of paying in instalments.

Taken when the decision is taken and stored with it (``decision["charter"]``), so the document printed later is
the same. What the legislation notes do not give (the courts' addresses, the Judicial Code's text, the
prescription and waiver rules of undue benefits) comes from ``charter.yaml`` (or the fund's own copy,
``CAISSE_CHARTER_MENTIONS_FILE``); a mention not recorded there is stored in ``missing`` and printed as missing:
the appeal period of such a decision does not start (art. 14, last paragraph), and ``follow-up`` never closes it
as if it had.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from caisse.store.models import Address, Party

LANGS = ("fr", "nl", "de", "en")
DEFAULT_FILE = Path(__file__).with_name("charter.yaml")


@lru_cache
def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def recorded() -> dict:
    from caisse.config import get_settings

    return _load(get_settings().charter_mentions_file or str(DEFAULT_FILE))


def _postal_code(session: Session, person_id: int, on: dt.date) -> int | None:
    addr = session.scalar(select(Address).where(Address.party_id == person_id, Address.valid_from <= on)
                          .order_by(Address.valid_from.desc(), Address.id.desc()).limit(1))
    if addr is None or addr.country != "BE" or not addr.postal_code.isdigit():
        return None
    return int(addr.postal_code)


def _texts(entry: dict | None) -> dict | None:
    """A text recorded in every language, or None (not recorded)."""
    if not entry or entry.get("status") == "not_found" or not all(entry.get(lang) for lang in ("fr", "nl", "de")):
        return None
    return {lang: entry.get(lang) or entry["fr"] for lang in LANGS}


def mentions(session: Session, person_id: int, on: dt.date, *, undue: bool = False) -> dict:
    """The art. 14 mentions for a decision of ``on`` about ``person_id`` (stored with the decision)."""
    from caisse.config import get_settings

    data, settings = recorded(), get_settings()
    missing: list[str] = []
    code = _postal_code(session, person_id, on)
    court = None
    for c in data.get("labour_courts") or []:
        low, high = c["postal_codes"]
        if code is not None and low <= code <= high:
            court = {"name": {lang: c["name"].get(lang) or c["name"]["fr"] for lang in LANGS},
                     "address": c["address"], "source": c.get("source")}
            break
    if court is None:
        missing.append("court_address")
    judicial = {}
    for article in ("728", "1017"):
        judicial[article] = _texts((data.get("judicial_code") or {}).get(article))
        if judicial[article] is None:
            missing.append(f"judicial_code_{article}")
    party = session.get(Party, person_id)
    team = settings.team_contacts.get(party.team or "") if party is not None and party.team else None
    service = {"name": (team or {}).get("name"), "phone": (team or {}).get("phone") or settings.fund_phone,
               "email": (team or {}).get("email") or settings.fund_email}
    out = {"court": court, "judicial_code": judicial, "service": service, "file": person_id, "missing": missing}
    if undue:
        extra = data.get("undue") or {}
        for what in ("prescription", "waiver"):
            out[what] = _texts(extra.get(what))
            if out[what] is None:
                missing.append(f"undue_{what}")
    return out
