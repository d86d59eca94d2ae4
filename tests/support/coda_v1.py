"""CODA version 1 test files, made by hand from a CODA 2 file our writer wrote (no third-party file is used).

Version 1 differs from version 2 only where accounts are written (docs/formats/coda.md, "CODA version 1"):

* record 0, position 128: ``1``;
* records 1 (positions 6-42) and 8 (5-41): the Belgian 12-digit account number, a blank, the currency, blanks;
* record 2.3: 11-22 the counterparty's Belgian number, a blank, 24-26 its currency, blanks up to 47,
  48-73 the counterparty's name, 74-125 its address (version 2 continues the communication there instead).
"""

from __future__ import annotations


def bban(iban: str) -> str:
    """The Belgian 12-digit account number inside a Belgian IBAN."""
    assert len(iban) == 16 and iban.startswith("BE"), iban
    return iban[4:]


def _account_zone(account: str, currency: str) -> str:
    """37 characters: the number, a blank, the currency, blanks."""
    return (bban(account) + " " + currency).ljust(37)


def to_version_1(data: bytes, *, address: str = "") -> bytes:
    """The CODA 1 equivalent of a CODA 2 file (cp1252, CRLF) whose accounts are Belgian IBANs. ``address`` goes in
    every record 2.3's address zone."""
    out: list[str] = []
    for rec in data.decode("cp1252").split("\r\n")[:-1]:
        assert len(rec) == 128, rec
        kind = rec[:2]
        if kind[0] == "0":
            rec = rec[:127] + "1"
        elif kind[0] == "1":
            assert rec[1] == "2", "a CODA 2 record 1 of a Belgian IBAN (structure 2)"
            rec = rec[:5] + _account_zone(rec[5:39].strip(), rec[39:42]) + rec[42:]
        elif kind[0] == "8":
            rec = rec[:4] + _account_zone(rec[4:38].strip(), rec[38:41]) + rec[41:]
        elif kind == "23":
            account, currency, name = rec[10:44].strip(), rec[44:47].strip(), rec[47:82].strip()
            assert not rec[82:125].strip(), "a communication that goes on in record 2.3 does not fit CODA 1"
            assert len(name) <= 26 and len(address) <= 52, (name, address)
            number = (bban(account) + " " + currency).ljust(37) if account else " " * 37
            rec = rec[:10] + number + name.ljust(26) + address.ljust(52) + rec[125:]
        assert len(rec) == 128, rec
        out.append(rec)
    return ("\r\n".join(out) + "\r\n").encode("cp1252")


def put(data: bytes, line_no: int, position: int, text: str) -> bytes:
    """Overwrite ``text`` at the 1-based ``position`` of the 1-based ``line_no`` of a CRLF file."""
    lines = data.decode("cp1252").split("\r\n")
    rec = lines[line_no - 1]
    lines[line_no - 1] = rec[: position - 1] + text + rec[position - 1 + len(text):]
    return "\r\n".join(lines).encode("cp1252")
