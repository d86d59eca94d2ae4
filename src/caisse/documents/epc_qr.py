"""EPC QR code ("SCT" payload of EPC069-12, version 002) for due notices, and its reportlab rendering.

The payload is 10 to 12 lines separated by LF, in this order::

    BCD                     service tag
    002                     version (BIC optional inside the EEA)
    1                       character set: UTF-8
    SCT                     SEPA credit transfer
    GKCCBEBB                BIC of the fund's bank (may be empty)
    Caisse ...              beneficiary name (max 70)
    BE71096123456769        beneficiary IBAN
    EUR1234.56              amount (EUR 0.01 - 999999999.99; empty line when no amount)
                            purpose code (4 letters, optional)
    +++010/8068/17183+++    structured remittance = the Belgian structured communication (max 35)
                            unstructured remittance (max 140) - only when there is no structured one
                            beneficiary-to-originator information (max 70, optional)

Trailing empty lines are left out; the whole payload is at most 331 bytes (UTF-8).

The OGM goes in the *structured* remittance line, never in the free text, so that the payer's bank
sends it as a structured communication (Strd/CdtrRefInf, Issr BBA) and the payment can be matched
automatically. It is written in its printed form ``+++ddd/dddd/ddddd+++`` (what the payer sees on the
notice and what Belgian banking apps show and accept in the structured field); ``ogm_style="digits"``
gives the bare 12 digits instead.
"""

from __future__ import annotations

import re

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from stdnum.be import ogm_vcs

from caisse.errors import InvalidInput
from caisse.identifiers import normalize_bic, normalize_iban, normalize_ogm

MAX_PAYLOAD_BYTES = 331
MAX_AMOUNT_CENTS = 99_999_999_999


def epc_payload(
    *,
    name: str,
    iban: str,
    amount_cents: int | None = None,
    ogm: str | None = None,
    text: str | None = None,
    bic: str | None = None,
    purpose: str | None = None,
    information: str | None = None,
    ogm_style: str = "plus",
) -> str:
    """The EPC QR payload for a credit transfer to the fund. Raises InvalidInput naming the field."""
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput("name", "the beneficiary name is required")
    if len(name) > 70:
        raise InvalidInput("name", f"is {len(name)} characters long, at most 70 are allowed")
    iban = normalize_iban(iban, "iban")
    bic_line = normalize_bic(bic, "bic") if bic else ""
    if amount_cents is None:
        amount_line = ""
    else:
        if isinstance(amount_cents, bool) or not isinstance(amount_cents, int):
            raise InvalidInput("amount_cents", "must be an integer number of cents")
        if not 1 <= amount_cents <= MAX_AMOUNT_CENTS:
            raise InvalidInput("amount_cents", "must be between 0.01 and 999999999.99 EUR")
        amount_line = f"EUR{amount_cents // 100}.{amount_cents % 100:02d}"
    if purpose is not None and not re.fullmatch(r"[A-Z]{4}", purpose):
        raise InvalidInput("purpose", "must be a 4-letter ISO purpose code")
    if ogm and text:
        raise InvalidInput("ogm", "give either a structured communication or a free text, not both")
    reference = ""
    if ogm:
        digits = normalize_ogm(ogm, "ogm")
        if ogm_style == "plus":
            reference = f"+++{ogm_vcs.format(digits)}+++"
        elif ogm_style == "digits":
            reference = digits
        else:
            raise InvalidInput("ogm_style", "must be 'plus' or 'digits'")
    free = " ".join(str(text or "").split())
    if len(free) > 140:
        raise InvalidInput("text", f"is {len(free)} characters long, at most 140 are allowed")
    info = " ".join(str(information or "").split())
    if len(info) > 70:
        raise InvalidInput("information", f"is {len(info)} characters long, at most 70 are allowed")
    lines = ["BCD", "002", "1", "SCT", bic_line, name, iban, amount_line, purpose or "", reference, free, info]
    while lines[-1] == "":
        lines.pop()
    payload = "\n".join(lines)
    size = len(payload.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise InvalidInput("payload", f"is {size} bytes, an EPC QR code holds at most {MAX_PAYLOAD_BYTES}")
    return payload


def epc_qr_drawing(payload: str, size: float = 110.0) -> Drawing:
    """A square reportlab Drawing of ``size`` points holding the QR code (error correction level M, as
    EPC069-12 requires), ready for ``renderPDF.draw`` or a platypus flowable."""
    widget = QrCodeWidget(payload, barLevel="M", barWidth=size, barHeight=size)
    drawing = Drawing(size, size)
    drawing.add(widget)
    return drawing


__all__ = ["MAX_PAYLOAD_BYTES", "epc_payload", "epc_qr_drawing"]
