"""The affiliate's portal home page (``GET /``) under load: 50 concurrent users on a large PostgreSQL fund.

Issue 6's target: "the affiliate home page for random affiliates of a 300 000-affiliate PostgreSQL fund, p95 under
100 ms at 50 concurrent users on this machine".

1. **build** (not timed): a database of its own, ``bench_<random>`` on the PostgreSQL server (default
   postgres@127.0.0.1:5432, trust auth), migrated, gets the year 2025 of a fund of N people and N/10 companies —
   the builder of ``benchmarks/reports.py`` (``reports.build``: the four quarterly calls, the company call, ~85 %
   of the quarters paid, surcharges, the recovery batch, cases with their messages, payment plans, benefit claims,
   write-offs); then a caseworker per team named on every file of the team (``file_caseworker``, as
   ``caisse cases assign-caseworker`` leaves it), and ``--sessions`` random people get an affiliate login;
2. **the server**: ``caisse serve --workers W`` in a process of its own, production settings (no demo mode: the
   rate limits, the session checks and the audit log all on). ``--workers 2`` by default: the pages are CPU-bound
   Python under one GIL per process, so a fund serving them on 2 cores runs one worker per core (what ``caisse
   serve`` does by default since 4 December 2026); ``--workers 1`` measures a single process;
3. **sessions**: ``--logins`` of the people log in through the portal's own login form (``GET /login`` for the
   form's CSRF cookie, ``POST /login`` with the password: argon2id, ~0.2 s each here); the other sessions are
   opened by the function that login calls once the password is checked (``accounts._open_session``: a fresh
   random token of which only the SHA-256 is stored, its CSRF token, the login audit row) — a few thousand
   argon2 verifications would only time the password hash. Every request then goes through the whole stack:
   rate limit, session lookup (and idle-expiry update, at most once a minute), authorisation, the reads, one audit
   row per file shown (written unsealed in the request's transaction, sealed into the hash chain by the server's
   sealer shortly after: ``services/audit.py``), the page;
4. **load** (timed): ``--users`` clients (``httpx.AsyncClient``, one connection each, in this process), each
   asking ``GET /`` (``Accept: text/html``) as a random logged-in person, for ``--seconds`` after ``--warmup``
   seconds not counted; ``--think S``: each user waits a random time of mean S seconds (exponential) between two
   pages, like a person reading them — ``--think 0`` (default) is the worst case: every user asks again the moment
   the page arrives, so the server is saturated and the latency is the queue (Little's law: p50 ≈ users /
   throughput). A page counts as an error unless it is a 200 holding the person's own file number.

Prints: pages, throughput, latency p50/p95/p99/max, errors; the machine's load average before and after (the
machine is shared: compare runs made back to back only).

Usage: PYTHONPATH=src python benchmarks/home_page.py [--affiliates 300000] [--users 50] [--seconds 30]
           [--warmup 5] [--think 0] [--workers 2] [--sessions 5000] [--logins 20] [--pg postgresql://…]
           [--keep | --reuse bench_xxxxxxxx]
``--keep`` leaves the database (its name is printed) and ``--reuse NAME`` runs on it again without building
(migrated to the head first, its sessions renewed); otherwise it is dropped at the end, also on failure.

Figures so far — 3 December 2026, 2 cores shared with other work at a load average of 20–26 (so the latencies say
more about the machine than about the page; the CPU per page is the steadier figure), 3 000 people, ``--users 50
--seconds 20 --workers 2``, no think time:

- before (main as of 2c1b9dd): no page at all — every request timed out (the session lookup ran on the event loop
  and blocked it waiting for a pooled connection; fixed in the same commit as this script);
- with that fix only: 3.4 pages/s, p50 7.1 s, p95 16.1 s, p99 18.5 s, 0 errors; CPU per page: server 56 ms,
  PostgreSQL 4.5 ms;
- with the home page's queries reduced (19 → 15 round trips, no whole-ledger load, render before the audit rows):
  1.1 pages/s, p50 5.2 s, p95 7.1 s, p99 9.3 s, 0 errors; CPU per page: server 4.8 ms, PostgreSQL 4.5 ms.

300 000 people (the fund built once in 730 s, kept, then ``--reuse``), 3 December 2026, 18:32 UTC, no other work on
the machine (load 2.0 before the run, the benchmark's own client included), ``--users 50 --think 1 --seconds 30``:
38.3 pages/s, p50 265 ms, p95 798 ms, p99 1126 ms, 0 errors; CPU per page: server 22.4 ms, PostgreSQL 0.3 ms. The
issue's 100 ms p95 is **not met**: the server's CPU per page (22 ms, against ~5 ms measured on 3 000 people at a
much higher load — to be explained) saturates the 2 worker processes, which share the 2 cores with the 50 clients.
At 50 users with no think time the latency is bounded below by 50 / throughput (Little's law).

4 December 2026, same fund (built once in 605 s, kept, then ``--reuse``), ``--users 50 --think 1 --seconds 30``,
the machine shared with other work (load average given before → after each run). What dominated, found with
py-spy and yappi on the served processes: (1) a worker **stalled for the pool's 30 s timeout** whenever requests
holding a connection waited for a thread while every thread waited for a connection (a pool of 5 + 10 under 40
threads: most pages also opened and closed a connection — a new PostgreSQL process); (2) every page **queued on
the audit chain's head row**, locked from its audit row to its commit; (3) **14 statements** per page, built as ORM
statements and object graphs each time; (4) two ``BaseHTTPMiddleware``. Now: requests in progress per worker at
most the pool's size (20, kept open; 16 threads), the reads' audit rows written unsealed and sealed by the server
after (no lock on the request's path), the session with its grants in one statement and written at most once a
minute, every figure of the home page in one ``UNION ALL`` built once (3 statements a page, plus BEGIN/COMMIT and the
pool's ping), plain ASGI middlewares, one thread hop less, no access log.

- before (main as of 3041293), load 5.4 → 9.2: 39.7 pages/s, p50 186 ms, p95 714 ms, p99 1108 ms, 0 errors; CPU per
  page: server 14.2 ms; the same code served by hand next to the new one (load 6.4 → 6.4): 44.9 pages/s, p50 84 ms,
  p95 441 ms, server 16.0 ms;
- after (this commit), three runs back to back, load 3.6 → 3.2, 3.2 → 3.3, 3.2 → 3.2: 51.0 pages/s (every user
  served: 50 users reading a mean 1 s), p50 13 / 17 / 14 ms, **p95 36 / 37 / 39 ms**, p99 93 / 49 / 89 ms, 0 errors;
  CPU per page: server 4.9 / 6.5 / 5.9 ms, PostgreSQL 2.0 / 2.5 / 2.3 ms (now counted right: the backends are no
  longer replaced during the run); served by hand at load 6.0 → 4.9: 50.9 pages/s, p50 16 ms, p95 37 ms. The issue's
  100 ms p95 is **met**. No think time (the saturated worst case), load 3.7 → 6.6: 66.6 pages/s, p50 548 ms, p95
  1947 ms: the machine's 2 cores then also run the 50 clients (httpx), PostgreSQL and the other work.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import insert, select, text

import caisse
from caisse.config import Settings
from caisse.security import passwords
from caisse.services import accounts
from caisse.store.db import engine_for, session_scope
from caisse.store.migrate import upgrade
from caisse.store.models import Account, FileCaseworker, Party, Person

sys.path.insert(0, os.path.dirname(__file__))
from quarterly_call import Target  # noqa: E402
from reports import _postgres_reachable, build  # noqa: E402

PASSWORD = "bench: a long sentence nobody guesses"  # noqa: S105 — the benchmark's own throwaway accounts
LOGIN = "bench-{}"


def caseworkers(url: str) -> int:
    """A caseworker per team (name, phone, e-mail) named on every file of the team, as the desk assigns them."""
    with session_scope(url) as s:
        teams = [t for t in s.scalars(select(Party.team).where(Party.team.is_not(None)).distinct()) if t]
        hashed = passwords.hash_password(PASSWORD)
        for i, team in enumerate(sorted(teams)):
            account = Account(login=f"bench-caseworker-{team}", password_hash=hashed, role="caseworker", team=team,
                              display_name=f"Caseworker {i + 1}", phone=f"+32 2 000 10 {i:02d}",
                              email=f"cw{i + 1}@caisse.example")
            s.add(account)
            s.flush()
            s.execute(text(
                "INSERT INTO file_caseworker (party_id, account_id, valid_from, assigned_by, created_at) "
                "SELECT id, :account, :start, 'bench', :now FROM party WHERE team = :team"),
                {"account": account.id, "start": dt.date(2025, 1, 2), "now": dt.datetime(2025, 1, 2), "team": team})
        return s.scalar(select(FileCaseworker.id).order_by(FileCaseworker.id.desc()).limit(1)) or 0


def affiliate_logins(url: str, count: int, seed: int = 5) -> list[tuple[str, int]]:
    """``count`` random people get an affiliate account (one password hash for all: the benchmark logs most of
    them in without it, see the docstring). Returns (login, party id)."""
    with session_scope(url) as s:
        have = s.execute(select(Account.login, Account.party_id).where(Account.role == "affiliate",
                                                                       Account.login.like("bench-%"))).all()
        if len(have) >= count:
            return [(login, pid) for login, pid in have[:count]]
        people = list(s.scalars(select(Person.id).order_by(Person.id)))
        chosen = random.Random(seed).sample(people, min(count, len(people)))
        hashed = passwords.hash_password(PASSWORD)
        taken = {pid for _login, pid in have}
        rows = [{"login": LOGIN.format(pid), "password_hash": hashed, "role": "affiliate", "party_id": pid,
                 "language": random.Random(pid).choice(("fr", "nl", "de")), "failed_logins": 0, "disabled": False,
                 "demo": False, "created_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)}
                for pid in chosen if pid not in taken]
        if rows:
            s.execute(insert(Account), rows)
    return affiliate_logins(url, count, seed)


def open_sessions(url: str, logins: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """A session per login by ``accounts._open_session`` (what a successful login does). Returns (token, party)."""
    settings = Settings(database_url=url)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    out = []
    with session_scope(url) as s:
        by_login = {a.login: a for a in s.scalars(select(Account).where(Account.login.in_([x for x, _ in logins])))}
        for login, pid in logins:
            result = accounts._open_session(s, by_login[login], "127.0.0.1", now, settings, "password")
            out.append((result.token, pid))
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, workers: int, port: int, log: Path) -> subprocess.Popen:
    """``caisse serve`` in a process of its own (production settings, from the environment)."""
    src = str(Path(caisse.__file__).resolve().parent.parent)
    env = {**os.environ, "CAISSE_DATABASE_URL": url, "CAISSE_DEMO_MODE": "false",
           "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    code = "import sys; from caisse.cli import main; sys.argv[0] = 'caisse'; main()"
    server = subprocess.Popen([sys.executable, "-c", code, "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--workers", str(workers)], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.monotonic() + 300  # a busy machine takes its time to import the app in every worker
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"the server did not answer within 300 s:\n{log.read_text()[-3000:]}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)  # its own session: the uvicorn supervisor and its workers
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _cpu_of(pids) -> dict[int, float]:
    """CPU seconds (user + system) of each process still alive, from /proc (Linux)."""
    tick, out = os.sysconf("SC_CLK_TCK"), {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / tick
    return out


def server_cpu(server: subprocess.Popen, url: str) -> tuple[float, float]:
    """CPU seconds used so far by the server's processes (its process group) and by the PostgreSQL backends
    serving the benchmark's database: the cost of the pages whatever else the machine is doing."""
    group = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[2]) == server.pid:
                    group.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        backends = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                               (url.rsplit("/", 1)[1],))]
    return sum(_cpu_of(group).values()), sum(_cpu_of(backends).values())


def portal_login(base: str, login: str) -> str:
    """Log in through the portal's form, as a browser does; returns the session token."""
    with httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/login", headers={"Accept": "text/html"})
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if form.status_code != 200 or csrf is None:
            raise RuntimeError(f"login form: {form.status_code}")
        answer = client.post("/login", data={"login": login, "password": PASSWORD, "csrf_token": csrf.group(1)})
        token = answer.cookies.get("caisse_session") or client.cookies.get("caisse_session")
        if answer.status_code != 303 or not token:
            raise RuntimeError(f"login of {login} refused: {answer.status_code}")
        return token


async def _user(client: httpx.AsyncClient, sessions, rng: random.Random, stop: float, start_counting: float,
                think: float, out: list, errors: list, done: list) -> None:
    while True:
        now = time.perf_counter()
        if now >= stop:
            return
        token, party = sessions[rng.randrange(len(sessions))]
        t = time.perf_counter()
        try:
            r = await client.get("/", headers={"Accept": "text/html", "Cookie": f"caisse_session={token}"})
            ok = r.status_code == 200 and f'id="file-{party}"' in r.text
            what = f"HTTP {r.status_code}"
        except httpx.HTTPError as exc:
            ok, what = False, type(exc).__name__
        took = time.perf_counter() - t
        done.append(took)
        if t >= start_counting:
            (out if ok else errors).append(took if ok else what)
        if think:  # a user reading at the end of the run does not stretch the measured wall time
            await asyncio.sleep(min(rng.expovariate(1 / think), max(0.0, stop - time.perf_counter())))


async def load(base: str, sessions, users: int, seconds: float, warmup: float, think: float, seed: int = 3):
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        begin = time.perf_counter()
        start_counting, stop = begin + warmup, begin + warmup + seconds
        out: list[float] = []
        errors: list[str] = []
        done: list[float] = []
        await asyncio.gather(*(_user(client, sessions, random.Random(seed + i), stop, start_counting, think, out,
                                     errors, done) for i in range(users)))
        return out, errors, time.perf_counter() - start_counting, len(done)


def report(label: str, times: list[float], errors: list[str], wall: float) -> None:
    if not times:
        print(f"  {label}: no page served; errors: {errors[:5]}", flush=True)
        return
    q = statistics.quantiles(times, n=100, method="inclusive")
    kinds = {e: errors.count(e) for e in sorted(set(errors))}
    print(f"  {label}: {len(times):,} pages in {wall:.1f} s = {len(times) / wall:,.1f} pages/s; latency ms p50 "
          f"{q[49] * 1000:.0f}  p95 {q[94] * 1000:.0f}  p99 {q[98] * 1000:.0f}  max {max(times) * 1000:.0f}; "
          f"errors {len(errors)}{' ' + str(kinds) if kinds else ''}; load {os.getloadavg()[0]:.2f}", flush=True)


def bench(args, workdir: str) -> None:
    target = Target("postgresql", args.pg, workdir)
    server = None
    url = None
    try:
        t0 = time.perf_counter()
        if args.reuse:
            url = f"{args.pg}/{args.reuse}"
            upgrade(url)
            print(f"reusing {args.reuse}", flush=True)
        else:
            url = target.new()
            print(f"fund: {build(url, args.affiliates)}", flush=True)
            caseworkers(url)
            if args.keep:
                target.made.clear()  # not dropped at the end
                print(f"database kept: {url.rsplit('/', 1)[1]} (drop it with: dropdb -h 127.0.0.1 -U postgres "
                      f"{url.rsplit('/', 1)[1]})", flush=True)
        logins = affiliate_logins(url, args.sessions)
        with engine_for(url).connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
            people = conn.execute(text("SELECT COUNT(*) FROM person")).scalar()
            entries = conn.execute(text("SELECT COUNT(*) FROM ledger_entry")).scalar()
            audit = conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar()
        print(f"built in {time.perf_counter() - t0:.1f} s (not timed): {people:,} people, {entries:,} ledger entries, "
              f"{audit:,} audit rows, {len(logins):,} affiliate logins", flush=True)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(url, args.workers, port, Path(workdir) / "server.log")
        engine_for(url).dispose()
        by_form = [(portal_login(base, login), pid) for login, pid in logins[:args.logins]]
        sessions = by_form + open_sessions(url, logins[args.logins:])
        print(f"server: caisse serve --workers {args.workers}; {len(by_form)} people logged in through the login "
              f"form, {len(sessions) - len(by_form):,} sessions opened by accounts._open_session; "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f} before the run", flush=True)
        app0, pg0 = server_cpu(server, url)
        times, errors, wall, pages = asyncio.run(load(base, sessions, args.users, args.seconds, args.warmup,
                                                      args.think))
        app1, pg1 = server_cpu(server, url)
        think = f", think time {args.think:g} s" if args.think else ", no think time"
        report(f"GET / {args.users} users{think}", times, errors, wall)
        if pages:  # the CPU counters run from the start of the load: every page asked counts
            print(f"  CPU per page ({pages:,} pages asked, warm-up included): server "
                  f"{(app1 - app0) / pages * 1000:.1f} ms, PostgreSQL "
                  f"{(pg1 - pg0) / pages * 1000:.1f} ms", flush=True)
    finally:
        if server is not None:
            stop_server(server)
        if url is not None:
            engine_for(url).dispose()
        target.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--affiliates", type=int, default=300_000, help="people in the fund (companies: a tenth)")
    ap.add_argument("--users", type=int, default=50, help="concurrent users")
    ap.add_argument("--seconds", type=float, default=30, help="measured duration")
    ap.add_argument("--warmup", type=float, default=5, help="seconds of load not counted, first")
    ap.add_argument("--think", type=float, default=0, help="mean think time between two pages of a user (s)")
    ap.add_argument("--workers", type=int, default=2, help="server worker processes")
    ap.add_argument("--sessions", type=int, default=5000, help="people logged in (the random affiliates)")
    ap.add_argument("--logins", type=int, default=20, help="of whom logged in through the login form")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    ap.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    ap.add_argument("--reuse", metavar="NAME", help="run on a database kept by --keep, without building")
    args = ap.parse_args()
    if not _postgres_reachable(args.pg):
        sys.exit(f"pg: no PostgreSQL server answers at {args.pg}")
    with tempfile.TemporaryDirectory(prefix="caisse-bench-") as workdir:
        bench(args, workdir)


if __name__ == "__main__":
    main()
