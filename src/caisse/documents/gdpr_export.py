"""The right-of-access export (GDPR art. 15) as a readable PDF: every section of ``services.gdpr.export_file``,
each record as labelled lines, nested records (an affiliation's categories, a case's messages) indented. Fonts
from ``documents.fonts`` so that any name prints right."""

from __future__ import annotations

import io
from html import escape as _html_escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from caisse.documents.fonts import fonts_for

TITLES = {
    "person": "Identity", "addresses": "Addresses", "bank_accounts": "Bank accounts", "affiliations": "Affiliations",
    "professional_incomes": "Professional incomes", "helping_spouse_links": "Helping-spouse links",
    "company_mandates": "Company mandates", "history": "History of the file", "accounts": "Logins",
    "access_grants_on_this_file": "Who else may see this file (mandates)", "sessions": "Login sessions",
    "messages_to_institutions": "Messages exchanged with institutions", "cases": "Requests, questions, complaints",
    "benefit_claims": "Benefit claims", "recovery_files": "Recovery of unpaid contributions (and every step)",
    "payment_plans": "Payment plans and their instalments",
    "prescription_interruptions": "Acts that interrupted the prescription of a debt",
    "joint_calls": "Companies called for a director's contributions (joint liability)",
    "prescribed_quarters": "Quarters written off as prescribed (no pension right)",
    "recovery_handovers": "Handed to a bailiff or lawyer", "recovery_partner_reports": "What bailiffs and lawyers "
    "reported", "bankruptcies": "Bankruptcies", "dispensation_and_waiver_requests": "Requests for a dispensation "
    "or a surcharge waiver", "dispensed_quarters": "Quarters dispensed by INASTI",
    "direct_debits": "Direct debits collected", "tax_certificates": "Tax certificates",
    "paid_up_certificates": "Certificates of payment of social contributions issued",
    "notifications": "E-mail notifications", "sepa_mandates": "Direct-debit mandates",
    "sepa_mandate_amendments": "Changes to direct-debit mandates (account or reference)", "notices": "Notices sent",
    "approvals": "Refunds and write-offs (four eyes)", "credit_transfers": "Payments made to you",
    "bank_lines": "Bank lines about you", "tax_incomes_parked": "Incomes received from the tax administration "
    "not yet booked", "ledger": "Balances", "ledger_lines": "Ledger lines",
    "who_read_or_changed_this_file": "Who read or changed this file, when and why",
}


def escape(text: str) -> str:
    """Paragraph markup escaping: only &, < and > mean something to reportlab's mini-HTML."""
    return _html_escape(text, quote=False)


MAX_TEXT = 2_000  # a very long value (a message body, a payload) is cut in the PDF; the JSON export has it whole


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " […]"


def render_pdf(data: dict, fund_name: str) -> bytes:
    regular, bold = fonts_for(data)
    body = ParagraphStyle("body", fontName=regular, fontSize=8.5, leading=11)
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=15, leading=19, spaceAfter=4 * mm)
    h2 = ParagraphStyle("h2", fontName=bold, fontSize=11, leading=14, spaceBefore=5 * mm, spaceAfter=2 * mm)
    key_style = f'<font name="{bold}">'

    def record(rec: dict, depth: int) -> list:
        style = ParagraphStyle(f"r{depth}", parent=body, leftIndent=depth * 6 * mm)
        flow, nested = [], []
        for k, v in rec.items():
            if isinstance(v, list) and v and isinstance(v[0], dict):
                nested.append((k, v))
            else:
                flow.append(Paragraph(f"{key_style}{escape(k.replace('_', ' '))}</font>: {escape(_text(v))}", style))
        for k, items in nested:
            flow.append(Paragraph(f"{key_style}{escape(k.replace('_', ' '))}</font> ({len(items)})", style))
            for item in items:
                flow.extend(record(item, depth + 1))
        flow.append(Spacer(0, 1.5 * mm))
        return [KeepTogether(flow)] if len(flow) < 25 else flow

    story = [Paragraph(escape(f"{fund_name} — everything we hold about file {data['file_number']}"), h1),
             Paragraph(escape(f"Right of access (GDPR art. 15). Made on {data['generated_at']} UTC. The same data "
                              "as JSON: /api/persons/{file}/export.".replace("{file}", str(data["file_number"]))),
                       body)]
    for key, value in data.items():
        if key in ("format", "generated_at", "file_number"):
            continue
        story.append(Paragraph(escape(TITLES.get(key, key.replace("_", " ").capitalize())), h2))
        items = [value] if isinstance(value, dict) else value
        if not items:
            story.append(Paragraph("Nothing.", body))
        for item in items:
            story.extend(record(item, 0) if isinstance(item, dict) else [Paragraph(escape(_text(item)), body)])
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title=f"GDPR export — file {data['file_number']}", author=fund_name)

    def page_number(canvas, doc_) -> None:
        canvas.setFont(regular, 7.5)
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, f"file {data['file_number']} — page {doc_.page}")

    doc.build(story, onFirstPage=page_number, onLaterPages=page_number)
    return buf.getvalue()
