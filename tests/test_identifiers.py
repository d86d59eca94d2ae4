"""Belgian identifiers: valid ones are normalised, invalid ones are refused with the field and the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caisse import identifiers as ids
from caisse.demo.identities import make_bis, make_iban, make_kbo, make_niss
from caisse.errors import InvalidInput


def test_structured_communication_example_of_the_belgian_banks():
    # legislation.md §12 E17 (ABBL): base 3124013980 → check 67
    assert ids.make_ogm(3124013980) == "+++312/4013/98067+++"
    assert ids.normalize_ogm("+++312/4013/98067+++") == "312401398067"
    assert ids.normalize_ogm("***312/4013/98067***") == "312401398067"


@given(st.integers(0, 9_999_999_999))
def test_every_structured_communication_we_make_is_valid(base):
    ogm = ids.make_ogm(base)
    digits = ids.normalize_ogm(ogm)
    assert int(digits[-2:]) == (base % 97 or 97)


def test_a_mistyped_structured_communication_is_refused():
    with pytest.raises(InvalidInput) as err:
        ids.normalize_ogm("+++312/4013/98068+++", "communication")
    assert err.value.field == "communication" and "check digits" in err.value.message


@given(st.dates(dt.date(1920, 1, 1), dt.date(2010, 12, 31)), st.integers(1, 998))
def test_national_and_bis_numbers_round_trip(birth, seq):
    assert ids.niss_birth_date(ids.normalize_niss(make_niss(birth, seq))) == birth
    bis = ids.normalize_niss(make_bis(birth, seq))
    assert ids.niss_is_bis(bis) and ids.niss_birth_date(bis) == birth


def test_niss_masked_for_lists_and_logs():
    assert ids.mask_niss("85073003328") == "85.07.30-xxx.28"


@pytest.mark.parametrize("value, reason", [
    ("0403170702", "check digits"), ("04031707", "wrong number of digits"), ("", "required")])
def test_enterprise_number_errors(value, reason):
    with pytest.raises(InvalidInput) as err:
        ids.normalize_kbo(value)
    assert err.value.field == "kbo" and reason in err.value.message


def test_enterprise_numbers_starting_with_1_are_accepted():
    assert ids.normalize_kbo(make_kbo(10_000_002)).startswith("1")


def test_iban_and_bic():
    assert ids.normalize_iban("be71 0961 2345 6769") == "BE71096123456769"
    assert ids.format_iban("BE71096123456769") == "BE71 0961 2345 6769"
    assert ids.normalize_bic("GKCCBEBB") == "GKCCBEBB"
    with pytest.raises(InvalidInput) as err:
        ids.normalize_iban("BE71096123456768")
    assert err.value.field == "iban"
    with pytest.raises(InvalidInput):
        ids.normalize_bic("GKCC")
    assert ids.normalize_iban(make_iban("734", 1)).startswith("BE")
