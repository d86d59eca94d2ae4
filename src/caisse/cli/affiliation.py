"""`caisse affiliate ...`: affiliate people and companies from the command line.

Every command runs in one transaction: on bad input it prints one line naming the field
(``error: niss: national number (NISS) check digits do not match``), exits 2, and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import getpass

import typer

from caisse.cli.platform import DbOption, database_url
from caisse.cli.platform import parse_date as _date

app = typer.Typer(help="Affiliate people and companies, record changes and cessations.", no_args_is_help=True)


def _actor():
    """The command line acts with the database's rights: as the system, logged under the OS user's name."""
    from caisse.security.authz import Principal

    return Principal.system(f"cli:{getpass.getuser()}")


def _session(db: str | None):
    from caisse.store.db import session_scope

    return session_scope(database_url(db))


def _address(street: str, house_number: str, postal_code: str, city: str, box: str | None):
    from caisse.services.affiliation import AddressInput

    return AddressInput(street=street, house_number=house_number, postal_code=postal_code, city=city, box=box)


@app.command("person")
def person(
    niss: str = typer.Option(..., help="National number (NISS) or BIS number."),
    first_name: str = typer.Option(...), last_name: str = typer.Option(...),
    birth_date: str = typer.Option(..., help="YYYY-MM-DD"),
    language: str = typer.Option(..., help="fr, nl or de"),
    street: str = typer.Option(...), house_number: str = typer.Option(...), box: str | None = typer.Option(None),
    postal_code: str = typer.Option(...), city: str = typer.Option(...),
    email: str | None = typer.Option(None), phone: str | None = typer.Option(None),
    iban: str | None = typer.Option(None, help="Account for refunds and benefits."),
    db: str | None = DbOption,
) -> None:
    """Register a person (prints the file number)."""
    from caisse.services import affiliation as svc

    data = svc.PersonInput(niss=niss, first_name=first_name, last_name=last_name,
                           birth_date=_date(birth_date, "birth_date"), language=language,
                           address=_address(street, house_number, postal_code, city, box),
                           email=email, phone=phone, iban=iban)
    with _session(db) as session:
        p = svc.register_person(session, data, _actor(), dt.date.today())
        typer.echo(f"person {p.id} registered")


@app.command("start")
def start(
    person_id: int = typer.Option(..., "--person", help="File number of the person."),
    start_date: str = typer.Option(..., help="First day of the self-employed activity (YYYY-MM-DD)."),
    category: str = typer.Option(..., help="main, complementary, student, helping_spouse, post_pension, art37"),
    requested_on: str | None = typer.Option(None, help="Date of the request (default: today)."),
    previous_fund: str | None = typer.Option(None, help="Fund the person is affiliated with today, if any."),
    activity: str | None = typer.Option(None),
    document: list[str] = typer.Option([], help="Documents received with the request (repeatable)."),
    db: str | None = DbOption,
) -> None:
    """Request an affiliation; the checks run at once (prints the resulting status)."""
    from caisse.services import affiliation as svc

    data = svc.AffiliationInput(person_id=person_id, start_date=_date(start_date, "start_date"), category=category,
                                requested_on=_date(requested_on, "requested_on") or dt.date.today(),
                                previous_fund=previous_fund, activity=activity, documents=list(document))
    with _session(db) as session:
        a = svc.request_affiliation(session, data, _actor())
        missing = svc.missing_documents(session, a.id)
        typer.echo(f"affiliation {a.id}: {a.status}" + (f" (missing: {', '.join(missing)})" if missing else ""))


@app.command("document")
def document(affiliation_id: int = typer.Option(..., "--affiliation"), kind: str = typer.Option(...),
             received_on: str | None = typer.Option(None), db: str | None = DbOption) -> None:
    """Record a document received for a pending affiliation."""
    from caisse.services import affiliation as svc

    with _session(db) as session:
        a = svc.receive_document(session, affiliation_id, kind, _date(received_on, "received_on") or dt.date.today(),
                                 _actor())
        typer.echo(f"affiliation {a.id}: {a.status}")


@app.command("transfer-complete")
def transfer_complete(affiliation_id: int = typer.Option(..., "--affiliation"),
                      released_on: str | None = typer.Option(
                          None, help="Day the previous fund released the affiliate (default: today)."),
                      db: str | None = DbOption) -> None:
    """Finish a transfer from another fund: the request goes on with the other checks (prints the status)."""
    from caisse.services import affiliation as svc

    with _session(db) as session:
        a = svc.complete_transfer(session, affiliation_id, _date(released_on, "released_on") or dt.date.today(),
                                  _actor())
        missing = svc.missing_documents(session, a.id)
        typer.echo(f"affiliation {a.id}: {a.status}" + (f" (missing: {', '.join(missing)})" if missing else ""))


@app.command("category")
def category(affiliation_id: int = typer.Option(..., "--affiliation"), category: str = typer.Option(...),
             effective: str = typer.Option(..., help="YYYY-MM-DD"), db: str | None = DbOption) -> None:
    """Change the contributor category from a date (the history is kept)."""
    from caisse.services import affiliation as svc

    with _session(db) as session:
        svc.change_category(session, affiliation_id, category, _date(effective, "effective"), _actor())
        typer.echo(f"affiliation {affiliation_id}: {category} from {effective}")


@app.command("cease")
def cease(affiliation_id: int = typer.Option(..., "--affiliation"),
          end_date: str = typer.Option(..., help="Last day of the activity (YYYY-MM-DD)."),
          reason: str = typer.Option(...), db: str | None = DbOption) -> None:
    """Record a cessation."""
    from caisse.services import affiliation as svc

    with _session(db) as session:
        a = svc.cease(session, affiliation_id, _date(end_date, "end_date"), reason, _actor())
        typer.echo(f"affiliation {a.id}: ceased on {a.end_date}")


@app.command("helping-spouse")
def helping_spouse(helper: int = typer.Option(..., help="File number of the helping spouse (affiliated as "
                                                        "helping_spouse)."),
                   self_employed: int = typer.Option(..., help="File number of the self-employed person helped."),
                   since: str = typer.Option(..., help="YYYY-MM-DD"), db: str | None = DbOption) -> None:
    """Link a helping spouse to the self-employed person they help (joint liability)."""
    from caisse.services import affiliation as svc

    with _session(db) as session:
        svc.link_helping_spouse(session, helper, self_employed, _date(since, "since"), _actor())
        typer.echo(f"person {helper} helps person {self_employed} from {since}")


@app.command("address")
def address(
    party: int = typer.Option(..., help="File number (person or company)."),
    street: str = typer.Option(...), house_number: str = typer.Option(...), box: str | None = typer.Option(None),
    postal_code: str = typer.Option(...), city: str = typer.Option(...),
    effective: str = typer.Option(..., help="First day at the new address (YYYY-MM-DD)."),
    db: str | None = DbOption,
) -> None:
    """Record a move: the current address ends the day before, the new one starts (dated event)."""
    from caisse.services import affiliation as svc

    with _session(db) as session:
        a = svc.change_address(session, party, _address(street, house_number, postal_code, city, box),
                               _date(effective, "effective"), _actor())
        typer.echo(f"file {party}: address {a.postal_code} {a.city} from {a.valid_from}")


@app.command("iban")
def iban(party: int = typer.Option(..., help="File number (person or company)."),
         iban: str = typer.Option(..., help="The new account for refunds and benefits."),
         effective: str | None = typer.Option(None, help="From when (YYYY-MM-DD, default: today). The start day of "
                                                         "the current account corrects it (a typo)."),
         db: str | None = DbOption) -> None:
    """Record a new bank account (dated event); on the current account's first day, correct it instead."""
    from caisse import identifiers
    from caisse.services import affiliation as svc

    with _session(db) as session:
        a = svc.change_iban(session, party, iban, _date(effective, "effective") or dt.date.today(), _actor())
        typer.echo(f"file {party}: account {identifiers.format_iban(a.iban)} from {a.valid_from}")


def _amount(value: str, field: str) -> int:
    """An amount in euros as text, at most two decimals ('500000.00', '500000,5', '500000') → cents."""
    import re

    from caisse.errors import InvalidInput
    from caisse.money import to_cents

    if not re.fullmatch(r"[0-9]{1,13}([.,][0-9]{1,2})?", value.strip()):
        raise InvalidInput(field, f"an amount in euros with at most two decimals (e.g. 500000.00), not {value!r}")
    return to_cents(value, field)


def _balance_sheet(value: str) -> tuple[int, int]:
    from caisse.errors import InvalidInput

    year, sep, total = value.partition("=")
    if not sep or not year.strip().isdigit():
        raise InvalidInput("balance_sheet", f"expected YEAR=TOTAL (e.g. 2024=500000.00), not {value!r}")
    return int(year), _amount(total, f"balance_sheet.{year.strip()}")


@app.command("company")
def company(
    kbo: str = typer.Option(..., help="Enterprise number (KBO/BCE)."), name: str = typer.Option(...),
    legal_form: str = typer.Option(...), language: str = typer.Option(...),
    street: str = typer.Option(...), house_number: str = typer.Option(...), box: str | None = typer.Option(None),
    postal_code: str = typer.Option(...), city: str = typer.Option(...),
    affiliation_start: str = typer.Option(..., help="YYYY-MM-DD"),
    director: list[int] = typer.Option([], help="File number of a director (repeatable; at least one)."),
    balance_sheet: list[str] = typer.Option([], help="Balance-sheet total of a financial year in euros, "
                                                     "YEAR=TOTAL, e.g. 2024=500000.00 (repeatable)."),
    iban: str | None = typer.Option(None), db: str | None = DbOption,
) -> None:
    """Register a company with its directors (and the balance-sheet totals already known)."""
    from caisse.errors import InvalidInput
    from caisse.services import affiliation as svc

    since = _date(affiliation_start, "affiliation_start")
    sheets: dict[int, int] = {}
    for value in balance_sheet:
        year, total = _balance_sheet(value)
        if year in sheets:
            raise InvalidInput(f"balance_sheet.{year}", "given twice")
        sheets[year] = total
    data = svc.CompanyInput(kbo=kbo, name=name, legal_form=legal_form, language=language,
                            address=_address(street, house_number, postal_code, city, box),
                            affiliation_start=since, directors=[(d, since) for d in director], iban=iban,
                            balance_sheets=sheets)
    with _session(db) as session:
        c = svc.register_company(session, data, _actor(), dt.date.today())
        typer.echo(f"company {c.id} registered")


@app.command("balance-sheet")
def balance_sheet(company: int = typer.Option(..., help="File number of the company."),
                  year: int = typer.Option(..., help="Financial year."),
                  total: str = typer.Option(..., help="Balance-sheet total in euros (e.g. 500000.00)."),
                  db: str | None = DbOption) -> None:
    """Record a company's balance-sheet total for a financial year (drives the company contribution)."""
    from caisse.money import fmt
    from caisse.services import affiliation as svc

    cents = _amount(total, "total")
    with _session(db) as session:
        svc.record_balance_sheet(session, company, year, cents, _actor())
        typer.echo(f"company {company}: balance sheet {year} total {fmt(cents)}")


@app.command("director-add")
def director_add(company: int = typer.Option(..., help="File number of the company."),
                 person: int = typer.Option(..., help="File number of the new director."),
                 since: str = typer.Option(..., help="First day of the mandate (YYYY-MM-DD)."),
                 db: str | None = DbOption) -> None:
    """Add a director to a registered company from a date (dated event)."""
    from caisse.services import affiliation as svc

    with _session(db) as session:
        svc.add_director(session, company, person, _date(since, "since"), _actor())
        typer.echo(f"company {company}: person {person} director from {since}")


@app.command("director-end")
def director_end(company: int = typer.Option(..., help="File number of the company."),
                 person: int = typer.Option(..., help="File number of the director."),
                 end_date: str = typer.Option(..., help="Last day of the mandate (YYYY-MM-DD)."),
                 db: str | None = DbOption) -> None:
    """End a director's mandate (the company must keep at least one director)."""
    from caisse.services import affiliation as svc

    with _session(db) as session:
        svc.end_director(session, company, person, _date(end_date, "end_date"), _actor())
        typer.echo(f"company {company}: person {person} director until {end_date}")


@app.command("show")
def show(file_id: int = typer.Argument(..., help="File number (person or company)."),
         reason: str | None = typer.Option(None, help="Why you open this file (kept in the audit log)."),
         db: str | None = DbOption) -> None:
    """Print a file: identity, affiliations and categories, incomes (the read is audited)."""
    from caisse.services import files

    with _session(db) as session:
        view = files.file_view(session, file_id, _actor(), dt.date.today(), reason=reason)
        typer.echo(f"{view.name} (file {view.id}, {view.kind})")
        for label, value in view.facts:
            typer.echo(f"  {label}: {value}")
        for a in view.affiliations:
            end = f" to {a.end_date}" if a.end_date else ""
            typer.echo(f"  affiliation {a.id} {a.status} from {a.start_date}{end}")
            for c in a.categories:
                typer.echo(f"    {c.category} {c.valid_from} – {c.valid_to or ''}")
        for inc in view.incomes:
            typer.echo(f"  income {inc['year']}: {inc['amount']}")


@app.command("certificate")
def certificate(affiliation_id: int = typer.Option(..., "--affiliation"),
                output: str = typer.Option(..., help="Where to write the PDF."), db: str | None = DbOption) -> None:
    """Write the affiliation certificate (PDF, in the affiliate's language)."""
    from pathlib import Path

    from caisse.config import get_settings
    from caisse.services import affiliation as svc

    with _session(db) as session:
        pdf = svc.affiliation_certificate(session, affiliation_id, _actor(), dt.date.today(),
                                          get_settings().fund_name)
    Path(output).write_bytes(pdf)
    typer.echo(f"certificate written to {output}")


@app.command("outbox")
def outbox(db: str | None = DbOption) -> None:
    """Write the pending INASTI affiliation notices as files under the exchange directory."""
    from caisse.config import get_settings
    from caisse.services import inasti

    with _session(db) as session:
        written = inasti.write_outbox(session, get_settings().exchange_dir)
    typer.echo(f"{len(written)} notice(s) written")
