"""EPC QR code ("SCT" payload of EPC069-12, version 002) for due notices, and its reportlab rendering.

The payload is 7 to 12 elements separated by LF, in this order (EPC069-12 v2.1 §2 and its table of
data elements; the same order in v3.x)::

    BCD                     service tag
    002                     version (BIC optional inside the EEA)
    1                       character set: UTF-8 (the bytes are UTF-8, without BOM or ECI)
    SCT                     SEPA credit transfer
    GKCCBEBB                BIC of the fund's bank (may be empty in version 002)
    Caisse ...              beneficiary name (max 70)
    BE71096123456769        beneficiary IBAN
    EUR1234.56              amount (EUR 0.01 - 999999999.99, '.' and two decimals; empty when no amount)
                            purpose code (4 letters, optional)
    010806817183            structured remittance (max 35): the Belgian structured communication, or an
                            ISO 11649 RF creditor reference
                            unstructured remittance (max 140) - only when there is no structured one
                            beneficiary-to-originator information (max 70, optional)

The last element given is not followed by a separator; the whole payload is at most 331 bytes, which with
error correction level M keeps the symbol at QR version 13 or lower (EPC069-12 §2, "Definition").

**The Belgian structured communication (OGM/VCS) goes in the structured remittance element as its 12 digits.**
Febelfin defines two forms of it: the paper form ``+++123/4567/89012+++`` and the *digital* form, the 12
digits ``123456789012``; anything added to the digits turns the transfer into one with a free communication
(febelfin.be, "Conditions for offering credit transfers"). The QR payload is digital data that the payer's bank
copies into the transfer it initiates, where a Belgian structured communication is
``RmtInf/Strd/CdtrRefInf/Ref`` = the 12 digits with ``Issr`` BBA (Febelfin XML credit-transfer guidelines; see
``caisse.exchange.sepa``). Belgian banking apps therefore read a 12-digit, modulo-97-valid structured element as
a structured communication; the printed ``+++…+++`` form stays on the paper, next to the code. It is never
put in the free-text element, which would make the payment one with a free communication.
"""

from __future__ import annotations

import re

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from stdnum import iso11649
from stdnum.exceptions import ValidationError

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
    creditor_reference: str | None = None,
    text: str | None = None,
    bic: str | None = None,
    purpose: str | None = None,
    information: str | None = None,
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
    free = " ".join(str(text or "").split())
    given = [f for f, v in (("ogm", ogm), ("creditor_reference", creditor_reference), ("text", free)) if v]
    if len(given) > 1:
        raise InvalidInput(given[0], "give one remittance only: a structured communication, a creditor reference "
                                     "or a free text (EPC069-12: structured or unstructured, not both)")
    reference = ""
    if ogm:
        reference = normalize_ogm(ogm, "ogm")  # Febelfin's digital form: the 12 digits
    elif creditor_reference:
        try:
            reference = iso11649.validate(str(creditor_reference))
        except ValidationError:
            raise InvalidInput("creditor_reference",
                               f"{creditor_reference!r} is not a valid ISO 11649 creditor reference (RF…)") from None
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
