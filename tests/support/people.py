"""Small builders shared by tests."""

from __future__ import annotations

import datetime as dt

from caisse.demo.identities import make_iban, make_niss
from caisse.security.authz import Principal
from caisse.services import affiliation as svc


def register_someone(session, birth=dt.date(1999, 9, 9), seq=777, language="fr"):
    """A person's file (French unless ``language``: their pages are in their file's language)."""
    return svc.register_person(session, svc.PersonInput(
        niss=make_niss(birth, seq), first_name="Test", last_name="Person", birth_date=birth, language=language,
        address=svc.AddressInput(street="Rue", house_number="1", postal_code="1000", city="Bruxelles"),
        iban=make_iban("001", 42)), Principal.system("test"), dt.date(2026, 11, 24))
