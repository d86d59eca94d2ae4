"""EPC QR payload (EPC069-12, SCT, version 002), checked byte by byte, and read back from the images we draw.

Rules (EPC069-12 v2.1 "Quick Response Code: Guidelines to Enable Data Capture for the Initiation of a SEPA Credit
Transfer", §2 and its data-element table): service tag BCD, version 002 (BIC optional), character set 1 = UTF-8,
identification SCT, name ≤ 70, IBAN, amount EUR0.01-EUR999999999.99, purpose ≤ 4, structured remittance ≤ 35 or
unstructured ≤ 140 but not both, information ≤ 70, LF separators, nothing after the last element, ≤ 331 bytes,
error correction level M (so version ≤ 13). The Belgian structured communication goes in the structured element
in Febelfin's digital form, its 12 digits (febelfin.be, "Conditions for offering credit transfers").
"""

from __future__ import annotations

import pytest
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget

from caisse.documents.epc_qr import MAX_PAYLOAD_BYTES, epc_payload, epc_qr_drawing
from caisse.documents.notices import qr_modules
from caisse.errors import InvalidInput
from caisse.services.account import qr_svg
from support.qr import decode, image_of_modules, image_of_svg

NOTICE = dict(name="Caisse d'assurances sociales", iban="BE71 0961 2345 6769", bic="GKCCBEBB",
              amount_cents=123_456, ogm="+++010/8068/17183+++")
NOTICE_BYTES = (b"BCD\n002\n1\nSCT\nGKCCBEBB\nCaisse d'assurances sociales\nBE71096123456769\nEUR1234.56\n\n"
                b"010806817183")


def test_due_notice_payload_byte_by_byte():
    p = epc_payload(**NOTICE)
    assert p.encode("utf-8") == NOTICE_BYTES  # no BOM, LF only, nothing after the last element


def test_the_belgian_structured_communication_is_the_structured_element_as_12_digits():
    """Whatever form it is given in (printed +++…+++, ***…***, digits), the OGM is line 10, the 12 digits that
    Belgian banks carry as Strd/CdtrRefInf/Ref with Issr BBA; line 11 (free text) stays absent."""
    for given in ("+++010/8068/17183+++", "***010/8068/17183***", "010806817183", " 010806817183 "):
        lines = epc_payload(name="Caisse", iban="BE71096123456769", amount_cents=100, ogm=given).split("\n")
        assert lines[9] == "010806817183" and len(lines) == 10, given
    assert "+" not in epc_payload(**NOTICE)


def test_iso_11649_creditor_reference_and_free_text():
    base = dict(name="Caisse", iban="BE71096123456769")
    assert epc_payload(**base, creditor_reference="RF18 5390 0754 7034").split("\n")[9] == "RF18539007547034"
    lines = epc_payload(**base, amount_cents=1, text="Cotisation 2026 T1", information="merci").split("\n")
    assert lines[4] == "" and lines[7] == "EUR0.01" and lines[9] == "" and lines[10] == "Cotisation 2026 T1"
    assert lines[11] == "merci" and len(lines) == 12
    assert epc_payload(**base).split("\n") == ["BCD", "002", "1", "SCT", "", "Caisse", "BE71096123456769"]
    assert epc_payload(**base, amount_cents=99_999_999_999, purpose="GOVT").split("\n")[7:9] == [
        "EUR999999999.99", "GOVT"]
    assert epc_payload(**base, amount_cents=120_000).split("\n")[7] == "EUR1200.00"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"iban": "BE71096123456768"}, "iban"),
        ({"name": ""}, "name"),
        ({"name": "N" * 71}, "name"),
        ({"amount_cents": 0}, "amount_cents"),
        ({"amount_cents": 100_000_000_000}, "amount_cents"),
        ({"amount_cents": 12.5}, "amount_cents"),
        ({"ogm": "010806817184"}, "ogm"),
        ({"ogm": "010806817183", "text": "both"}, "ogm"),
        ({"creditor_reference": "RF18539007547034", "text": "both"}, "creditor_reference"),
        ({"ogm": "010806817183", "creditor_reference": "RF18539007547034"}, "ogm"),
        ({"creditor_reference": "RF19539007547034"}, "creditor_reference"),
        ({"text": "t" * 141}, "text"),
        ({"information": "i" * 71}, "information"),
        ({"purpose": "govt"}, "purpose"),
        ({"bic": "NOPE"}, "bic"),
    ],
)
def test_bad_input_names_the_field(kw, field):
    args = dict(name="Caisse", iban="BE71096123456769")
    args.update(kw)
    with pytest.raises(InvalidInput) as info:
        epc_payload(**args)
    assert info.value.field == field


def test_max_length_and_version():
    full = dict(name="N" * 70, iban="BE71096123456769", bic="GKCCBEBBXXX", amount_cents=99_999_999_999,
                purpose="GOVT", information="I" * 70)
    p = epc_payload(**full, text="T" * 100)
    assert len(p.encode()) <= MAX_PAYLOAD_BYTES
    with pytest.raises(InvalidInput) as info:
        epc_payload(**full, text="T" * 140)
    assert info.value.field == "payload"
    # UTF-8: an accented name counts in bytes
    with pytest.raises(InvalidInput):
        epc_payload(**{**full, "name": "é" * 70}, text="T" * 100)
    # 331 bytes, the most allowed, still fit QR version 13 at level M
    longest = "BCD\n002\n1\nSCT\n" + "x" * (MAX_PAYLOAD_BYTES - 14)
    assert len(longest.encode()) == MAX_PAYLOAD_BYTES
    assert (qr_modules(longest).shape[0] - 17) // 4 <= 13


@pytest.mark.parametrize("name", ["Caisse d'assurances sociales", "Sozialversicherungskasse Eupen-Malmedy-St. Vith",
                                  "Caisse é à ü"])
def test_the_notice_code_reads_back_byte_by_byte_at_level_m(name):
    """What a banking app reads from the matrix the notices draw: the payload's exact UTF-8 bytes, level M."""
    payload = epc_payload(**{**NOTICE, "name": name})
    code = decode(image_of_modules(qr_modules(payload)))
    assert code.bytes == payload.encode("utf-8")
    assert code.bytes.startswith(b"BCD\n002\n1\nSCT\n")  # no BOM, no ECI header before the service tag
    assert code.ec_level == "M" and int(code.extra["Version"]) <= 13


def test_the_portal_code_reads_back_byte_by_byte_at_level_m():
    """The account page's SVG (reportlab's QrCodeWidget), rasterised and decoded."""
    payload = epc_payload(**NOTICE)
    code = decode(image_of_svg(qr_svg(payload)))
    assert code.bytes == NOTICE_BYTES and code.ec_level == "M"


def test_drawing_encodes_the_payload_at_level_m():
    p = epc_payload(name="Caisse", iban="BE71096123456769", amount_cents=5_000, ogm="010806817183")
    d = epc_qr_drawing(p, size=100)
    assert (d.width, d.height) == (100, 100)
    (widget,) = d.contents
    assert isinstance(widget, QrCodeWidget)
    assert widget.value == p and widget.barLevel == "M"
    pdf = renderPDF.drawToString(d)
    assert pdf.startswith(b"%PDF")
