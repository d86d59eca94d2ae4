"""The real bank files of ``../shared/samples/`` (read-only, never copied into the project).

Where the folder is missing the tests that need it are skipped with a loud reason, except in CI where a missing
sample is a failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_SAMPLES = Path(os.environ.get("CAISSE_SHARED_SAMPLES",
                                     Path(__file__).resolve().parents[3] / "shared" / "samples"))
CODA = SHARED_SAMPLES / "coda"


def require_coda_samples() -> None:
    """Call at the top of a test module that reads the real CODA files."""
    if (CODA / "kbc-2006-single-statement.coda").exists():
        return
    reason = f"the real CODA samples are not at {CODA} (set CAISSE_SHARED_SAMPLES)"
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)
