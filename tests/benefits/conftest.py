import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "batches"))

from fund import Fund  # noqa: E402


@pytest.fixture
def fund(db_url):
    return Fund(db_url)
