"""`caisse reconcile ...`: the reconciliation queue (bank lines the import could not book) and the fund's
bank accounts; `caisse mandate ...`: SEPA direct-debit mandates."""

from __future__ import annotations

import json

import typer

from caisse.cli.export import parse_date
from caisse.cli.platform import DbOption, database_url

app = typer.Typer(help="Reconcile bank lines the import could not book.", no_args_is_help=True)
mandate_app = typer.Typer(help="SEPA direct-debit mandates.", no_args_is_help=True)

WHO = "cli:reconcile"

RHYTHM_HELP = ("quarterly (what is due, on each collection) or monthly (also about a third of the current quarter's "
               "provisional contribution each month: a third, half the rest, the rest).")


def _eur(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _suggestions(found: list[dict]) -> str:
    return ", ".join(f"{s['party_id']} ({'+'.join(s['by'])}{' ' + s['period'] if s.get('period') else ''})"
                     for s in found) or "-"


def _audit_read(session, audit, items: list[dict], what: str) -> None:
    """A read of bank lines: who (the OS user), which items and the files they point to, what."""
    import getpass

    who = f"cli:{getpass.getuser()}"
    audit.record(session, who, "read", "reconciliation_item", None, origin="cli",
                 detail={"what": what, "items": [it["item"] for it in items]})
    audit.record_reads(session, who, "reconciliation_item", (s["party_id"] for it in items for s in it["suggestions"]
                                                             if s.get("party_id")), what=what, origin="cli")


@app.command("list")
def list_(all_: bool = typer.Option(False, "--all", help="Also resolved items."),
          reason: str | None = typer.Option(None, "--reason", help="Only items of this reason."),
          limit: int = typer.Option(100, min=1, max=10_000), db: str | None = DbOption) -> None:
    """The open items, oldest first: amount, payer, communication, suggested debtors."""
    from caisse.collection.models import QUEUE_REASONS
    from caisse.collection.reconciliation import list_items
    from caisse.errors import InvalidInput
    from caisse.store.db import session_scope

    if reason is not None and reason not in QUEUE_REASONS:
        raise InvalidInput("reason", f"one of {', '.join(QUEUE_REASONS)}")
    from caisse.identifiers import mask_iban
    from caisse.services import audit

    with session_scope(database_url(db)) as session:
        items = list_items(session, status=None if all_ else "open", reason=reason, limit=limit)
        _audit_read(session, audit, items, "payer name, masked IBAN, communication, suggested files")
    for it in items:
        iban = mask_iban(it["counterparty_iban"]) if it["counterparty_iban"] else ""
        status = f"awaiting approval (request {it['awaiting_approval']})" if it.get("awaiting_approval") \
            else it["status"]
        typer.echo(f"#{it['item']:<6} {status:<8} {it['reason']:<22} {_eur(it['amount_cents']):>12} "
                   f"{it['value_date']}  {it['counterparty_name'] or '?'} {iban}  "
                   f"{(it['communication'] or '')[:40]!r}  suggested: {_suggestions(it['suggestions'])}")
    typer.echo(f"{len(items)} item(s)")


@app.command("show")
def show(item: int = typer.Argument(..., help="Item number."), db: str | None = DbOption) -> None:
    """Everything about one item (as JSON)."""
    from caisse.collection.reconciliation import show_item
    from caisse.services import audit
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as session:
        found = show_item(session, item)
        _audit_read(session, audit, [found], "bank line (payer, IBAN, communication), suggested files")
    typer.echo(json.dumps(found, default=str, indent=2, ensure_ascii=False))


@app.command("assign")
def assign(item: int = typer.Argument(..., help="Item number."),
           debtor: int = typer.Option(..., "--debtor", help="The debtor's file number (party id)."),
           period: str | None = typer.Option(None, "--period", help="Period the payer meant (2026Q1, 2026)."),
           amount_cents: int | None = typer.Option(None, "--amount-cents", min=1,
                                                   help="Part of the payment (default: all that is left)."),
           request_id: str | None = typer.Option(None, "--request-id", help="Idempotency key of a partial assignment."),
           not_a_collection: bool = typer.Option(False, "--not-a-collection",
                                                 help="A transfer from a bailiff's or lawyer's account that is not "
                                                      "money they collected (a collection reaches the debtor through "
                                                      "the partner's status file)."),
           db: str | None = DbOption) -> None:
    """Assign a parked payment to a debtor (booked on the bank's value date, then imputed)."""
    from caisse.collection.reconciliation import assign_item
    from caisse.errors import InvalidInput
    from caisse.store.db import session_scope

    if amount_cents is not None and request_id is None:
        raise InvalidInput("request_id", "a partial assignment needs --request-id (so a retry does not repeat it)")
    with session_scope(database_url(db)) as session:
        result = assign_item(session, item, debtor, WHO, designation=period, amount_cents=amount_cents,
                             request_id=request_id, not_a_collection=not_a_collection)
    typer.echo(f"item {item}: assigned to debtor {debtor}" if result.receipt.created
               else f"item {item}: already assigned ({result.receipt.key})")


@app.command("remittance")
def remittance(item: int = typer.Argument(..., help="Item number."),
               partner: str = typer.Option(..., "--partner", help="The bailiff's or lawyer's code."),
               amount_cents: int | None = typer.Option(None, "--amount-cents", min=1,
                                                       help="Part of the payment (default: all that is left, up "
                                                            "to what the partner owes)."),
               request_id: str | None = typer.Option(None, "--request-id",
                                                     help="Idempotency key of a partial settlement."),
               db: str | None = DbOption) -> None:
    """A parked payment is a partner's remittance: it settles what the partner collected for the fund (booked on
    the bank's value date); what exceeds the partner's clearing balance stays parked."""
    from caisse.collection.reconciliation import remittance_item
    from caisse.errors import InvalidInput
    from caisse.store.db import session_scope

    if amount_cents is not None and request_id is None:
        raise InvalidInput("request_id", "a partial settlement needs --request-id (so a retry does not repeat it)")
    with session_scope(database_url(db)) as session:
        result = remittance_item(session, item, partner, WHO, amount_cents=amount_cents, request_id=request_id)
        from caisse.ledger import clearing_balance, load, unassigned

        settled = -sum(e.amount_cents for e in load(session, result.key).entries if e.account == "partner_clearing")
        left = unassigned(session, load(session, result.key).refers_to)
        owes = clearing_balance(session, partner.strip())
    if not result.created:
        typer.echo(f"item {item}: already settled ({result.key})")
        return
    typer.echo(f"item {item}: {_eur(settled)} EUR settles partner {partner.strip()}'s clearing; partner still owes "
               f"{_eur(owes)} EUR" + (f"; {_eur(left)} EUR still parked" if left else ""))


@app.command("refund")
def refund(item: int = typer.Argument(..., help="Item number."),
           reason: str = typer.Option(..., "--reason", help="Why (wrong fund, unknown payer, ...)."),
           iban: str | None = typer.Option(None, "--iban", help="Account to refund to (default: the payer's)."),
           db: str | None = DbOption) -> None:
    """Ask the refund of a parked payment to its payer (paid by the next credit-transfer file). Four eyes: to the
    payer's own account up to CAISSE_FOUR_EYES_THRESHOLD_CENTS it is ordered at once; to another account, or
    above, it awaits the approval of a manager on the desk (/desk/approvals)."""
    import getpass

    from caisse.collection.reconciliation import refund_item
    from caisse.security.authz import Principal
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as session:
        order = refund_item(session, item, Principal.system(f"cli:{getpass.getuser()}"), reason=reason, iban=iban)
        approval_id, amount, status, key = (order.approval.id, order.approval.amount_cents, order.approval.status,
                                            order.key)
    if status == "pending":
        typer.echo(f"item {item}: refund of {_eur(amount)} EUR awaiting approval (request {approval_id}: a manager "
                   f"who did not ask decides on /desk/approvals)" if order.created
                   else f"item {item}: refund already asked, awaiting approval (request {approval_id})")
    else:
        typer.echo(f"item {item}: refund ordered ({key})" if order.created
                   else f"item {item}: refund already ordered ({key})")


@app.command("return")
def match_return(item: int = typer.Argument(..., help="Item number (a direct-debit return)."),
                 payment_key: str = typer.Option(..., "--payment-key", help="Ledger key of the payment taken back."),
                 db: str | None = DbOption) -> None:
    """Tie a returned direct debit to the payment it takes back (the ledger reverses it)."""
    from caisse.collection.reconciliation import match_return as run
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as session:
        run(session, item, payment_key, WHO)
    typer.echo(f"item {item}: {payment_key} reversed")


@app.command("acknowledge")
def acknowledge(item: int = typer.Argument(..., help="Item number (a debit)."),
                note: str = typer.Option(..., "--note", help="What the debit is (bank costs, ...)."),
                db: str | None = DbOption) -> None:
    """Close a debit nobody ordered through caisse (bank costs, ...), with its explanation."""
    from caisse.collection.reconciliation import acknowledge_item
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as session:
        acknowledge_item(session, item, WHO, note=note)
    typer.echo(f"item {item}: acknowledged")


@app.command("fund-account")
def fund_account(iban: str = typer.Argument(..., help="IBAN of an account of the fund."),
                 bic: str | None = typer.Option(None, "--bic"), label: str | None = typer.Option(None, "--label"),
                 valid_from: str | None = typer.Option(None, "--from", help="First day (ISO) it is the fund's."),
                 db: str | None = DbOption) -> None:
    """Declare an account of the fund (besides CAISSE_FUND_IBAN): its statements are reconciled."""
    from caisse.collection.reconciliation import add_fund_account
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as session:
        account = add_fund_account(session, iban, WHO, bic=bic, label=label,
                                   valid_from=parse_date(valid_from, "valid_from"))
        typer.echo(f"fund account {account.iban} added")


@mandate_app.command("add")
def mandate_add(debtor: int = typer.Option(..., "--debtor", help="The debtor's file number (party id)."),
                iban: str = typer.Option(..., "--iban", help="The debtor's account."),
                signed_on: str = typer.Option(..., "--signed-on", help="Signature date (ISO)."),
                bic: str | None = typer.Option(None, "--bic"),
                name: str | None = typer.Option(None, "--name", help="Account holder (default: the debtor)."),
                reference: str | None = typer.Option(None, "--reference", help="Mandate reference (default: made)."),
                rhythm: str = typer.Option("quarterly", "--rhythm", help=RHYTHM_HELP),
                db: str | None = DbOption) -> None:
    """Record a SEPA core direct-debit mandate the debtor signed."""
    from caisse.collection.direct_debit import add_mandate, check_rhythm
    from caisse.store.db import session_scope

    rhythm = check_rhythm(rhythm)  # before the database is opened
    with session_scope(database_url(db)) as session:
        m = add_mandate(session, debtor, iban, parse_date(signed_on, "signed_on"), "cli:mandate", bic=bic,
                        debtor_name=name, reference=reference, rhythm=rhythm)
        typer.echo(f"mandate {m.reference} for debtor {debtor}, {m.iban}, signed {m.signed_on}, collected {m.rhythm}")


@mandate_app.command("rhythm")
def mandate_rhythm(reference: str = typer.Argument(..., help="Mandate reference."),
                   rhythm: str = typer.Option(..., "--rhythm", help=RHYTHM_HELP),
                   db: str | None = DbOption) -> None:
    """Choose how often the mandate is collected, from the next collection run (the debtor's choice)."""
    from caisse.collection.direct_debit import check_rhythm, set_rhythm
    from caisse.store.db import session_scope

    rhythm = check_rhythm(rhythm)
    with session_scope(database_url(db)) as session:
        m, changed = set_rhythm(session, reference, rhythm, "cli:mandate")
        typer.echo(f"mandate {m.reference} collected {m.rhythm}" + ("" if changed else " (unchanged)"))


@mandate_app.command("amend")
def mandate_amend(reference: str = typer.Argument(..., help="Mandate reference."),
                  iban: str | None = typer.Option(None, "--iban", help="The debtor's new account."),
                  bic: str | None = typer.Option(None, "--bic", help="The new account's BIC, when known."),
                  new_reference: str | None = typer.Option(None, "--new-reference",
                                                           help="A new reference for the mandate."),
                  on: str | None = typer.Option(None, "--on", help="Date of the change (ISO, default: today)."),
                  db: str | None = DbOption) -> None:
    """Keep the mandate when the debtor's account (or its reference) changes: the next collection tells the debtor's
    bank, once (same bank: the original account; another bank: SMNDA)."""
    from caisse.collection.direct_debit import amend_mandate
    from caisse.errors import InvalidInput
    from caisse.identifiers import format_iban
    from caisse.store.db import session_scope

    if iban is None and new_reference is None:
        raise InvalidInput("iban", "give the new account (--iban) or a new reference (--new-reference)")
    with session_scope(database_url(db)) as session:
        a = amend_mandate(session, reference, "cli:mandate", iban=iban, bic=bic, new_reference=new_reference,
                          amended_on=parse_date(on, "on"))
        typer.echo(f"mandate {a.new_reference} amended on {a.amended_on}: {format_iban(a.new_iban)}"
                   + (f" (was {a.old_reference})" if a.old_reference != a.new_reference else "")
                   + "; the next collection tells the debtor's bank")


@mandate_app.command("revoke")
def mandate_revoke(reference: str = typer.Argument(..., help="Mandate reference."),
                   on: str = typer.Option(..., "--on", help="Date of the revocation (ISO)."),
                   reason: str | None = typer.Option(None, "--reason"), db: str | None = DbOption) -> None:
    """Revoke a mandate: it is not collected on any more."""
    from caisse.collection.direct_debit import revoke_mandate
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as session:
        revoke_mandate(session, reference, parse_date(on, "on"), "cli:mandate", reason=reason)
    typer.echo(f"mandate {reference} revoked")


@mandate_app.command("list")
def mandate_list(debtor: int | None = typer.Option(None, "--debtor"), db: str | None = DbOption) -> None:
    """The mandates (all, or one debtor's)."""
    from caisse.collection.direct_debit import list_mandates
    from caisse.store.db import session_scope

    with session_scope(database_url(db)) as session:
        for m in list_mandates(session, debtor):
            typer.echo(f"{m.reference:<24} debtor {m.party_id:<8} {m.iban:<22} signed {m.signed_on} {m.rhythm:<9} "
                       f"{m.status}"
                       + (f" ({m.status_reason})" if m.status_reason else ""))
