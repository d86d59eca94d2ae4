"""`make test` on a machine without a running PostgreSQL starts its own cluster from Debian's binaries."""

from __future__ import annotations

import glob
import os

import pytest

import pg


@pytest.mark.skipif(not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not os.environ.get("CI"),
                    reason="PostgreSQL server binaries are not installed")
def test_a_throwaway_cluster_starts_answers_and_stops():
    cluster = pg.ThrowawayCluster()
    url = cluster.start()
    try:
        assert pg.can_connect(url)
    finally:
        cluster.stop()
    assert not pg.can_connect(url)
    assert not cluster.dir.exists()
