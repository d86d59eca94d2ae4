"""A home page's read is in the audit log before the page arrives, and the server seals it into the chain after:
while it runs, and — when it was killed before its sealer ran — at its next start. No read is ever lost."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

import caisse
from caisse.cli import app as cli
from caisse.config import Settings
from caisse.store.db import engine_for
from caisse.web.app import create_app
from support.web import form_login, make_account

sys.path.insert(0, str(Path(__file__).parents[1] / "batches"))
from fund import Fund  # noqa: E402


def home_reads(db_url, party_id) -> list:
    with engine_for(db_url).connect() as conn:
        return conn.execute(text("SELECT id, seq, hash FROM audit_log WHERE entity = 'portal_home' "
                                 "AND party_id = :p ORDER BY id"), {"p": party_id}).all()


@pytest.fixture
def affiliate(db_url):
    party = Fund(db_url).person()
    login, _ = make_account(db_url, "affiliate", party_id=party, language="en")
    return login, party


def test_the_running_server_seals_the_home_page_read_shortly_after(db_url, tmp_path, affiliate):
    login, party = affiliate
    app = create_app(Settings(database_url=db_url, exchange_dir=str(tmp_path), audit_seal_seconds=0.05))
    with TestClient(app) as c:  # the lifespan: the sealer runs
        assert form_login(c, login, None).status_code == 303
        assert c.get("/", headers={"Accept": "text/html"}).status_code == 200
        assert len(home_reads(db_url, party)) == 1  # in the log when the page arrived
        deadline = time.monotonic() + 20
        while home_reads(db_url, party)[0].seq is None:
            assert time.monotonic() < deadline, "the sealer did not seal the read"
            time.sleep(0.05)
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", db_url])
    assert result.exit_code == 0 and "sealed now" not in result.output, result.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db_url, port: int, seal_seconds: str, log: Path) -> subprocess.Popen:
    src = str(Path(caisse.__file__).resolve().parent.parent)
    env = {**os.environ, "CAISSE_DATABASE_URL": db_url, "CAISSE_AUDIT_SEAL_SECONDS": seal_seconds,
           "CAISSE_DEMO_MODE": "false", "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    code = "import sys; from caisse.cli import main; sys.argv[0] = 'caisse'; main()"
    server = subprocess.Popen([sys.executable, "-c", code, "serve", "--port", str(port), "--workers", "1"],
                              env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    while True:
        assert server.poll() is None, log.read_text()[-2000:]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.2)


def test_a_server_killed_before_sealing_loses_no_read_and_the_next_start_seals_it(db_url, tmp_path, affiliate):
    login, party = affiliate
    port, log = _free_port(), tmp_path / "server.log"
    server = _serve(db_url, port, "3600", log)  # its sealer's turn never comes
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:
            assert form_login(c, login, None).status_code == 303
            page = c.get("/", headers={"Accept": "text/html"})
            assert page.status_code == 200 and f'id="file-{party}"' in page.text
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # no clean stop: no last seal
        server.wait()
    [read] = home_reads(db_url, party)
    assert read.seq is None and read.hash is None  # written and committed before the page left; not sealed

    server = _serve(db_url, _free_port(), "3600", log)  # the next start seals what was left
    try:
        [read] = home_reads(db_url, party)
        assert read.seq is not None and read.hash is not None
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    result = CliRunner().invoke(cli, ["audit", "verify", "--db", db_url])
    assert result.exit_code == 0 and "sealed now" not in result.output, result.output
