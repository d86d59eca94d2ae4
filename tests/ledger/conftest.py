"""Ledger fixtures."""

import pytest

from caisse.store.db import session_scope


@pytest.fixture
def db(db_url):
    """A session on a migrated empty database, committed at the end of the test."""
    with session_scope(db_url) as s:
        yield s
