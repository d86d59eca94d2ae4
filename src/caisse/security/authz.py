"""Authorisation, checked in the services: the role decides *what* one may do, the scope decides *on which
files*. Affiliates reach their own file; accountants and company directors the files they hold a grant for;
caseworkers the files of their team, and any other file only after stating a reason ("need to know"),
which the audit log keeps; managers and auditors read every file; administrators manage accounts only."""

from __future__ import annotations

from dataclasses import dataclass, field

from caisse.errors import CaisseError

STAFF = frozenset({"caseworker", "recovery_officer", "benefits_officer", "manager", "auditor", "administrator"})
TEAM_BOUND = frozenset({"caseworker", "recovery_officer", "benefits_officer"})
#: the person's side: their own file and the files they hold a grant (mandate) for, never by team
PERSON_SIDE = frozenset({"affiliate", "accountant"})

#: action -> roles allowed (scope is checked separately)
PERMISSIONS: dict[str, frozenset[str]] = {
    "file.read": frozenset({"affiliate", "accountant", "caseworker", "recovery_officer", "benefits_officer",
                            "manager", "auditor", "system"}),
    "file.search": frozenset({"caseworker", "recovery_officer", "benefits_officer", "manager", "auditor", "system"}),
    "person.create": frozenset({"caseworker", "manager", "system"}),
    "company.create": frozenset({"caseworker", "manager", "system"}),
    "affiliation.manage": frozenset({"caseworker", "manager", "system"}),
    "contact.change": frozenset({"affiliate", "accountant", "caseworker", "manager", "system"}),
    # a SEPA direct-debit mandate is signed (or revoked) by the debtor, or a company's director: an accountant's
    # mandate on the social file does not cover the bank account
    "mandate.sign": frozenset({"affiliate", "system"}),
    "audit.read": frozenset({"auditor", "manager", "system"}),
    "account.manage": frozenset({"administrator", "system"}),
    # ordering a refund or a write-off (a manager's second pair of eyes above the threshold: services/approvals.py)
    "money.order": frozenset({"caseworker", "recovery_officer", "benefits_officer", "manager", "system"}),
    # moving a recovery file by hand, logging the personal contact, asking a payment plan (services: recovery)
    "recovery.manage": frozenset({"caseworker", "recovery_officer", "manager", "system"}),
    # reading a debtor's recovery (stage, history, plan, prescription, relief, advice) and the recovery overview
    "recovery.read": frozenset({"caseworker", "recovery_officer", "manager", "auditor", "system"}),
    # the hand-over of every file at bailiff / court to the partners (fund-wide: the recovery staff, not a team's
    # caseworker) and the hand-over files again (they name many debtors)
    "recovery.handover": frozenset({"recovery_officer", "manager", "system"}),
    # what the bailiffs and lawyers collected for the fund and still owe (the partners' balances)
    "recovery.partners": frozenset({"manager", "system"}),
    # benefits (issue 8): a claim filed for a file (by the person, their accountant, or the fund's staff on a
    # letter); the decision taken by a benefits officer or a manager (services/benefit_claims.py)
    "benefit.claim": frozenset({"affiliate", "accountant", "caseworker", "benefits_officer", "manager", "system"}),
    "benefit.decide": frozenset({"benefits_officer", "manager", "system"}),
    # the person's agreement that a benefit is set off against their contributions (or its withdrawal): the person
    # themselves, or staff recording what the person signed. An accountant's mandate (``access_grant`` kind
    # ``mandate``: access to the file, no list of powers) does not cover it — the legislation notes say nothing of
    # who may agree, so the person signs (docs/benefits.md, "Set-off against contribution debts")
    "benefit.set_off_consent": frozenset({"affiliate", "caseworker", "benefits_officer", "manager", "system"}),
    # the manager's dashboard: service levels, backlog, collection, arrears, batch runs (counts, no file)
    "dashboard.read": frozenset({"manager", "system"}),
}


class Forbidden(CaisseError):
    """The principal may not do this (403)."""


class NeedToKnow(CaisseError):
    """A caseworker opens a file outside their team: a reason must be given first (403 with a prompt)."""

    def __init__(self, message: str, party_id: int | None = None) -> None:
        super().__init__(message)
        self.party_id = party_id


#: why a handler may open a file of another team: one of these, and always a sentence of their own
REASON_KINDS: dict[str, str] = {
    "contact": "the person contacted us (phone, visit, letter, e-mail)",
    "colleague": "standing in for the file's team",
    "linked_file": "a linked file (spouse, company, director) I am handling",
    "institution": "a question from an institution (INASTI, tax, court, CPAS)",
    "quality": "quality check or complaint handling",
}
MIN_REASON_LENGTH = 10


def need_to_know_reason(reason: str | None, kind: str | None = None) -> str:
    """A meaningful need-to-know reason: a kind from ``REASON_KINDS`` (optional) and at least
    ``MIN_REASON_LENGTH`` characters of the handler's own words (not one repeated character)."""
    from caisse.errors import InvalidInput

    text = " ".join((reason or "").split())
    if "\x00" in text or len(text) > 500:
        raise InvalidInput("reason", "at most 500 characters of plain text")
    if kind is not None and kind not in REASON_KINDS:
        raise InvalidInput("reason_kind", "one of: " + ", ".join(REASON_KINDS))
    letters = [ch for ch in text.lower() if ch.isalnum()]
    if len(text) < MIN_REASON_LENGTH or len(set(letters)) < 4:
        raise InvalidInput("reason", f"say in at least {MIN_REASON_LENGTH} characters why you need this file "
                           "(it is kept in the audit log with your name)")
    return f"{kind}: {text}" if kind else text


class NotAuthenticated(CaisseError):
    """No valid session (401)."""


@dataclass(frozen=True)
class Principal:
    """Who is acting: an account with its role and scope, or the system (CLI, batches)."""

    login: str
    role: str
    account_id: int | None = None
    party_id: int | None = None
    team: str | None = None
    grants: frozenset[int] = field(default_factory=frozenset)
    session_id: int | None = None
    csrf_token: str | None = None
    origin: str | None = None
    #: the language of this account's pages: the one last chosen on a page, else the file's (None: the browser's)
    language: str | None = None

    @classmethod
    def system(cls, name: str) -> Principal:
        return cls(login=name, role="system")

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF or self.role == "system"

    def __str__(self) -> str:
        return self.login


def require(who: Principal, action: str) -> None:
    if who.role not in PERMISSIONS.get(action, frozenset()):
        raise Forbidden(f"{who.role} may not {action.replace('.', ' ')}")


def require_own(who: Principal, owner_id: int | None, thing: str) -> None:
    """A record of a file (a claim, a request...) reached by its own id: the person's side is refused one that is
    not of their own file nor of a file they hold a grant for — and one that does not exist (``owner_id`` None)
    gets the same refusal, so probing ids reveals nothing. Staff pass here: their scope is the file's
    (``require_file``), checked once the record is found."""
    if who.role in PERSON_SIDE and (owner_id is None or (owner_id != who.party_id and owner_id not in who.grants)):
        raise Forbidden(f"this {thing} is not of your files" if who.role == "affiliate"
                        else f"no mandate for this {thing}'s file")


def require_file(who: Principal, action: str, party_id: int, file_team: str | None,
                 reason: str | None = None) -> str | None:
    """Check role and scope for a file; returns the reason to log when need-to-know was invoked."""
    require(who, action)
    if who.role in ("system", "manager", "auditor"):
        return reason
    if who.role == "affiliate":
        if party_id == who.party_id or party_id in who.grants:
            return None
        raise Forbidden("this file is not yours")
    if who.role == "accountant":
        if party_id in who.grants:
            return None
        raise Forbidden("no mandate for this file")
    if who.role in TEAM_BOUND:
        if file_team is not None and file_team == who.team:
            return reason
        if reason and reason.strip():
            return need_to_know_reason(reason)
        raise NeedToKnow("this file belongs to another team: state why you need to open it", party_id)
    raise Forbidden(f"{who.role} may not open files")
