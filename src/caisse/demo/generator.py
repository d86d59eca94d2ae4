"""A deterministic synthetic fund with the shape of a real one (``design/population.md``).

About 68 % main activity, 23 % complementary, 8 % active after pension age, a few % helping spouses,
students and art. 37; 61 % Flanders, 27 % Wallonia, 10 % Brussels, under 1 % German-speaking; two thirds
men; ~9 % starters a year; incomes right-skewed with many at or under the minimum and a tail above the
ceiling; one company per ten people by default (the ratio is a parameter). Every NISS, BIS, KBO and IBAN
is valid. Same seed and reference date → the same fund, row for row.

``generate`` is pure (returns rows per table); ``load`` writes them with the bulk loader.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from dataclasses import dataclass, field

from sqlalchemy import Connection

from caisse.demo.identities import make_bis, make_iban, make_kbo, make_niss
from caisse.services import audit
from caisse.store import bulk
from caisse.store.models import (
    Address,
    Affiliation,
    AffiliationStep,
    BalanceSheet,
    BankAccount,
    CategoryPeriod,
    Company,
    Event,
    Mandate,
    Party,
    Person,
    ProfessionalIncome,
    SpouseLink,
)

# (postal code, city fr/nl/de as used locally, region)
PLACES = [
    ("1000", "Bruxelles", "BRU"), ("1030", "Schaerbeek", "BRU"), ("1050", "Ixelles", "BRU"),
    ("1060", "Saint-Gilles", "BRU"), ("1080", "Molenbeek-Saint-Jean", "BRU"), ("1180", "Uccle", "BRU"),
    ("1200", "Woluwe-Saint-Lambert", "BRU"), ("1090", "Jette", "BRU"),
    ("2000", "Antwerpen", "VLG"), ("2300", "Turnhout", "VLG"), ("2500", "Lier", "VLG"), ("2800", "Mechelen", "VLG"),
    ("3000", "Leuven", "VLG"), ("3500", "Hasselt", "VLG"), ("3600", "Genk", "VLG"), ("1800", "Vilvoorde", "VLG"),
    ("8000", "Brugge", "VLG"), ("8400", "Oostende", "VLG"), ("8500", "Kortrijk", "VLG"), ("9000", "Gent", "VLG"),
    ("9100", "Sint-Niklaas", "VLG"), ("9300", "Aalst", "VLG"), ("9200", "Dendermonde", "VLG"),
    ("4000", "Liège", "WAL"), ("5000", "Namur", "WAL"), ("6000", "Charleroi", "WAL"), ("7000", "Mons", "WAL"),
    ("1300", "Wavre", "WAL"), ("1400", "Nivelles", "WAL"), ("1348", "Louvain-la-Neuve", "WAL"),
    ("6700", "Arlon", "WAL"), ("7500", "Tournai", "WAL"), ("4800", "Verviers", "WAL"), ("5500", "Dinant", "WAL"),
    ("4700", "Eupen", "DG"), ("4780", "Sankt Vith", "DG"), ("4730", "Raeren", "DG"), ("4760", "Büllingen", "DG"),
]
REGION_WEIGHTS = {"VLG": 0.61, "WAL": 0.27, "BRU": 0.11, "DG": 0.01}
STREETS = {
    "fr": ["Rue de la Station", "Rue de l'Église", "Avenue Louise", "Chaussée de Namur", "Rue du Moulin",
           "Place communale", "Rue des Écoles", "Avenue des Tilleuls", "Rue Haute", "Boulevard d'Avroy"],
    "nl": ["Stationsstraat", "Kerkstraat", "Dorpsstraat", "Molenstraat", "Nieuwstraat", "Schoolstraat",
           "Kapelstraat", "Meir", "Veldstraat", "Grote Markt"],
    "de": ["Bahnhofstraße", "Kirchstraße", "Hauptstraße", "Gospertstraße", "Aachener Straße", "Klosterstraße"],
}
FIRST = {
    "M": {"fr": ["Jean", "Pierre", "Luc", "Michel", "Thomas", "Nicolas", "Julien", "Mehdi", "Antoine", "Olivier"],
          "nl": ["Jan", "Peter", "Luc", "Tom", "Bart", "Wouter", "Koen", "Pieter", "Stijn", "Jens"],
          "de": ["Jürgen", "Klaus", "Stefan", "Andreas", "Lukas", "Matthias"]},
    "F": {"fr": ["Marie", "Sophie", "Julie", "Nathalie", "Isabelle", "Camille", "Léa", "Amina", "Céline", "Anne"],
          "nl": ["An", "Els", "Sarah", "Lotte", "Ann", "Katrien", "Sofie", "Lien", "Eva", "Marleen"],
          "de": ["Anna", "Sabine", "Petra", "Monika", "Julia", "Katharina"]},
}
LAST = {
    "fr": ["Dubois", "Lambert", "Dupont", "Martin", "Simon", "Laurent", "Lejeune", "Renard", "Leclercq", "Denis",
           "Collard", "François", "Mathieu", "Wauters", "Hubert"],
    "nl": ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "De Smet",
           "Vermeulen", "Van den Broeck", "Dubois", "Michiels", "Hermans"],
    "de": ["Schmitz", "Müller", "Kessler", "Maraite", "Heinen", "Kohnen", "Jost", "Theissen"],
}
ACTIVITIES = ["commerce de détail", "horeca", "construction", "profession libérale (santé)", "conseil",
              "artisanat", "agriculture", "transport", "services informatiques", "profession libérale (droit)"]
BANK_CODES = ["001", "063", "068", "096", "103", "143", "230", "310", "363", "645", "734", "735", "737", "750", "973"]
# category, share, age range at the reference date, income median (EUR), sigma
CATEGORIES = [
    ("main", 0.665, (23, 66), 30000, 0.85),
    ("complementary", 0.225, (22, 64), 7000, 1.1),
    ("post_pension", 0.08, (66, 82), 12000, 1.0),
    ("helping_spouse", 0.012, (25, 64), 11000, 0.6),
    ("student", 0.01, (18, 24), 5000, 0.9),
    ("art37", 0.008, (30, 64), 6000, 0.7),
]
INCOME_YEARS = (2021, 2022, 2023, 2024)  # incomes the tax administration has communicated by late 2026
LEGAL_FORMS = ["SRL", "BV", "SA", "NV", "SC", "CV", "SNC", "VOF"]


@dataclass
class DemoFund:
    rows: dict[str, list[tuple]] = field(default_factory=dict)
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, table: str, columns: tuple[str, ...], row: tuple) -> None:
        if table not in self.columns:
            self.columns[table] = columns
            self.rows[table] = []
        self.rows[table].append(row)

    def count(self, table: str) -> int:
        return len(self.rows.get(table, ()))


def _pick_weighted(rng: random.Random, weights: dict[str, float]) -> str:
    x = rng.random()
    acc = 0.0
    for key, w in weights.items():
        acc += w
        if x < acc:
            return key
    return key


def _income(rng: random.Random, median: float, sigma: float) -> int:
    """Right-skewed income in cents: lognormal, with a share near zero and a tail above the ceiling."""
    if rng.random() < 0.08:
        return rng.randint(0, 1_500_000)  # a bad year or a small activity
    value = median * math.exp(rng.gauss(0.0, sigma))
    return int(min(value, 600_000) * 100)


def _start_date(rng: random.Random, as_of: dt.date, earliest: dt.date) -> dt.date:
    """Start dates with ~9 % starters a year: exponential in the number of years before the reference date."""
    years_back = min(rng.expovariate(1 / 9.0), (as_of - earliest).days / 365.25)
    day = as_of - dt.timedelta(days=int(years_back * 365.25))
    return max(day, earliest)


PARTY_COLS = ("id", "kind", "language", "team", "created_at")
TEAMS = {"BRU": "brussels", "VLG": "flanders", "WAL": "wallonia", "DG": "east-belgium"}
PERSON_COLS = ("id", "niss", "first_name", "last_name", "birth_date", "sex", "email", "phone")
ADDRESS_COLS = ("party_id", "street", "house_number", "box", "postal_code", "city", "country", "valid_from")
BANK_COLS = ("party_id", "iban", "bic", "valid_from")
AFF_COLS = ("id", "person_id", "status", "start_date", "end_date", "end_reason", "requested_on", "primostarter",
            "activity")
CAT_COLS = ("affiliation_id", "category", "valid_from", "valid_to", "pension_received", "reduced_regime_opt_out",
            "recorded_at")
STEP_COLS = ("affiliation_id", "step", "happened_on", "recorded_at")
INCOME_COLS = ("person_id", "year", "amount_cents", "source", "assessed_on", "recorded_at")
COMPANY_COLS = ("id", "kbo", "name", "legal_form", "affiliation_start")
MANDATE_COLS = ("company_id", "person_id", "role", "valid_from")
SHEET_COLS = ("company_id", "financial_year", "total_cents")
SPOUSE_COLS = ("helper_id", "self_employed_id", "valid_from")
EVENT_COLS = ("party_id", "kind", "effective_on", "recorded_at", "actor", "detail")  # detail: JSON as text
DEMO_ACTOR = "demo"


def _bic_for(bank_code: str) -> str:
    from stdnum.be import iban as be_iban

    return be_iban.to_bic(make_iban(bank_code, 1))


def generate(affiliates: int = 2000, companies: int | None = None, seed: int = 1,
             as_of: dt.date = dt.date(2026, 11, 24)) -> DemoFund:
    rng = random.Random(seed)
    companies = affiliates // 10 if companies is None else companies
    fund = DemoFund()
    now = dt.datetime.combine(as_of, dt.time(8, 0))
    bics = {code: _bic_for(code) for code in BANK_CODES}
    used_niss: set[str] = set()
    main_people: list[tuple[int, dt.date]] = []
    category_cum = []
    acc = 0.0
    for cat in CATEGORIES:
        acc += cat[1]
        category_cum.append((acc, cat))

    for pid in range(1, affiliates + 1):
        x = rng.random() * acc
        category, _share, (age_lo, age_hi), median, sigma = next(c for a, c in category_cum if x < a)
        region = _pick_weighted(rng, REGION_WEIGHTS)
        postal, city, _ = rng.choice([p for p in PLACES if p[2] == region])
        lang = {"VLG": "nl", "WAL": "fr", "DG": "de"}.get(region) or ("fr" if rng.random() < 0.85 else "nl")
        sex = "M" if rng.random() < 0.66 else "F"
        age_days = rng.randint(age_lo * 365 + 10, age_hi * 365 + 300)
        birth = as_of - dt.timedelta(days=age_days)
        bis = rng.random() < 0.01
        while True:
            seq = rng.randrange(1 if sex == "M" else 2, 998, 2)
            niss = make_bis(birth, seq) if bis else make_niss(birth, seq)
            if niss not in used_niss:
                used_niss.add(niss)
                break
        first = rng.choice(FIRST[sex][lang])
        last = rng.choice(LAST[lang])
        email = f"{first.lower()}.{last.lower().replace(' ', '')}.{pid}@example.be"
        fund.add("party", PARTY_COLS, (pid, "person", lang, TEAMS[region], now))
        fund.add("person", PERSON_COLS, (pid, niss, first, last, birth, None if bis else sex, email, None))
        fund.add("address", ADDRESS_COLS, (pid, rng.choice(STREETS[lang]), str(rng.randint(1, 180)), None, postal,
                                           city, "BE", as_of - dt.timedelta(days=rng.randint(30, 4000))))
        code = rng.choice(BANK_CODES)
        fund.add("bank_account", BANK_COLS, (pid, make_iban(code, rng.randrange(10_000_000)), bics[code],
                                             as_of - dt.timedelta(days=rng.randint(30, 4000))))

        adult = dt.date(birth.year + 18, birth.month, min(birth.day, 28))
        start = _start_date(rng, as_of, max(adult, dt.date(1985, 1, 1)))
        if category == "post_pension":
            start = min(start, dt.date(birth.year + 60, 1, 1))
        if category == "student":
            start = max(start, adult)
        ceased = category != "post_pension" and rng.random() < 0.05 and start < as_of - dt.timedelta(days=200)
        end = start + dt.timedelta(days=rng.randint(120, max(121, (as_of - start).days - 30))) if ceased else None
        primo = category == "main" and start.year >= as_of.year - 1
        fund.add("affiliation", AFF_COLS, (pid, pid, "ceased" if ceased else "affiliated", start, end,
                                           "cessation of activity" if ceased else None,
                                           start - dt.timedelta(days=rng.randint(0, 60)), primo,
                                           rng.choice(ACTIVITIES)))
        if category == "post_pension":
            pension_age_day = dt.date(birth.year + 65, birth.month, min(birth.day, 28))
            fund.add("category_period", CAT_COLS, (pid, "main", start, pension_age_day - dt.timedelta(days=1),
                                                   None, False, now))
            fund.add("category_period", CAT_COLS, (pid, "post_pension", pension_age_day, None,
                                                   rng.random() < 0.9, False, now))
            # the dated event change_category writes
            fund.add("event", EVENT_COLS, (pid, "category_changed", pension_age_day, now, DEMO_ACTOR, json.dumps(
                {"from": "main", "to": "post_pension", "affiliation": pid})))
        else:
            fund.add("category_period", CAT_COLS, (pid, category, start, end, None, False, now))
        fund.add("affiliation_step", STEP_COLS, (pid, "requested", start - dt.timedelta(days=10), now))
        fund.add("affiliation_step", STEP_COLS, (pid, "affiliated", start, now))
        if ceased:
            fund.add("affiliation_step", STEP_COLS, (pid, "ceased", end, now))
            # the dated event cease writes
            fund.add("event", EVENT_COLS, (pid, "ceased", end, now, DEMO_ACTOR, json.dumps(
                {"affiliation": pid, "reason": "cessation of activity"})))
        base = _income(rng, median, sigma)
        for year in INCOME_YEARS:
            if start.year <= year and (end is None or end.year >= year):
                amount = max(0, int(base * (1 + rng.gauss(0.03, 0.15))))
                fund.add("professional_income", INCOME_COLS, (pid, year, amount, "tax",
                                                              dt.date(year + 1, rng.randint(6, 12), 15), now))
        if category == "main" and not ceased:
            main_people.append((pid, start))

    # helping spouses help a main-activity person
    spouses = [r for r in fund.rows["category_period"] if r[1] == "helping_spouse"]
    for row in spouses:
        if not main_people:
            break
        helped, _ = main_people[rng.randrange(len(main_people))]
        fund.add("spouse_link", SPOUSE_COLS, (row[0], helped, row[2]))
        # the dated events link_helping_spouse writes, on both files
        fund.add("event", EVENT_COLS, (row[0], "helping_spouse_linked", row[2], now, DEMO_ACTOR,
                                       json.dumps({"helps": helped})))
        fund.add("event", EVENT_COLS, (helped, "helping_spouse_linked", row[2], now, DEMO_ACTOR,
                                       json.dumps({"helper": row[0]})))

    for n in range(companies):
        cid = affiliates + 1 + n
        region = _pick_weighted(rng, REGION_WEIGHTS)
        postal, city, _ = rng.choice([p for p in PLACES if p[2] == region])
        lang = {"VLG": "nl", "WAL": "fr", "DG": "de"}.get(region) or "fr"
        form = rng.choice(LEGAL_FORMS)
        kbo = make_kbo((4_000_000 + n * 7919 + seed * 13) % 10_000_000 + (10_000_000 if n % 5 == 0 else 0))
        start = _start_date(rng, as_of, dt.date(1995, 1, 1))
        fund.add("party", PARTY_COLS, (cid, "company", lang, TEAMS[region], now))
        fund.add("company", COMPANY_COLS, (cid, kbo, f"{rng.choice(LAST[lang])} {form}", form, start))
        fund.add("address", ADDRESS_COLS, (cid, rng.choice(STREETS[lang]), str(rng.randint(1, 180)), None, postal,
                                           city, "BE", start))
        code = rng.choice(BANK_CODES)
        fund.add("bank_account", BANK_COLS, (cid, make_iban(code, rng.randrange(10_000_000)), bics[code], start))
        for _ in range(1 if rng.random() < 0.8 else 2):
            if main_people:
                director, since = main_people[rng.randrange(len(main_people))]
                fund.add("mandate", MANDATE_COLS, (cid, director, "director", max(start, since)))
        size = math.exp(rng.gauss(math.log(250_000), 1.2))
        for year in (2022, 2023, 2024):
            if start.year <= year:
                fund.add("balance_sheet", SHEET_COLS, (cid, year, int(size * (1 + 0.05 * (year - 2022))) * 100))
    return fund


TABLES = {
    "party": Party, "person": Person, "company": Company, "address": Address, "bank_account": BankAccount,
    "affiliation": Affiliation, "category_period": CategoryPeriod, "affiliation_step": AffiliationStep,
    "professional_income": ProfessionalIncome, "mandate": Mandate, "balance_sheet": BalanceSheet,
    "spouse_link": SpouseLink, "event": Event,
}


def load(conn: Connection, fund: DemoFund, actor: str = "demo") -> dict[str, int]:
    """Write the generated fund in one transaction (the caller's). Returns the row count per table."""
    counts = {}
    for name, model in TABLES.items():
        if name in fund.rows:
            bulk.insert_rows(conn, model.__table__, fund.columns[name], fund.rows[name])
            counts[name] = len(fund.rows[name])
    bulk.reset_sequences(conn, [m.__table__ for m in TABLES.values()])
    audit.append(conn, {}, actor, "bulk_load", "demo_fund", detail=counts)
    return counts
