"""The notices a debtor reads: one page, his language, every amount explained, how to pay, a QR code."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import sys
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
from fund import Fund, called_before_the_reduction  # noqa: E402

from caisse.batches import company_call, quarterly_call, regularisation  # noqa: E402
from caisse.batches.models import Notice  # noqa: E402
from caisse.documents.epc_qr import epc_payload  # noqa: E402
from caisse.documents.notices import notice_document, notice_pdf, qr_modules, statement_pdf  # noqa: E402
from caisse.store.db import session_scope  # noqa: E402
from support.qr import decode, image_of_modules, modules_in_pdf  # noqa: E402


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def qr_lines(pdf: bytes) -> list[str]:
    """The EPC QR code printed on the page, as a banking app reads it (level M, UTF-8, one line per element)."""
    code = decode(image_of_modules(modules_in_pdf(pdf)))
    assert code.ec_level == "M" and int(code.extra["Version"]) <= 13
    return code.bytes.decode("utf-8").split("\n")


def expected_qr(s, notice_id: int) -> list[str]:
    doc = notice_document(s, notice_id)
    euros = f"EUR{doc.total_cents // 100}.{doc.total_cents % 100:02d}"
    return ["BCD", "002", "1", "SCT", doc.fund_bic, doc.fund_name, doc.fund_iban, euros, "", doc.ogm12]


def pdf_of(url, kind, party=None):
    with session_scope(url) as s:
        q = select(Notice.id).where(Notice.kind == kind).order_by(Notice.period)
        if party:
            q = q.where(Notice.party_id == party)
        return notice_pdf(s, s.scalar(q), today=dt.date(2026, 1, 5))


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ["Avis d'échéance", "Cotisation provisoire", "Frais de gestion", "revalorisé", "1 315,24", "31/03/2026",
            "+++000/0001/26197+++", "BE71 0961 2345 6769", "majoration de 3 %", "AR n° 38 art. 11 §3"]),
    ("nl", ["Vervaldagbericht", "Voorlopige bijdrage", "Beheerskosten", "geherwaardeerd", "1.315,24", "31-03-2026",
            "+++000/0001/26197+++"]),
    ("de", ["Fälligkeitsmitteilung", "Vorläufiger Beitrag", "Verwaltungskosten", "aufgewertet", "1.315,24 €",
            "31.03.2026", "+++000/0001/26197+++"]),
])
def test_due_notice_in_the_debtors_language(db_url, lang, words):
    Fund(db_url).person(category="main", language=lang, incomes={2023: "23000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate="0.0405")
    text = text_of(pdf_of(db_url, "quarterly_call"))
    for word in words:
        assert word in text.replace("\u202f", " ").replace("\xa0", " "), word
    # the code on the page: the amount, and the structured communication as its 12 digits in the structured element
    lines = qr_lines(pdf_of(db_url, "quarterly_call"))
    assert lines[7:] == ["EUR1315.24", "", "000000126197"]
    with session_scope(db_url) as s:
        assert lines == expected_qr(s, s.scalar(select(Notice.id).where(Notice.kind == "quarterly_call")))


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ["Cotisation provisoire 446,25", "Réduction primo-starter, 1er trimestre d'activité -115,03",
            "la cotisation est réduite de 115,03 € : 446,25 € − 115,03 € = 331,22 €. AR n° 38 art. 12 §1bis",
            "Frais de gestion 13,58 € Frais de gestion du trimestre réduit 2024Q1 : 331,22 € × (1 + 4,10 %) = 344,80 €",
            "Total à payer 344,80 €"]),
    ("nl", ["Voorlopige bijdrage € 446,25", "Vermindering primostarter, eerste kwartaal van activiteit -€ 115,03",
            "de bijdrage wordt verminderd met € 115,03: € 446,25 − € 115,03 = € 331,22. AR n° 38 art. 12 §1bis",
            "Beheerskosten van het verminderde kwartaal 2024Q1: € 331,22 × (1 + 4,10 %) = € 344,80",
            "Totaal te betalen € 344,80"]),
    ("de", ["Vorläufiger Beitrag 446,25 €", "Ermäßigung Primostarter, erstes Tätigkeitsquartal -115,03 €",
            "der Beitrag wird um 115,03 € ermäßigt: 446,25 € − 115,03 € = 331,22 €. AR n° 38 art. 12 §1bis",
            "Verwaltungskosten des ermäßigten Quartals 2024Q1: 331,22 € × (1 + 4,10 %) = 344,80 €",
            "Zu zahlen insgesamt 344,80 €"]),
])
def test_a_primostarters_first_quarter_notice_shows_the_reduction_on_its_own_line(db_url, lang, words):
    # Securex 2024: a primostarter's first quarter is 344.80 with its fee (446.25 − 115.03 = 331.22 × 1.041)
    ana = Fund(db_url).person(category="main", start=dt.date(2024, 1, 15), language=lang, primostarter=True)
    quarterly_call.run(db_url, "2024Q1", fee_rate="0.041")
    quarterly_call.run(db_url, "2024Q2", fee_rate="0.041")
    with session_scope(db_url) as s:
        first, second = (notice_document(s, s.scalar(select(Notice.id).where(Notice.key == key)))
                         for key in (f"quarterly-call/2024Q1/{ana}", f"quarterly-call/2024Q2/{ana}"))
    assert [line.amount_cents for line in first.lines] == [44625, -11503, 1358]
    assert sum(line.amount_cents for line in first.lines) == first.total_cents == 34480
    text = text_of(pdf_of(db_url, "quarterly_call", ana)).replace("\u202f", " ")
    for word in words:
        assert word in text, word
    # the next quarter: the regular amount, no reduction line nor step
    assert [line.amount_cents for line in second.lines] == [44625, 46455 - 44625]
    assert not any("115" in step for step in second.steps)


def regularised(db_url, tmp_path, fund, person, income, fee_rate) -> object:
    """The person's 2024 regularisation notice (income of 2024 assessed 2025-10-01, notice of 2025-11-03)."""
    from caisse.batches.tax_income import import_file

    csv = tmp_path / "t.csv"
    csv.write_text(f"niss,year,net_professional_income,assessment_date\n{fund.niss_of(person)},2024,{income},"
                   "2025-10-01\n")
    import_file(db_url, csv, today=dt.date(2025, 10, 5))
    regularisation.run(db_url, 2024, notice_date=dt.date(2025, 11, 3), fee_rate=fee_rate)
    with session_scope(db_url) as s:
        return notice_document(s, s.scalar(select(Notice.id).where(Notice.kind == "regularisation",
                                                                   Notice.party_id == person)))


@pytest.mark.parametrize(("lang", "why"), [("fr", "Trimestre 2024Q2 : définitif"),
                                          ("nl", "Kwartaal 2024Q2: definitief"), ("de", "Quartal 2024Q2: endgültig")])
def test_each_regularisation_line_says_why_with_the_primostarters_reduction_given_back(db_url, tmp_path, lang, why):
    # called as a plain starter (864.15), known a primostarter afterwards: the definitive first quarter of activity
    # is 615.00 − 115.03 = 499.97 (9,000 × 4/3 = 12,000 × 20.50 % / 4)
    from sqlalchemy import update

    from caisse.store.models import Affiliation

    fund = Fund(db_url)
    ana = fund.person(category="main", start=dt.date(2024, 4, 15), language=lang)
    for q in (2, 3, 4):
        quarterly_call.run(db_url, f"2024Q{q}", fee_rate="0")
    with session_scope(db_url) as s:
        s.execute(update(Affiliation).where(Affiliation.id == ana).values(primostarter=True))
    doc = regularised(db_url, tmp_path, fund, ana, "9000.00", "0")
    assert [line.amount_cents for line in doc.lines] == [49997 - 86415, 61500 - 86415, 61500 - 86415]
    assert doc.lines[0].why.startswith(why) and "499,97" in doc.lines[0].why
    assert all(line.why for line in doc.lines)
    assert any("115,03" in step and "2024Q2" in step for step in doc.steps)


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
@pytest.mark.parametrize("called_reduced", [False, True])
def test_a_quarter_that_differs_only_by_the_reduction_or_the_fee_says_why_as_the_others(db_url, tmp_path, lang,
                                                                                        called_reduced):
    # a primostarter starting in 2024Q2, called at a 4.10 % fee; the fund's rate is 4.50 % at the regularisation and
    # the income (5,000) is under the minimum, so the contribution changes only by the reduction when the call did
    # not take it off yet (464.55 called), else not at all: the quarters' lines are the reduction's and the fees'
    # alone (no line of zero), and each still says definitive − called (331.22 × 1.045 = 346.12; 446.25 × 1.045 =
    # 466.33; called 344.80 when reduced)
    fund = Fund(db_url)
    ana = fund.person(category="main", start=dt.date(2024, 4, 15), language=lang, primostarter=True)
    with contextlib.nullcontext() if called_reduced else called_before_the_reduction():
        for q in (2, 3, 4):
            quarterly_call.run(db_url, f"2024Q{q}", fee_rate="0.041")
    doc = regularised(db_url, tmp_path, fund, ana, "5000.00", "0.045")
    called = 34480 if called_reduced else 46455
    assert [line.amount_cents for line in doc.lines] == [34612 - called, 46633 - 46455, 46633 - 46455]
    word = {"fr": "Trimestre {q} : définitif {d} €, provisoire payé {c} €", "nl": "Kwartaal {q}: definitief € {d}, "
            "voorlopig betaald € {c}", "de": "Quartal {q}: endgültig {d} €, vorläufig bezahlt {c} €"}[lang]
    expected = [("2024Q2", "346,12", "344,80" if called_reduced else "464,55"), ("2024Q3", "466,33", "464,55"),
                ("2024Q4", "466,33", "464,55")]
    for line, (q, d, c) in zip(doc.lines, expected, strict=True):
        assert line.why.startswith(word.format(q=q, d=d, c=c)), line


def test_company_and_regularisation_notices_and_statement(db_url, tmp_path):
    fund = Fund(db_url)
    company = fund.company(start=dt.date(2010, 1, 1), sheets={2023: "900000.00"}, language="fr")
    company_call.run(db_url, 2025)
    text = text_of(pdf_of(db_url, "company_call"))
    assert "cotisation annuelle des sociétés 2025" in text and "998,47" in text and "31/12/2025" in text
    eva = fund.person(category="complementary", start=dt.date(2024, 1, 1), language="nl")
    for q in range(1, 5):
        quarterly_call.run(db_url, f"2024Q{q}", fee_rate="0")
    from caisse.batches.tax_income import import_file

    csv = tmp_path / "t.csv"
    csv.write_text(f"niss,year,net_professional_income,assessment_date\n{fund.niss_of(eva)},2024,6200.00,2025-09-15\n")
    import_file(db_url, csv, today=dt.date(2026, 5, 1))
    regularisation.run(db_url, 2024, notice_date=dt.date(2026, 5, 10), fee_rate="0")
    text = text_of(pdf_of(db_url, "regularisation"))
    for word in ("Regularisatiebericht", "Regularisatie 2024Q1", "222,15", "888,60", "30-09-2026",
                 "definitief € 317,75"):
        assert word in text, word
    # the calculation steps explain the same figures (the batch keeps cents, the rules read euros)
    steps = text[text.index("Hoe wordt dit bedrag berekend?"):]
    assert "€ 6.200,00" in steps and "voorlopig betaald € 95,60" in steps and "= € 888,60 (te betalen)" in steps
    with session_scope(db_url) as s:
        assert qr_lines(pdf_of(db_url, "regularisation")) == expected_qr(
            s, s.scalar(select(Notice.id).where(Notice.kind == "regularisation")))
        statement = statement_pdf(s, eva, dt.date(2026, 5, 11))
        st = text_of(statement)
    assert "Rekeninguittreksel" in st and "2024Q4" in st and "Totaal verschuldigd" in st
    lines = qr_lines(statement)
    assert lines[:4] == ["BCD", "002", "1", "SCT"] and lines[7].startswith("EUR") and len(lines) == 10
    assert lines[9].isdigit() and len(lines[9]) == 12
    assert company  # the company file exists too


def test_the_qr_matrix_is_the_standard_one():
    """Same modules as reportlab's own encoder (which picks the mask the same way) for a notice payload."""
    from reportlab.graphics.barcode.qr import QrCodeWidget

    payload = epc_payload(name="Caisse d'assurances sociales", iban="BE71096123456769", bic="GKCCBEBB",
                          amount_cents=131524, ogm="000000126197")
    widget = QrCodeWidget(payload, barLevel="M")
    widget.qr.make()
    ours = qr_modules(payload)
    assert ours.shape == (np.array(widget.qr.modules).shape)
    # the function patterns and the data are the same whatever the mask: finder corners agree
    assert (ours[:7, :7] == np.array(widget.qr.modules, bool)[:7, :7]).all()


@pytest.mark.parametrize("length", [40, 120, 200, 331])  # versions below and above 7 (version information)
def test_the_qr_matrix_is_the_one_reportlab_places_with_the_mask_chosen(length):
    """The chosen mask is applied by XOR on the data modules: bit for bit what reportlab's encoder writes when
    it places the data with that mask, format and version information included."""
    from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel

    payload = ("BCD\n002\n1\nSCT\nGKCCBEBB\nCaisse\nBE71096123456769\nEUR1315.24\n\n000000126197\n"
               + "x" * length)[:length]
    ours = qr_modules(payload)
    qr = QRCode(None, QRErrorCorrectLevel.M)
    qr.addData(payload)
    qr.version = qr.calculate_version()
    qr.moduleCount = ours.shape[0]
    for mask in range(8):
        qr.makeImpl(False, mask)
        if (np.array(qr.modules, bool) == ours).all():
            return
    raise AssertionError("no mask of reportlab's encoder gives our matrix")


def test_a_due_notice_deducts_the_credit_the_fund_already_held_and_asks_only_the_rest(db_url):
    """500.00 paid too much on 2026Q1: the 2026Q2 notice shows it set off and asks (and QR-codes) only the rest."""
    from caisse.ledger import receive_payment

    ana = Fund(db_url).person(category="main", language="fr", incomes={2023: "12000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate="0.0405")
    with session_scope(db_url) as s:
        receive_payment(s, "coda/t/1/1", dt.date(2026, 3, 2), 92648 + 50000, ana)  # 890.42 + 4.05 % = 926.48
    quarterly_call.run(db_url, "2026Q2", fee_rate="0.0405")
    with session_scope(db_url) as s:
        q2 = s.scalar(select(Notice.id).where(Notice.key == f"quarterly-call/2026Q2/{ana}"))
        pdf = notice_pdf(s, q2, today=dt.date(2026, 4, 2))
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split()).replace("\u202f", " ").replace(
        "\xa0", " ")
    assert "Déjà payé : votre crédit à la" in text and "-500,00" in text
    placed: list[tuple[str, float, float]] = []  # (text, x, y) of each string drawn
    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(
        visitor_text=lambda t, cm, tm, font, size: t.strip() and placed.append((t.strip(), tm[4], tm[5])))
    [(_, _, amount_y)] = [p for p in placed if p[0].startswith("-500,00")]
    label = [p for p in placed if p[0].startswith("Déjà payé") or p[0] == "la caisse"]
    # the long label wraps on two lines left of its amount instead of running into it
    assert [p[0] for p in label] == ["Déjà payé : votre crédit à", "la caisse"] and label[0][2] == amount_y
    assert "426,48" in text  # 926.48 − 500.00, the amount to transfer and in the payment QR code
    with session_scope(db_url) as s:
        assert notice_document(s, q2).total_cents == 42648  # what the payment QR code carries


def test_french_thousands_print_in_the_standard_font_not_as_a_stray_symbol(db_url):
    """1 315,24 € uses a (narrow) no-break space; Helvetica has no narrow one: it must not fall back to a symbol font
    (an account statement has nothing else outside the standard fonts' characters)."""
    ana = Fund(db_url).person(category="main", language="fr", incomes={2023: "23000.00"})
    quarterly_call.run(db_url, "2026Q1", fee_rate="0.0405")
    with session_scope(db_url) as s:
        pdf = statement_pdf(s, ana, today=dt.date(2026, 4, 2))
    assert b"ZapfDingbats" not in pdf
    assert "1 315,24" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\xa0", " ")


def test_a_long_statement_sums_its_oldest_periods_in_one_line_so_the_rows_still_add_up(db_url):
    """Twenty unpaid quarters on one page: the oldest five in one "<= period" line, the total due unchanged."""
    from caisse.ledger import DebtLine, charge

    ana = Fund(db_url).person(category="main", language="fr", incomes={2023: "23000.00"})
    with session_scope(db_url) as s:
        for n in range(20):
            year, q = 2021 + n // 4, n % 4 + 1
            end = dt.date(year, 3 * q, 28)
            charge(s, f"t/{year}Q{q}", ana, f"{year}Q{q}", end, end, [DebtLine("contribution", 10_000, "r", "p")])
        text = text_of(statement_pdf(s, ana, today=dt.date(2026, 6, 1)))
    assert "<= 2022Q1 500,00" in text.replace("\xa0", " ")  # 2021Q1 … 2022Q1: 5 × 100.00
    assert "2022Q2" in text and "2021Q4" not in text
    assert "2 000,00" in text.replace("\xa0", " ").replace("\u202f", " ")  # the total: 20 × 100.00


def test_a_name_beyond_the_standard_fonts_prints_in_dejavu_and_reads_back(db_url):
    """Łukasz Wójcik-Şahin, ul. Świętokrzyska: DejaVu Sans embedded (a subset of the page's characters, with its
    ToUnicode map): the name, the address and the amounts extract as written, the same notice gives the same bytes."""
    from caisse.store.models import Address, Person

    lukasz = Fund(db_url).person(category="main", language="fr", incomes={2023: "23000.00"})
    with session_scope(db_url) as s:
        person = s.get(Person, lukasz)
        person.first_name, person.last_name = "Łukasz", "Wójcik-Şahin"
        s.scalars(select(Address).where(Address.party_id == lukasz)).one().street = "ulica Świętokrzyska"
    quarterly_call.run(db_url, "2026Q1", fee_rate="0.0405")
    pdf = pdf_of(db_url, "quarterly_call")
    assert b"+DejaVuSans " in pdf and b"+DejaVuSans-Bold " in pdf and b"/FontFile2" in pdf and b"/ToUnicode" in pdf
    text = text_of(pdf).replace("\xa0", " ")
    for words in ("Łukasz Wójcik-Şahin", "ulica Świętokrzyska 1", "1 315,24", "+++000/0001/26197+++",
                  "Avis d'échéance", "majoration de 3 %"):
        assert words in text, words
    assert pdf_of(db_url, "quarterly_call") == pdf


def test_every_notice_names_whom_to_ask_the_files_caseworker_else_the_fund(db_url):
    # "a named advisor on every notice" (design/what-users-expect.md): the due notice and the account statement
    # carry the file's caseworker with phone and e-mail, in the debtor's language; a file without one, the fund's
    from caisse.security.authz import Principal
    from caisse.services import caseworkers
    from caisse.services.accounts import create_account

    fund = Fund(db_url)
    held = fund.person(category="main", language="nl", incomes={2023: "23000.00"})
    alone = fund.person(category="main", language="fr", incomes={2023: "23000.00"})
    setup = Principal.system("setup")
    with session_scope(db_url) as s:
        create_account(s, setup, "mvdb", "Correct horse battery staple 43", "manager")
        caseworkers.set_contact(s, setup, "mvdb", name="Marie Van den Broeck", phone="+32 81 23 45 67",
                                email="marie.vandenbroeck@caisse.example")
        caseworkers.assign(s, setup, held, "mvdb", dt.date(2026, 1, 2))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0.0405")
    named = "Uw dossierbeheerder: Marie Van den Broeck — +32 81 23 45 67 — marie.vandenbroeck@caisse.example"
    assert named in text_of(pdf_of(db_url, "quarterly_call", held))
    with session_scope(db_url) as s:
        assert named in text_of(statement_pdf(s, held, dt.date(2026, 2, 1)))
    assert ("Votre contact : Caisse d'assurances sociales de démonstration — +32 2 000 00 00 — info@caisse.example"
            in text_of(pdf_of(db_url, "quarterly_call", alone)))
