"""The e-mail that a message is waiting goes through a real SMTP server and carries no personal data."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import select

from caisse.cases import mail
from caisse.cases import service as cases
from caisse.cases.models import Notification
from caisse.config import Settings
from caisse.security.authz import Principal
from caisse.store.db import session_scope
from support.people import register_someone


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.received = []

    def handle_message(self, message):
        self.received.append(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_the_person_is_told_something_is_waiting_without_any_personal_data(db_url, smtp):
    controller, inbox = smtp
    staff = Principal.system("caseworker:test")
    with session_scope(db_url) as s:
        person = register_someone(s)
        person.email = "ana@example.be"
        person.party.language = "nl"
        niss, last_name = person.niss, person.last_name
        c = cases.open_case(s, staff, person.id, "question", "Bijdrage 2026", "Vraag over mijn inkomen 45000 EUR",
                            dt.date(2026, 11, 24), channel="phone")
        cases.answer(s, staff, c.id, "Uw voorlopige bijdrage bedraagt 2300,00 EUR.", dt.date(2026, 11, 25))
    settings = Settings(database_url=db_url, smtp_host="127.0.0.1", smtp_port=controller.port,
                        portal_url="https://portal.example/")
    with session_scope(db_url) as s:
        assert mail.send_pending(s, settings, dt.datetime(2026, 11, 25, 9)) == (1, 0)
    with session_scope(db_url) as s:
        assert mail.send_pending(s, settings, dt.datetime(2026, 11, 25, 10)) == (0, 0)  # sent once
    assert len(inbox.received) == 1
    message = inbox.received[0]
    assert message["To"] == "ana@example.be"
    assert message["Subject"] == "Een nieuw bericht van uw sociaal verzekeringsfonds"
    body = message.get_payload(decode=True).decode()
    assert "https://portal.example/my/requests" in body
    for secret in (niss, last_name, "2300", "45000", "Bijdrage"):
        assert secret not in body and secret not in message["Subject"]


def test_an_unreachable_mail_server_keeps_the_notification_for_later(db_url):
    staff = Principal.system("caseworker:test")
    with session_scope(db_url) as s:
        person = register_someone(s)
        person.email = "ana@example.be"
        c = cases.open_case(s, staff, person.id, "question", "Q", "…", dt.date(2026, 11, 24), channel="phone")
        cases.answer(s, staff, c.id, "A", dt.date(2026, 11, 24))
    settings = Settings(database_url=db_url, smtp_host="127.0.0.1", smtp_port=_free_port())
    with session_scope(db_url) as s:
        assert mail.send_pending(s, settings, dt.datetime(2026, 11, 25)) == (0, 1)
    with session_scope(db_url) as s:
        n = s.scalar(select(Notification))
        assert n.sent_at is None and n.attempts == 1 and "cannot reach" in n.last_error
