"""Find or start a real PostgreSQL for the test suite.

Order: ``CAISSE_TEST_POSTGRES_URL``; a server on 127.0.0.1:5432 (trust auth, database ``test``); else a
throwaway cluster from Debian's binaries (initdb as the ``postgres`` user), stopped by PID afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/test"


def can_connect(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("select 1")
        return True
    except Exception:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary directory, for one test run."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("no PostgreSQL server binaries (apt-get install postgresql)")
        self.bin = Path(bins[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="caisse-pg-"))
        self.port = _free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> str:
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--locale=C.UTF-8")
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "server.log"),
                  "-o", opts, "-w", "start")
        url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        for _ in range(50):
            if can_connect(url):
                return url
            time.sleep(0.1)
        raise RuntimeError("throwaway PostgreSQL did not accept connections")

    def stop(self) -> None:
        pidfile = self.dir / "data" / "postmaster.pid"
        if pidfile.exists():
            pid = int(pidfile.read_text().splitlines()[0])
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)
            for _ in range(100):
                if not pidfile.exists():
                    break
                time.sleep(0.1)
        shutil.rmtree(self.dir, ignore_errors=True)


def find_or_start() -> tuple[str | None, ThrowawayCluster | None, str]:
    """Return (url, cluster-to-stop-or-None, how it was found)."""
    url = os.environ.get("CAISSE_TEST_POSTGRES_URL")
    if url:
        return url, None, "CAISSE_TEST_POSTGRES_URL"
    if can_connect(LOCAL_URL):
        return LOCAL_URL, None, "server on 127.0.0.1:5432"
    try:
        cluster = ThrowawayCluster()
        return cluster.start(), cluster, f"throwaway cluster on port {cluster.port}"
    except Exception as exc:  # no binaries, no postgres user, ...
        return None, None, f"no PostgreSQL: {exc}"
