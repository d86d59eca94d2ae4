"""The size limit of uploads is one setting for every upload, CAISSE_UPLOAD_MAX_BYTES; a fund still configured with
its old name (CAISSE_CLAIM_ATTACHMENT_MAX_BYTES, when it served benefit claims only) keeps its limit, and is told to
rename it."""

from __future__ import annotations

import warnings

import pytest

from caisse.config import Settings


@pytest.fixture(autouse=True)
def _neither(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.delenv("CAISSE_UPLOAD_MAX_BYTES", raising=False)
    monkeypatch.delenv("CAISSE_CLAIM_ATTACHMENT_MAX_BYTES", raising=False)


def test_the_upload_limit_is_read_from_its_name_without_a_warning(monkeypatch):
    assert Settings().upload_max_bytes == 5_000_000
    monkeypatch.setenv("CAISSE_UPLOAD_MAX_BYTES", "2000000")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Settings().upload_max_bytes == 2_000_000


def test_the_old_name_still_sets_the_limit_with_a_deprecation_warning(monkeypatch, tmp_path):
    monkeypatch.setenv("CAISSE_CLAIM_ATTACHMENT_MAX_BYTES", "3000000")
    with pytest.warns(FutureWarning, match="CAISSE_CLAIM_ATTACHMENT_MAX_BYTES is deprecated: name it "
                                           "CAISSE_UPLOAD_MAX_BYTES"):
        assert Settings().upload_max_bytes == 3_000_000
    monkeypatch.delenv("CAISSE_CLAIM_ATTACHMENT_MAX_BYTES")
    (tmp_path / ".env").write_text("CAISSE_CLAIM_ATTACHMENT_MAX_BYTES=4000000\n")  # in the .env file too
    with pytest.warns(FutureWarning, match="deprecated"):
        assert Settings().upload_max_bytes == 4_000_000


def test_the_new_name_wins_over_the_old_one(monkeypatch):
    monkeypatch.setenv("CAISSE_CLAIM_ATTACHMENT_MAX_BYTES", "3000000")
    monkeypatch.setenv("CAISSE_UPLOAD_MAX_BYTES", "1000000")
    with pytest.warns(FutureWarning, match="both are set: CAISSE_UPLOAD_MAX_BYTES is used"):
        assert Settings().upload_max_bytes == 1_000_000


def test_a_limit_that_is_not_a_positive_number_is_refused_naming_it(monkeypatch):
    from pydantic import ValidationError

    monkeypatch.setenv("CAISSE_UPLOAD_MAX_BYTES", "0")
    with pytest.raises(ValidationError, match="CAISSE_UPLOAD_MAX_BYTES"):
        Settings()
