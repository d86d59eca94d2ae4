"""The benefit decision (granting or refusal) as PDF in the person's language (fr / nl / de).

Drawn only from what was stored when the decision was taken (``benefit_claim.decision``): the facts, each
condition checked, the reasons of a refusal, the computation of the rules engine, every parameter value used with
its date, status, law and sources, the amount and the payment deadline, and the appeal route to the labour court
with its deadline (Charter of the social insured art. 23, addendum §15) — so printing it again gives the same
document. As many A4 pages as needed.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from sqlalchemy.orm import Session

from caisse.benefits.models import BenefitClaim
from caisse.benefits.texts import CASE, DOC, KIND
from caisse.documents.fonts import fonts_for
from caisse.documents.notices import _debtor, _fund, _wrap
from caisse.errors import Conflict, NotFound
from caisse.rules.explain import fmt_date, fmt_money


def _fact(key: str, value, lang: str) -> str:
    t = DOC[lang]
    if isinstance(value, bool):
        return t["yes"] if value else t["no"]
    if key == "case":
        return CASE[value][lang]
    if key.endswith("date") or key in ("start", "end"):
        return fmt_date(dt.date.fromisoformat(value), lang)
    return str(value)


def decision_lines(claim: BenefitClaim, name: str, file_number: int, lang: str, phone: str = "",
                   email: str = "") -> list[tuple[str, str]]:
    """(style, text) lines of the document: style is title, heading, text, bold or small."""
    d = claim.decision
    t = DOC[lang]
    kind = KIND[claim.kind][lang] + (f" ({CASE[claim.bridging_case][lang]})" if claim.bridging_case else "")
    granted = d["outcome"] == "granted"
    out = [("title", t["title_granted" if granted else "title_refused"].format(kind=kind)),
           ("text", t["claim"].format(claim=claim.id, received=fmt_date(claim.received_on, lang),
                                      decided=fmt_date(claim.decided_on, lang))),
           ("heading", t["facts"])]
    for key, value in d["facts"].items():
        sep = " : " if lang == "fr" else ": "
        out.append(("text", f"{t['fact_keys'].get(key, key)}{sep}{_fact(key, value, lang)}"))
    out.append(("heading", t["checks"]))
    for c in d["checks"]:
        out.append(("text", ("+ " if c["ok"] else "– ") + c["rendered"][lang]))
    if not granted:
        out.append(("heading", t["reasons"]))
        for reason in d["reasons"][lang] or []:
            out.append(("bold", reason))
    if d["computation"][lang]:
        out.append(("heading", t["computation"].format(rule=f"{d['rule']} — {_lang(d['law'], lang)}")))
        for line in d["computation"][lang]:
            out.append(("text", line))
    if granted:
        out.append(("bold", t["amount"].format(amount=fmt_money(d["amount_cents"], lang))))
        if claim.payer == "fund":
            out.extend(payment_lines(d, lang))
            out.append(("text", t["payment"].format(due=fmt_date(claim.payment_due, lang),
                                                    months=_payment_months(d))))
        else:
            out.append(("text", t["mutuality"].format(vouchers=d.get("service_vouchers", ""))))
        for extra in ("dispensation", "vouchers_request", "maintained_rights"):
            if d.get(extra):
                out.append(("text", ("+ " if d[extra]["ok"] else "– ") + d[extra]["rendered"][lang]))
    else:
        out.append(("bold", t["amount_zero"]))
    if d.get("uses_estimates"):
        out.append(("bold", t["estimate"]))
    out.append(("heading", t["parameters"]))
    for p in d["parameters"][lang]:
        sources = "; ".join(s["title"] + (f" <{s['url']}>" if s.get("url") else "") for s in p["sources"])
        value = fmt_money(int(Decimal(p["value"]) * 100), lang) if p["unit"] == "EUR" else p["value"]
        out.append(("small", f"{p['label']}: {value} ({fmt_date(dt.date.fromisoformat(p['from']), lang)}, "
                             f"{p['status_text']}) — "
                             f"{p['law']} — {sources}"))
    a = d["appeal"]
    out.append(("heading", t["appeal_title"]))
    out.append(("text", t["appeal"].format(months=a["months"], law=_lang(a["law"], lang),
                                           sources="; ".join(f"[{s['tag']}] {s['title']}" for s in a["sources"]))))
    from caisse.benefits.service import appeal_until

    until = appeal_until(claim)  # None while not notified, or a mandatory mention missing (said below)
    if until is not None:
        out.append(("bold", t["notified"].format(notified=fmt_date(claim.notified_on, lang),
                                                 how=t[f"notified_{claim.notified_by}"],
                                                 until=fmt_date(until, lang))))
    if d.get("charter"):
        out.extend(charter_lines(d["charter"], lang, t["reference_claim"].format(claim=claim.id)))
    else:  # a decision taken before the Charter mentions were stored
        out.append(("text", t["contact"].format(claim=claim.id, file=file_number, phone=phone, email=email)))
    return out


def payment_lines(d: dict, lang: str) -> list[tuple[str, str]]:
    """The withholding tax (applied at a recorded rate, or not applied: rate not recorded) and the set-off against
    contributions the person agreed to, as stored with the decision (decisions taken before say nothing)."""
    from caisse.benefits.payment_texts import ACCOUNT, SET_OFF_DOC, WITHHOLDING_DOC

    out: list[tuple[str, str]] = []
    tax = d.get("withholding")
    if tax:
        w = WITHHOLDING_DOC[lang]
        out.append(("text", w["gross"].format(amount=fmt_money(tax["gross_cents"], lang))))
        if tax["applied"]:
            rate = format(Decimal(tax["rate"]) * 100, "f").rstrip("0").rstrip(".")
            out.append(("text", w["applied"].format(
                withheld=fmt_money(tax["withheld_cents"], lang), rate=rate.replace(".", ",") if lang != "en" else rate,
                source=tax["source"], net=fmt_money(tax["gross_cents"] - tax["withheld_cents"], lang))))
        else:
            out.append(("bold", w["not_applied"]))
    so = d.get("contribution_set_off")
    if so:
        t = SET_OFF_DOC[lang]
        given = fmt_date(dt.date.fromisoformat(so["given_on"]), lang)
        out.append(("heading", t["title"].format(given=given)))
        if not so["lines"]:
            out.append(("text", t["none"].format(given=given)))
        for x in so["lines"]:
            out.append(("text", t["line"].format(period=x["period"], account=ACCOUNT[x["account"]][lang],
                                                 amount=fmt_money(x["cents"], lang))))
        if so["lines"]:
            out.append(("bold", t["total"].format(set_off=fmt_money(so["set_off_cents"], lang),
                                                  paid=fmt_money(so["paid_cents"], lang))))
    return out


def _lang(value, lang: str) -> str:
    """A stored text: one string (decisions taken before the legal grounds were translated) or one per language."""
    return value.get(lang) or value.get("fr", "") if isinstance(value, dict) else str(value)


def charter_lines(c: dict, lang: str, reference: str) -> list[tuple[str, str]]:
    """The Charter art. 14 mentions stored with a decision (``caisse.benefits.charter.mentions``)."""
    t = DOC[lang]
    out = [("heading", t["charter_title"])]
    if c.get("court"):
        out.append(("text", t["court"].format(name=c["court"]["name"][lang], address=c["court"]["address"])))
    else:
        out.append(("bold", t["court_missing"]))
    for article in ("728", "1017"):
        text = (c.get("judicial_code") or {}).get(article)
        out.append(("small", t["code"].format(article=article, text=text[lang])) if text else
                   ("bold", t["code_missing"].format(article=article)))
    for what in ("prescription", "waiver"):
        if what in c:
            out.append(("text", c[what][lang]) if c[what] else ("bold", t[f"undue_{what}_missing"]))
    service = c["service"]
    out.append(("text", t["service"].format(name=service.get("name") or t["service_name"], phone=service["phone"],
                                            email=service["email"], file=c["file"], reference=reference)))
    out.append(("text", t["consult"]))
    if c.get("missing"):
        out.append(("bold", t["missing_effect"]))
    return out


def _payment_months(d: dict) -> str:
    for p in d["parameters"]["en"]:
        if p["name"] == "charter_payment_months":
            return p["value"]
    return "4"


STYLE = {"title": (True, 13, 6.5), "heading": (True, 10.5, 5.5), "bold": (True, 9.5, 4.4), "text": (False, 9.5, 4.4),
         "small": (False, 7.5, 3.5)}


def decision_pdf(session: Session, claim_id: int) -> bytes:
    claim = session.get(BenefitClaim, claim_id)
    if claim is None:
        raise NotFound("claim", claim_id)
    if claim.decision is None:
        raise Conflict("claim", f"claim {claim_id} is not decided yet (caisse benefits decide --claim {claim_id})")
    lang = _language(session, claim.person_id, claim.decided_on)
    from caisse.config import get_settings

    settings = get_settings()
    name = _debtor(session, claim.person_id, claim.decided_on)[0]
    lines = decision_lines(claim, name, claim.person_id, lang, settings.fund_phone, settings.fund_email)
    return render(session, claim.person_id, claim.decided_on, lines,
                  DOC[lang]["header"].format(claim=claim.id, file=claim.person_id, phone=settings.fund_phone,
                                             email=settings.fund_email))


def undue_pdf(session: Session, undue_id: int) -> bytes:
    """The decision claiming back an undue benefit, in the person's language (``caisse.benefits.undue``)."""
    from caisse.benefits.models import UndueBenefit
    from caisse.benefits.undue import undue_lines
    from caisse.config import get_settings

    u = session.get(UndueBenefit, undue_id)
    if u is None:
        raise NotFound("undue", undue_id)
    lang = _language(session, u.person_id, u.decided_on)
    settings = get_settings()
    ref = DOC[lang]["reference_undue"].format(undue=u.id)
    return render(session, u.person_id, u.decided_on, undue_lines(u, lang),
                  f"{DOC[lang]['header'].split('—')[0].format(file=u.person_id).strip()} — {ref} — "
                  f"{settings.fund_phone} — {settings.fund_email}")


def _language(session: Session, person_id: int, on: dt.date) -> str:
    language = _debtor(session, person_id, on)[2]
    return language if language in DOC else "fr"


def render(session: Session, person_id: int, on: dt.date, lines: list[tuple[str, str]], reference: str) -> bytes:
    """A decision as A4 pages: the fund, the reference line and the person's address on each page, then ``lines``."""
    name, address, _language_ = _debtor(session, person_id, on)
    return render_pages(lines, name, address, reference)


def render_pages(lines: list[tuple[str, str]], name: str, address: list[str], reference: str) -> bytes:
    """As many A4 pages as ``lines`` (style, text) need: the fund and ``reference`` on top of each, the addressee on
    the right (benefit decisions, relief letters)."""
    fund_name = _fund()[0]
    regular, bold = fonts_for(*(text for _, text in lines), name, *address, reference)
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=True, pageCompression=0)
    pdf.setTitle(f"{lines[0][1]} — {name}")
    width, height = A4
    left, right = 18 * mm, width - 18 * mm

    def header() -> float:
        y = height - 18 * mm
        pdf.setFont(bold, 11)
        pdf.drawString(left, y, fund_name)
        pdf.setFont(regular, 8.5)
        pdf.drawString(left, y - 4.5 * mm, reference)
        ay = y - 4 * mm
        pdf.setFont(regular, 10)
        for line in [name, *address]:
            pdf.drawString(110 * mm, ay, line)
            ay -= 4.8 * mm
        return y - 28 * mm

    y = header()
    for style, text in lines:
        is_bold, size, lead = STYLE[style]
        font = bold if is_bold else regular
        if style == "heading":
            y -= 2.5 * mm
        for line in _wrap(text, font, size, right - left):
            if y < 18 * mm:
                pdf.showPage()
                y = header()
            pdf.setFont(font, size)
            pdf.drawString(left, y, line)
            y -= lead * mm
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


__all__ = ["charter_lines", "decision_lines", "decision_pdf", "render", "render_pages", "undue_pdf"]
