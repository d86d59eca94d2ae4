"""The offline breached-password list: shipped with the package, read without the network, and it refuses what
zxcvbn alone lets through."""

from __future__ import annotations

import pytest
from zxcvbn import zxcvbn

from caisse.errors import InvalidInput
from caisse.security import passwords
from support.web import PASSWORD


def test_the_list_is_shipped_compact_and_only_holds_passwords_the_length_rule_lets_through():
    listed = passwords._breached()
    assert len(listed) == 10_000
    assert all(len(p) >= passwords.MIN_LENGTH for p in listed)
    assert passwords.BREACHED_LIST.stat().st_size < 200_000


@pytest.mark.parametrize("password", ["calcavecchia", "MCouture123456", "qqwweerrttyy", "XX1TVYQ7VTW6"])
def test_a_breached_password_is_refused_even_when_zxcvbn_finds_it_strong(password):
    assert zxcvbn(password)["score"] >= passwords.MIN_SCORE  # zxcvbn alone would accept it
    with pytest.raises(InvalidInput) as err:
        passwords.check_strength(password, "someone@fund.test")
    assert "breached" in err.value.message


def test_a_good_password_passes():
    assert not passwords.is_breached(PASSWORD)
    passwords.check_strength(PASSWORD, "someone@fund.test")
