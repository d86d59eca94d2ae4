"""`caisse account create / disable / grant / list`: the password policy, bad input named, TOTP URI printed once,
a disabled login loses its sessions at once."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from caisse.cli import app
from caisse.services import accounts
from caisse.store.db import session_scope
from caisse.store.models import AccessGrant, Account, AuditLog, WebSession
from support.web import PASSWORD

runner = CliRunner()
NOW = dt.datetime(2026, 11, 24, 10, 0)


def run(db_url, *args, input=None):
    return runner.invoke(app, [*args, "--db", db_url], input=input)


def count(db_url, model):
    with session_scope(db_url) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_help():
    for cmd in (["account", "--help"], ["account", "create", "--help"], ["account", "grant", "--help"]):
        assert runner.invoke(app, cmd).exit_code == 0


def test_create_staff_prints_the_totp_uri_once_and_the_login_works(db_url):
    r = run(db_url, "account", "create", "Ana@Fund.test", "--role", "caseworker", "--team", "t1",
            input=f"{PASSWORD}\n{PASSWORD}\n")
    assert r.exit_code == 0, r.output
    assert "account 1 created: ana@fund.test (caseworker)" in r.output
    uri = re.search(r"otpauth://totp/\S+", r.output).group(0)
    secret = pyotp.parse_uri(uri).secret
    assert PASSWORD not in r.output
    with session_scope(db_url) as s:
        assert accounts.login(s, "ana@fund.test", PASSWORD, None, "10.0.0.1", NOW).__class__.__name__ == \
            "LoginRefused"
        ok = accounts.login(s, "ana@fund.test", PASSWORD, pyotp.TOTP(secret).now(), "10.0.0.1", NOW)
        assert isinstance(ok, accounts.LoginResult) and ok.principal.role == "caseworker"
    listing = run(db_url, "account", "list")
    assert "ana@fund.test" in listing.output and "otpauth" not in listing.output and secret not in listing.output
    assert "yes" in listing.output  # two-factor enrolled


def test_affiliate_from_stdin_has_no_totp(db_url, person):
    party_id, _ = person
    r = run(db_url, "account", "create", "me@example.test", "--role", "affiliate", "--file", str(party_id),
            "--password-stdin", input=PASSWORD + "\n")
    assert r.exit_code == 0 and "otpauth" not in r.output
    with session_scope(db_url) as s:  # no --language: the pages follow the file's language until the person chooses
        assert s.scalar(select(Account.language).where(Account.login == "me@example.test")) is None
    r = run(db_url, "account", "create", "nl@example.test", "--role", "affiliate", "--file", str(party_id),
            "--language", "nl", "--password-stdin", input=PASSWORD + "\n")
    with session_scope(db_url) as s:
        assert r.exit_code == 0 and s.scalar(select(Account.language).where(Account.login == "nl@example.test")) \
            == "nl"


@pytest.mark.parametrize("args, stdin, field", [
    (["--role", "caseworker"], "short\n", "password"),
    (["--role", "caseworker"], "password1234\n", "password"),
    (["--role", "caseworker"], "\n", "password"),
    (["--role", "janitor"], PASSWORD + "\n", "role"),
    (["--role", "affiliate"], PASSWORD + "\n", "party_id"),
    (["--role", "affiliate", "--file", "999"], PASSWORD + "\n", "party_id"),
    (["--role", "manager", "--language", "en"], PASSWORD + "\n", "language"),
])
def test_bad_input_is_named_and_nothing_is_written(db_url, args, stdin, field):
    r = run(db_url, "account", "create", "x@fund.test", *args, "--password-stdin", input=stdin)
    assert r.exit_code == 2 and r.output.startswith(f"error: {field}: "), r.output
    assert count(db_url, Account) == 0


def test_the_login_itself_as_password_is_refused(db_url):
    r = run(db_url, "account", "create", "marie.dupont@fund.test", "--role", "manager", "--password-stdin",
            input="marie.dupont@fund.test\n")
    assert r.exit_code == 2 and "error: password:" in r.output


def test_duplicate_login(db_url):
    run(db_url, "account", "create", "a@fund.test", "--role", "auditor", "--password-stdin", input=PASSWORD + "\n")
    r = run(db_url, "account", "create", "A@fund.test", "--role", "auditor", "--password-stdin",
            input=PASSWORD + "\n")
    assert r.exit_code == 2 and "login" in r.output and count(db_url, Account) == 1


def test_grant_and_disable(db_url, person):
    party_id, _ = person
    run(db_url, "account", "create", "acc@fund.test", "--role", "accountant", "--password-stdin",
        input=PASSWORD + "\n")
    r = run(db_url, "account", "grant", "acc@fund.test", "--file", str(party_id), "--from", "2020-01-01")
    assert r.exit_code == 0, r.output
    assert count(db_url, AccessGrant) == 1
    assert str(party_id) in run(db_url, "account", "list", "--role", "accountant").output.splitlines()[1]
    for args, field in ((["nobody@fund.test", "--file", str(party_id)], "login"),
                        (["acc@fund.test", "--file", "999"], "party_id"),
                        (["acc@fund.test", "--file", str(party_id), "--kind", "friend"], "kind"),
                        (["acc@fund.test", "--file", str(party_id), "--from", "someday"], "from"),
                        (["acc@fund.test", "--file", str(party_id), "--from", "2026-01-01", "--to", "2025-01-01"],
                         "valid_to")):
        r = run(db_url, "account", "grant", *args)
        assert r.exit_code == 2 and r.output.startswith(f"error: {field}: "), (args, r.output)
    assert count(db_url, AccessGrant) == 1

    with session_scope(db_url) as s:
        token = accounts.login(s, "acc@fund.test", PASSWORD, None, "10.0.0.2", NOW).token
    r = run(db_url, "account", "disable", "acc@fund.test")
    assert r.exit_code == 0 and "1 session(s) ended" in r.output
    with session_scope(db_url) as s:
        assert s.scalar(select(WebSession.revoked)) is True
        with pytest.raises(accounts.NotAuthenticated):
            accounts.resolve(s, token, NOW)
        assert isinstance(accounts.login(s, "acc@fund.test", PASSWORD, None, "10.0.0.2", NOW), accounts.LoginRefused)
        assert s.scalar(select(AuditLog.action).where(AuditLog.action == "disable")) == "disable"
    assert "disabled" in run(db_url, "account", "list").output
    assert run(db_url, "account", "disable", "ghost@fund.test").output.startswith("error: login: ")
    assert run(db_url, "account", "list", "--role", "boss").output.startswith("error: role: ")
