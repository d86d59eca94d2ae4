"""Ten days before a notice falls due, the person with an e-mail address gets one reminder, in her language, with
what is still open, the due date, the structured communication and the fund's IBAN — through a real SMTP server.
Nobody paid up, nobody whose mandate will collect it, nobody twice; a person without an address is counted."""

from __future__ import annotations

import datetime as dt
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from caisse.batches import due_reminders, quarterly_call
from caisse.batches.models import Notice
from caisse.cases import mail
from caisse.cases.models import Case, Notification
from caisse.cli import app
from caisse.collection.direct_debit import add_mandate
from caisse.config import Settings
from caisse.errors import InvalidInput
from caisse.ledger import receive_payment
from caisse.store.db import session_scope
from caisse.store.models import Person
from support.smtp import free_port, smtp_server

MIN_2026 = 89042  # 2026 main-activity minimum quarter, fee-free [S3]
LOW_INCOME = {2022: "9000.00", 2023: "9000.00", 2024: "9000.00"}  # under the minimum: the minimum is called
MANDATE_IBAN = "BE62510007547061"
D = dt.date.fromisoformat


@pytest.fixture
def called(db_url, fund):
    """The 2026Q1 minimum called from Ana (nl, e-mail), Bo (fr, e-mail, pays), Cy (de, e-mail, mandate),
    Dee (fr, no e-mail); the call falls due on 31 March 2026."""
    people = {name: fund.person(start=D("2020-01-01"), incomes=LOW_INCOME, language=lang)
              for name, lang in (("ana", "nl"), ("bo", "fr"), ("cy", "de"), ("dee", "fr"))}
    with session_scope(db_url) as s:
        for name in ("ana", "bo", "cy"):
            s.execute(update(Person).where(Person.id == people[name]).values(email=f"{name}@example.test"))
    quarterly_call.run(db_url, "2026Q1", fee_rate="0")
    with session_scope(db_url) as s:
        receive_payment(s, "coda/bo/1", D("2026-03-10"), MIN_2026, people["bo"])
        add_mandate(s, people["cy"], MANDATE_IBAN, D("2026-02-01"), "test", today=D("2026-02-01"))
    return people


def _settings(db_url, port) -> Settings:
    return Settings(database_url=db_url, smtp_host="127.0.0.1", smtp_port=port, portal_url="https://portal.example/")


def _send(db_url, port) -> tuple[int, int]:
    with session_scope(db_url) as s:
        return mail.send_pending(s, _settings(db_url, port), dt.datetime(2026, 3, 21, 9))


def test_one_reminder_in_her_language_with_what_is_open_and_how_to_pay(db_url, called):
    ana = called["ana"]
    with session_scope(db_url) as s:
        reference = s.scalar(select(Notice.reference).where(Notice.party_id == ana))
    with smtp_server() as (port, inbox):
        summary = due_reminders.run(db_url, D("2026-03-21"), settings=_settings(db_url, port))
        assert summary.details["reminders queued"] == 1
        assert summary.skipped == {"nothing open any more (paid or set off)": 1,
                                   "collected by direct debit (active mandate)": 1, "no e-mail address": 1}
        assert summary.examples["no e-mail address"] == [called["dee"]]
        assert _send(db_url, port) == (1, 0)
        assert len(inbox.received) == 1
        message = inbox.received[0]
        assert message["To"] == "ana@example.test"
        assert message["Subject"] == "Herinnering: een vervaldag van uw bijdragen nadert"
        body = message.get_payload(decode=True).decode()
        assert "€ 890,42" in body and "31/03/2026" in body and "2026Q1" in body
        assert f"+++{reference[:3]}/{reference[3:7]}/{reference[7:]}+++" in body
        assert "BE71096123456769" in body and "domiciliëring" in body
        assert "https://portal.example/" in body and f"/my/files/{ana}" not in body  # the home, not the file
        assert "Test" not in body  # no name
        # a rerun of the day, and the next day's run whose window still holds the notice, queue nothing more
        assert due_reminders.run(db_url, D("2026-03-21"), settings=_settings(db_url, port)).finished_before
        again = due_reminders.run(db_url, D("2026-03-22"), settings=_settings(db_url, port))
        assert again.details["reminders queued"] == 0 and again.details["already told"] == 1
        assert _send(db_url, port) == (0, 0)
        assert len(inbox.received) == 1
    with session_scope(db_url) as s:
        case = s.scalar(select(Case).where(Case.party_id == ana, Case.kind == due_reminders.KIND))
        assert case.status == "closed" and case.key.startswith("due-reminder/quarterly-call/2026Q1/")
        assert s.scalar(select(Notification.party_id)) == ana


def test_an_amount_partly_paid_is_reminded_for_what_is_left(db_url, called):
    cy = called["cy"]
    with session_scope(db_url) as s:
        s.execute(update(Person).where(Person.id == cy).values(email=None))
        receive_payment(s, "coda/ana/1", D("2026-03-15"), 40000, called["ana"])
    with smtp_server() as (port, inbox):
        due_reminders.run(db_url, D("2026-03-21"), settings=_settings(db_url, port))
        assert _send(db_url, port) == (1, 0)
        assert "€ 490,42" in inbox.received[0].get_payload(decode=True).decode()


def test_outside_the_window_nobody_is_told(db_url, called):
    summary = due_reminders.run(db_url, D("2026-03-01"), 10, settings=_settings(db_url, free_port()))
    assert summary.details["notices due"] == 0 and summary.details["reminders queued"] == 0
    with session_scope(db_url) as s:
        assert s.scalar(select(Notification)) is None


def test_a_french_speaker_reads_it_in_french(db_url, called):
    with session_scope(db_url) as s:
        s.execute(update(Person).where(Person.id == called["ana"]).values(email=None))
        s.execute(update(Person).where(Person.id == called["dee"]).values(email="dee@example.test"))
    with smtp_server() as (port, inbox):
        due_reminders.run(db_url, D("2026-03-21"), settings=_settings(db_url, port))
        assert _send(db_url, port) == (1, 0)
        message = inbox.received[0]
        assert str(make_header(decode_header(message["Subject"]))) == "Rappel : une échéance de cotisations approche"
        body = message.get_payload(decode=True).decode()
        assert "890,42" in body and "31/03/2026" in body and "domiciliation" in body


def test_bad_days_is_refused_naming_the_field(db_url):
    with pytest.raises(InvalidInput) as err:
        due_reminders.run(db_url, D("2026-03-21"), -1)
    assert err.value.field == "days"


def test_the_command(db_url, called, monkeypatch):
    from caisse.config import get_settings

    runner = CliRunner()
    for args, message in ((("--as-of", "21/03/2026"), "error: as_of:"), (("--as-of", "2026-03-21", "--days", "ten"),
                                                                          "error: days:"),
                          (("--as-of", "2026-03-21", "--days", "9999"), "error: days:"),
                          (("--as-of", "2026-03-21", "--days", "\u00b2"), "error: days:")):  # a digit int() refuses
        result = runner.invoke(app, ["run", "due-reminders", *args, "--db", db_url])
        assert result.exit_code == 2 and message in result.output, (args, result.output)
    monkeypatch.setenv("CAISSE_DUE_REMINDER_DAYS", "3")
    get_settings.cache_clear()
    try:
        early = runner.invoke(app, ["run", "due-reminders", "--as-of", "2026-03-21", "--db", db_url])
        assert early.exit_code == 0 and "reminders queued 0" in early.output, early.output
        result = runner.invoke(app, ["run", "due-reminders", "--as-of", "2026-03-22", "--days", "10", "--db", db_url])
        assert result.exit_code == 0, result.output
        assert "due-reminders/2026-03-22: finished" in result.output and "reminders queued 1" in result.output
    finally:
        get_settings.cache_clear()
