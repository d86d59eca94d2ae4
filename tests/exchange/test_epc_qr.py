"""EPC QR payload (EPC069-12, SCT, version 002) and its reportlab drawing."""

from __future__ import annotations

import pytest
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget

from caisse.documents.epc_qr import MAX_PAYLOAD_BYTES, epc_payload, epc_qr_drawing
from caisse.errors import InvalidInput


def test_due_notice_payload_lines():
    p = epc_payload(name="Caisse d'assurances sociales", iban="BE71 0961 2345 6769", bic="GKCCBEBB",
                    amount_cents=123_456, ogm="010806817183")
    assert p.split("\n") == [
        "BCD", "002", "1", "SCT", "GKCCBEBB", "Caisse d'assurances sociales", "BE71096123456769", "EUR1234.56", "",
        "+++010/8068/17183+++",
    ]
    assert "\r" not in p and not p.endswith("\n")


def test_reference_styles_and_free_text():
    base = dict(name="Caisse", iban="BE71096123456769")
    assert epc_payload(**base, ogm="+++010/8068/17183+++", ogm_style="digits").split("\n")[9] == "010806817183"
    lines = epc_payload(**base, amount_cents=1, text="Cotisation 2026 T1", information="merci").split("\n")
    assert lines[4] == "" and lines[7] == "EUR0.01" and lines[9] == "" and lines[10] == "Cotisation 2026 T1"
    assert lines[11] == "merci" and len(lines) == 12
    assert epc_payload(**base).split("\n") == ["BCD", "002", "1", "SCT", "", "Caisse", "BE71096123456769"]
    assert epc_payload(**base, amount_cents=99_999_999_999, purpose="GOVT").split("\n")[7:9] == [
        "EUR999999999.99", "GOVT"]


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
        ({"text": "t" * 141}, "text"),
        ({"information": "i" * 71}, "information"),
        ({"purpose": "govt"}, "purpose"),
        ({"bic": "NOPE"}, "bic"),
        ({"ogm": "010806817183", "ogm_style": "dots"}, "ogm_style"),
    ],
)
def test_bad_input_names_the_field(kw, field):
    args = dict(name="Caisse", iban="BE71096123456769")
    args.update(kw)
    with pytest.raises(InvalidInput) as info:
        epc_payload(**args)
    assert info.value.field == field


def test_max_length():
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


def test_drawing_encodes_the_payload_at_level_m():
    p = epc_payload(name="Caisse", iban="BE71096123456769", amount_cents=5_000, ogm="010806817183")
    d = epc_qr_drawing(p, size=100)
    assert (d.width, d.height) == (100, 100)
    (widget,) = d.contents
    assert isinstance(widget, QrCodeWidget)
    assert widget.value == p and widget.barLevel == "M"
    pdf = renderPDF.drawToString(d)
    assert pdf.startswith(b"%PDF")
    widget.qr.make()
    assert widget.qr.getModuleCount() >= 21
