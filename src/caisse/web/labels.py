"""Words shown for codes stored in the database (glossary.md), marked for translation."""

from __future__ import annotations

from caisse.web.i18n import N_

CATEGORY = {
    "main": N_("main activity"),
    "complementary": N_("complementary activity"),
    "student": N_("student self-employed"),
    "helping_spouse": N_("helping spouse"),
    "post_pension": N_("active after pension age"),
    "art37": N_("assimilated to complementary (art. 37)"),
}
STATUS = {
    "requested": N_("requested"),
    "pending_documents": N_("waiting for documents"),
    "pending_transfer": N_("waiting for the transfer from the previous fund"),
    "affiliated": N_("affiliated"),
    "ceased": N_("ceased"),
    "refused": N_("refused"),
}
STEP = {
    "requested": N_("request received"),
    "checked": N_("checked"),
    "affiliated": N_("affiliated"),
    "certificate_issued": N_("certificate issued"),
    "inasti_notified": N_("INASTI notified"),
    "document_received": N_("document received"),
    "transfer_completed": N_("transfer completed"),
    "ceased": N_("ceased"),
}
EVENT = {
    "address_changed": N_("address changed"),
    "iban_changed": N_("bank account changed"),
    "category_changed": N_("contributor category changed"),
    "ceased": N_("cessation"),
    "iban_corrected": N_("bank account corrected"),
    "helping_spouse_linked": N_("helping spouse linked"),
    "director_added": N_("director's mandate started"),
    "director_ended": N_("director's mandate ended"),
    "balance_sheet_recorded": N_("balance sheet recorded"),
}
LANGUAGE = {"fr": N_("French"), "nl": N_("Dutch"), "de": N_("German"), "en": N_("English")}


def label(table: dict[str, str], code: str | None) -> str:
    from caisse.web.i18n import gettext

    if code is None:
        return ""
    return gettext(table.get(code, code))

#: messages produced outside the templates and shown on screen
MESSAGES = (
    N_("Login or password is wrong."),
    N_("This account is locked after too many failed attempts; try again later."),
    N_("Demo accounts only work in a demo fund."),
    N_("The one-time code is missing or wrong."),
    N_("Too many failed attempts from this address; try again later."),
    N_("The form expired; please try again."),
    N_("type at least two characters"),
    N_("Director of company"),
    N_("Helping spouse of"),
    N_("Helped by spouse"),
    N_("Director"),
    N_("National number"),
    N_("Born"),
    N_("Language"),
    N_("E-mail"),
    N_("Phone"),
    N_("IBAN"),
    N_("Enterprise number"),
    N_("Legal form"),
    N_("Affiliated since"),
)

#: the sections of the right-of-access export (caisse.services.gdpr.export_file)
EXPORT_SECTIONS = {
    "person": N_("Identity"),
    "addresses": N_("Addresses"),
    "bank_accounts": N_("Bank accounts"),
    "affiliations": N_("Affiliations"),
    "professional_incomes": N_("Professional incomes"),
    "helping_spouse_links": N_("Helping spouse"),
    "company_mandates": N_("Company mandates"),
    "history": N_("History"),
    "accounts": N_("Your logins"),
    "access_grants_on_this_file": N_("Who else may consult this file (mandates)"),
    "sessions": N_("Sessions"),
    "messages_to_institutions": N_("Messages to institutions"),
    "cases": N_("Your requests and their messages"),
    "contact_notes": N_("Our notes of your calls, visits, e-mails and letters"),
    "caseworkers": N_("Your caseworkers"),
    "notifications": N_("E-mails we sent you"),
    "sepa_mandates": N_("Direct-debit mandates"),
    "sepa_mandate_amendments": N_("Changes to your direct-debit mandates"),
    "notices": N_("Notices"),
    "approvals": N_("Refunds and write-offs"),
    "credit_transfers": N_("Payments to you"),
    "bank_lines": N_("Bank lines about you"),
    "tax_incomes_parked": N_("Incomes from the tax administration not yet booked"),
    "ledger": N_("Your account with the fund"),
    "ledger_lines": N_("Every line of your account"),
    "benefit_claims": N_("Your benefit claims"),
    "recovery_files": N_("Recovery of unpaid contributions, step by step"),
    "payment_plans": N_("Payment plans and their instalments"),
    "prescription_interruptions": N_("Acts that interrupted the prescription"),
    "joint_calls": N_("Joint calls: a company for its director's contributions, a director for the company "
                      "contribution"),
    "prescribed_quarters": N_("Quarters written off as prescribed (no pension right)"),
    "recovery_handovers": N_("Handed to a bailiff or a lawyer"),
    "recovery_partner_reports": N_("What bailiffs and lawyers reported"),
    "bankruptcies": N_("Bankruptcies"),
    "dispensation_and_waiver_requests": N_("Requests for a dispensation or a surcharge waiver"),
    "dispensed_quarters": N_("Quarters dispensed by INASTI"),
    "benefit_dispensed_quarters": N_("Quarters dispensed with a benefit (rights kept)"),
    "benefit_maintained_quarters": N_("Quarters whose health-care rights a bridging right maintained"),
    "buyback_requests": N_("Requests to buy dispensed quarters back"),
    "reduction_requests": N_("Requests to reduce or increase your provisional contributions"),
    "partner_plan_instalments": N_("Instalments of a plan agreed with a bailiff or lawyer"),
    "direct_debits": N_("Direct debits"),
    "tax_certificates": N_("Tax certificates"),
    "paid_up_certificates": N_("Certificates of payment of social contributions issued"),
    "who_read_or_changed_this_file": N_("Who read or changed this file"),
}

CASE_KIND = {
    "question": N_("Question"),
    "complaint": N_("Complaint"),
    "rectification": N_("Correction of my personal data"),
    "reduction": N_("Reduction or increase of provisional contributions"),
    "payment_plan": N_("Payment plan"),
    "dispensation": N_("Dispensation of contributions"),
    "surcharge_waiver": N_("Surcharge waiver"),
    "change": N_("Change of address, bank account or category"),
    "cessation": N_("Cessation of activity"),
    "benefit_claim": N_("Benefit claim"),
    "unmatched_payment": N_("Unmatched payment"),
    "batch_anomaly": N_("Batch anomaly"),
    "life_event": N_("A change in your life: information from the fund"),
    "recovery_contact": N_("Recovery: personal contact"),
    "waiver_proposal": N_("Surcharge waiver: the fund's proposal"),
    "due_reminder": N_("Payment reminder before a due date"),
    "partner_plan_missed": N_("Recovery: instalment missed in a bailiff's plan"),
    "benefit_interest": N_("Interest on a benefit paid late"),
    "illness_assimilation": N_("Assimilation of a period of illness"),
    "continued_insurance": N_("Continued insurance after a cessation"),
}
CHANNEL = {
    "portal": N_("online (portal)"),
    "phone": N_("phone"),
    "email": N_("e-mail"),
    "office": N_("at the office"),
    "letter": N_("letter"),
    "system": N_("raised by the fund"),
}
BATCH_STATUS = {"running": N_("running"), "finished": N_("finished"), "failed": N_("failed")}
CASE_STATUS = {
    "open": N_("open"),
    "waiting_for_person": N_("waiting for your answer"),
    "answered": N_("answered"),
    "closed": N_("closed"),
}

NOTICE_KIND = {
    "quarterly_call": N_("Due notice (quarterly contributions)"),
    "company_call": N_("Due notice (company annual contribution)"),
    "regularisation": N_("Regularisation notice"),
    "statement": N_("Account statement"),
    "summary": N_("Yearly summary"),
}
LIFE_EVENT = {
    "starting": N_("I am starting"),
    "family": N_("My family grows"),
    "ill": N_("I am ill"),
    "cannot_pay": N_("I cannot pay"),
    "stopping": N_("I must stop"),
    "retiring": N_("I am retiring"),
}

NOTE_CHANNEL = {
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "office": N_("Office visit"),
    "letter": N_("Letter"),
    "note": N_("Note"),
}
NOTE_DIRECTION = {
    "in": N_("from the person"),
    "out": N_("to the person"),
    "internal": N_("internal"),
}
RECOVERY_STAGE = {
    "reminder": N_("reminder"),
    "statement": N_("statement of account"),
    "formal_notice": N_("formal notice"),
    "personal_contact": N_("personal contact"),
    "enforcement": N_("enforcement order"),
    "bailiff": N_("bailiff"),
    "court": N_("court"),
    "plan": N_("payment plan"),
    "closed": N_("closed"),
}
LETTER = {
    "reminder": N_("Reminder letter"),
    "statement": N_("Statement of account (letter)"),
    "formal_notice": N_("Formal notice (registered letter)"),
    "enforcement": N_("Enforcement order (contrainte)"),
    "bailiff": N_("Letter: file sent to the bailiff"),
    "plan_granted": N_("Letter: payment plan granted"),
    "plan_missed": N_("Letter: instalment missed"),
    "plan_broken": N_("Letter: payment plan broken"),
    "fiftybis": N_("Letter: small debt, the pension consequence (art. 50bis)"),
}
PLAN_STATUS = {
    "pending": N_("waiting for a decision"),
    "active": N_("in force"),
    "completed": N_("completed"),
    "broken": N_("broken"),
    "refused": N_("refused"),
}
RECONCILIATION_REASON = {
    "no_reference": N_("no structured communication"),
    "not_our_reference": N_("a communication that is not ours"),
    "unknown_debtor": N_("our reference, but no such file"),
    "reference_in_free_text": N_("our reference typed as free text"),
    "unknown_account": N_("not one of the fund's accounts"),
    "returned_transfer": N_("a transfer we sent came back"),
    "unmatched_return": N_("a direct-debit return we cannot tie"),
    "unexplained_debit": N_("a debit we did not order"),
    "globalised_mismatch": N_("a total whose details do not add up"),
}
DEBT_KIND = {
    "contribution": N_("contribution"),
    "management_fee": N_("management fee"),
    "company_contribution": N_("company contribution"),
    "surcharge": N_("surcharge"),
    "costs": N_("judicial costs"),
}
CLOSING_REASON = {
    "paid": N_("paid"),
    "plan": N_("payment plan completed"),
    "dispensation": N_("dispensation"),
    "insolvency": N_("insolvency"),
    "prescribed": N_("prescribed"),
    "written_off": N_("written off"),
    "renounced": N_("renounced (art. 50bis)"),
}
CONTACT_CHANNEL = {
    "phone": N_("Phone"),
    "meeting": N_("Meeting at the office"),
    "visit": N_("Home visit"),
    "video": N_("Video call"),
}
SOLUTION = {
    "reduction": N_("Reduction of the provisional contributions"),
    "surcharge_waiver": N_("Surcharge waiver"),
    "payment_plan": N_("Payment plan"),
    "dispensation": N_("Dispensation of contributions"),
}
BANKRUPTCY_STATUS = {
    "open": N_("procedure open"),
    "closed": N_("procedure ended"),
}
RELIEF_STATUS = {
    "informed": N_("informed of the pension consequence"),
    "requested": N_("recorded, to send to INASTI"),
    "sent": N_("sent to INASTI"),
    "awaiting_approval": N_("decided, waiting for a second person's approval"),
    "granted": N_("granted"),
    "partly_granted": N_("partly granted"),
    "refused": N_("refused"),
}
WAIVER_GROUND = {
    "force_majeure": N_("force majeure"),
    "good_faith": N_("good faith"),
    "hardship": N_("a situation deserving consideration"),
}
RECOVERY_EVENT = {
    "stage": N_("stage"),
    "contact": N_("personal contact logged"),
    "plan_granted": N_("payment plan granted"),
    "plan_missed": N_("instalment missed"),
    "plan_broken": N_("payment plan broken"),
    "fiftybis": N_("informed before renouncing a small debt (art. 50bis)"),
    "plan_completed": N_("payment plan completed"),
    "enforceable": N_("contrainte enforceable: no opposition within the month of its service"),
}
PRESCRIPTION_STATUS = {
    "prescribed": N_("prescribed"),
    "prescribes soon": N_("prescribes soon"),
    "proceedings running: not written off": N_("proceedings running: not written off"),
}

#: what last interrupted the prescription of a debt (caisse.recovery.models.INTERRUPTIONS)
INTERRUPTION = {
    "payment": N_("payment"),
    "payment_plan": N_("payment plan"),
    "acknowledgement": N_("acknowledgement of debt"),
    "formal_notice": N_("formal notice"),
    "enforcement": N_("enforcement order"),
    "summons": N_("summons"),
}
#: why a bank line may be a debtor's payment (caisse.collection.suggestions)
MATCH_BY = {
    "reference": N_("structured communication"),
    "collection": N_("our direct debit"),
    "transfer": N_("our transfer"),
    "iban": N_("account number"),
    "history": N_("earlier payments"),
    "name": N_("name"),
    "amount": N_("amount"),
}
#: the subjects of the cases the fund opens itself (a person's own subject is shown as written)
CASE_SUBJECTS = (
    N_("Recovery: call the debtor before any judicial step"),
    N_("Dispensation of contributions"),
    N_("Surcharge waiver"),
    N_("Bridging right: a caseworker's check before the decision"),  # benefits.service.CHECK_SUBJECT
    N_("Assimilation for illness"),  # benefits.insurance_requests.SUBJECT
    N_("Continued insurance"),
    N_("Surcharge waiver: you may ask it now"),  # recovery.waiver.SUBJECT
    N_("Reminder: a due date is near"),  # batches.due_reminders.SUBJECT
)
#: the subjects the fund writes with values in them, as stored (English): shown translated, each value in the
#: page's language (``web.rendering._case_subject``); {benefit}: a benefit's English name (caisse.benefits.texts),
#: {event}: a life event (benefits.models.EVENT_KINDS), {day}: an ISO date, the others numbers
CASE_SUBJECT_TEMPLATES = (
    N_("Reduction of provisional contributions {year}"),  # recovery.reduction.CASE_SUBJECTS
    N_("Increase of provisional contributions {year}"),
    N_("Payment plan, {months} months"),  # recovery.proposal
    N_("Declarations by phone — claim {claim}"),  # benefits.service
    N_("Undue benefit {undue} — claim {claim}"),  # benefits.undue
    N_("Set-off to decide — claim {claim}"),
    N_("Set-off — claim {claim}"),  # benefits.setoff
    N_("Late interest not computed — claim {claim}"),  # benefits.service
    N_("Late-payment interest — claim no. {claim}"),  # benefits.payment_texts.INTEREST_SUBJECT
    N_("Life event: {event} of {day}"),  # benefits.events
    N_("{benefit} — claim {claim}"),  # benefits.service: a claim's own case (last: the widest pattern)
)
#: the life events the fund learns of (benefits.models.EVENT_KINDS), in a case's subject
BENEFIT_EVENT = {
    "birth": N_("birth"),
    "bankruptcy": N_("bankruptcy"),
    "incapacity": N_("incapacity for work"),
    "cessation": N_("cessation"),
    "pension_age": N_("pension age"),
}

#: the fields a refusal names (``InvalidInput.field``), as the forms call them
FIELD = {
    "account": N_("Colleague"),
    "action": N_("Action"),
    "amount": N_("Amount"),
    "body": N_("Message"),
    "case": N_("Case"),
    "case_id": N_("Case"),
    "files": N_("Documents"),
    "category": N_("Category"),
    "channel": N_("Channel"),
    "closing_reason": N_("Reason for closing"),
    "debtor": N_("Debtor"),
    "ground_kind": N_("Ground"),
    "grounds": N_("Grounds"),
    "happened_on": N_("Date"),
    "iban": N_("IBAN"),
    "income": N_("Income"),
    "informed_on": N_("Information on the pension"),
    "kind": N_("Kind"),
    "months": N_("Months"),
    "party_id": N_("File"),
    "period": N_("Period"),
    "quarters": N_("Quarters"),
    "reason": N_("Reason"),
    "rhythm": N_("Rhythm of the debits"),
    "schedule": N_("Schedule"),
    "signed_personally": N_("Signed personally"),
    "subject": N_("Subject"),
    "summary": N_("Summary"),
    "text": N_("Message"),
    "to_stage": N_("Next stage"),
    "contested_on": N_("Contestation received"),
    "received_on": N_("Received on"),
    "presented_on": N_("Presented on"),
    "served_on": N_("Served on"),
    "opposed_on": N_("Opposition on"),
    "year": N_("Year"),
    "estimate": N_("Estimated income"),
    "institution": N_("Institution"),
    "decided_on": N_("Day of the decision"),
    "reference": N_("The institution's reference"),
    "certificate_reference": N_("Certificate reference"),
    "outcome": N_("Outcome"),
    "request": N_("Request"),
    "justification": N_("Justification"),
    # a benefit claim's page: the claim itself (a refusal of its state), the set-off form's maximum
    "claim": N_("Claim"),
    "max": N_("At most (EUR, optional)"),
    # the day an act was done, typed on a desk form (forwarded on, notified on)
    "on": N_("Date"),
    # the identifiers and the file's data (caisse.identifiers, caisse.services.affiliation)
    "niss": N_("National number"),
    "kbo": N_("Enterprise number"),
    "bic": N_("BIC"),
    "structured_communication": N_("Structured communication"),
    "birth_date": N_("Date of birth"),
    "first_name": N_("First name"),
    "last_name": N_("Last name"),
    "language": N_("Language"),
    "legal_form": N_("Legal form"),
    "name": N_("Name"),
    "documents": N_("Documents"),
    "start_date": N_("Start date"),
    "start_quarter": N_("Quarter the activity started"),
    "end_date": N_("End date"),
    "effective": N_("Effective date"),
    "since": N_("Since"),
    "person_id": N_("File"),
    "amount_cents": N_("Amount"),  # the ledger's (caisse.ledger.operations)
    # a bridging-right claimant's declarations recorded at the desk (web/benefits.py DECLARATION), and its scan
    "professional_activity": N_("Professional activity"),
    "replacement_income": N_("Replacement income"),
    "family_charge": N_("Dependent family"),
    "pension_quarters": N_("Quarters counting for the pension"),
    "months_before": N_("Months of bridging right received outside this fund's records"),
    "rights_quarters_before": N_("Quarters of health-care rights kept outside this fund's records"),
    "declared_on": N_("Declared on"),
    "scan": N_("Scan"),
    # the person's agreement to a set-off recorded at the desk (web/benefits.py desk_set_off)
    "given_on": N_("Signed on"),
    "withdrawn_on": N_("Withdrawn on"),
    "document": N_("Signed document"),
    "file": N_("Document"),
    # a caseworker's verification of a bridging-right claim recorded at the desk (web/benefits.py desk_verify)
    "finding": N_("Finding"),
    "verified_on": N_("Verified on"),
    "condition": N_("Condition"),
}


def field_name(field: str) -> str:
    """A refusal's field in the page's language: ``quarters[1]`` → "Trimestres (2)"."""
    from caisse.web.i18n import gettext

    root, _, rest = field.partition("[")
    index = rest.split("]")[0]
    name = gettext(FIELD[root]) if root in FIELD else root
    return f"{name} ({int(index) + 1})" if index.isdigit() else name


def error_text(exc: Exception) -> str:
    """A refusal as a page shows it: the field and the reason, in the page's language."""
    from caisse.errors import FieldError
    from caisse.web.i18n import gettext, say

    if isinstance(exc, FieldError):
        return f"{field_name(exc.field)}: {say(exc)}"
    return gettext(str(exc))
