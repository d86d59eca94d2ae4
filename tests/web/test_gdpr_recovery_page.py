"""The right-of-access page shows the recovery of the file, each part under a title in the person's language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from caisse.store.db import session_scope
from support.people import register_someone
from support.recovery_data import whole_recovery_of
from support.web import form_login, make_account


@pytest.mark.parametrize(("language", "titles"), [
    ("en", ("Recovery of unpaid contributions, step by step", "Payment plans and their instalments",
            "Handed to a bailiff or a lawyer", "Quarters written off as prescribed (no pension right)")),
    ("fr", ("Recouvrement des cotisations impayées, étape par étape", "Plans d'apurement et leurs échéances",
            "Transmis à un huissier de justice ou à un avocat", "Actes qui ont interrompu la prescription")),
])
def test_an_affiliate_sees_the_recovery_of_their_file_on_the_everything_page(app_for, db_url, language, titles):
    with session_scope(db_url) as s:
        pid = register_someone(s).id
        whole_recovery_of(s, pid)
    login, secret = make_account(db_url, "affiliate", party_id=pid, language=language)  # the language they chose
    with TestClient(app_for, headers={"accept-language": language}) as c:
        form_login(c, login, secret)
        page = c.get(f"/my/files/{pid}/everything")
        assert page.status_code == 200, page.text[-2000:]
        text = page.text.replace("&#39;", "'")
        for title in titles:
            assert title in text, title
        assert "lost a client" in text and "enforcement order not paid" in text
        assert c.get(f"/my/files/{pid}/everything.pdf").content.startswith(b"%PDF")
