"""Money fixtures."""

import pytest

from caisse.store.db import session_scope


@pytest.fixture
def db(db_url):
    with session_scope(db_url) as s:
        yield s
