import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "batches"))

from fund import Fund  # noqa: E402

from caisse.config import get_settings  # noqa: E402

MENTIONS = Path(__file__).with_name("charter_mentions_test.yaml")


@pytest.fixture
def fund(db_url):
    return Fund(db_url)


@pytest.fixture
def shipped_charter():
    """The charter.yaml shipped with caisse (no court address, no Judicial Code text: mentions missing)."""


@pytest.fixture(autouse=True)
def charter_mentions(monkeypatch, request):
    """Complete Charter art. 14 mentions (test data) unless a test asks for the shipped file (``shipped_charter``)."""
    if "shipped_charter" not in request.fixturenames:
        monkeypatch.setenv("CAISSE_CHARTER_MENTIONS_FILE", str(MENTIONS))
    else:
        monkeypatch.delenv("CAISSE_CHARTER_MENTIONS_FILE", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def payment_files_made_in_2023(monkeypatch):
    """The benefit stories pay on dates of 2023-2025, and a credit-transfer file may not ask an execution date before
    the day it is made: their payment files are made on Monday 2 January 2023."""
    import datetime as dt

    from caisse.collection import credit_transfers

    monkeypatch.setattr(credit_transfers, "_now", lambda: dt.datetime(2023, 1, 2, 9, 0))
