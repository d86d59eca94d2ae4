"""Titles and column headings of the reports' PDF in French, Dutch, German (and English), words of the glossary.

The CSV and JSON keep the column codes (docs/formats/reports.md); the PDF, read by people, shows these.
Values stay the codes of the format (``not_yet_due``, ``2025Q1``, ``portal``), explained in the same document.
"""

from __future__ import annotations

# code: (fr, nl, de); English is the code made readable
TITLES: dict[str, tuple[str, str, str]] = {
    "collection": ("Cotisations appelées, perçues, en non-valeur et à recevoir", "Gevraagde, geïnde, oninbare en "
                   "openstaande bijdragen", "Angeforderte, eingenommene, abgeschriebene und offene Beiträge"),
    "arrears-ageing": ("Arriérés par ancienneté", "Achterstallen naar ouderdom", "Rückstände nach Alter"),
    "affiliates": ("Affiliés par catégorie, région, âge et sexe", "Aangeslotenen per categorie, gewest, leeftijd en "
                   "geslacht", "Mitglieder nach Kategorie, Region, Alter und Geschlecht"),
    "payment-plans": ("Plans d'apurement", "Afbetalingsplannen", "Zahlungspläne"),
    "recovery-stages": ("Recouvrement : débiteurs et montants par étape", "Invordering: schuldenaars en bedragen per "
                        "stap", "Beitreibung: Schuldner und Beträge je Stufe"),
    "benefits": ("Prestations demandées, accordées, refusées et payées", "Aangevraagde, toegekende, geweigerde en "
                 "betaalde uitkeringen", "Beantragte, bewilligte, abgelehnte und gezahlte Leistungen"),
    "company-contributions": ("Cotisation annuelle des sociétés", "Vennootschapsbijdrage",
                              "Jahresbeitrag der Gesellschaften"),
    "surcharges": ("Majorations appliquées, perçues et remises", "Aangerekende, geïnde en kwijtgescholden verhogingen",
                   "Berechnete, eingenommene und erlassene Beitragszuschläge"),
    "write-offs": ("Montants mis en non-valeur", "Oninbaar gestelde bedragen", "Abgeschriebene Beträge"),
    "service-levels": ("Niveau de service : délais de réponse et de décision", "Dienstverlening: antwoord- en "
                       "beslissingstermijnen", "Dienstleistung: Antwort- und Entscheidungsfristen"),
    "case-backlog": ("Demandes en cours par ancienneté", "Lopende aanvragen naar ouderdom",
                     "Laufende Anträge nach Alter"),
    "collection-rate": ("Taux de perception par période", "Inningsgraad per periode", "Einzugsquote je Zeitraum"),
}

COLUMNS: dict[str, tuple[str, str, str]] = {
    "period": ("Période", "Periode", "Zeitraum"),
    "called": ("Appelé", "Gevraagd", "Angefordert"),
    "collected": ("Perçu", "Geïnd", "Eingenommen"),
    "written_off": ("Non-valeur", "Oninbaar", "Abgeschrieben"),
    "outstanding": ("À recevoir", "Openstaand", "Offen"),
    "surcharges_charged": ("Majorations appliquées", "Verhogingen aangerekend", "Zuschläge berechnet"),
    "surcharges_collected": ("Majorations perçues", "Verhogingen geïnd", "Zuschläge eingenommen"),
    "surcharges_waived": ("Majorations remises", "Verhogingen kwijtgescholden", "Zuschläge erlassen"),
    "surcharges_outstanding": ("Majorations à recevoir", "Verhogingen openstaand", "Zuschläge offen"),
    "band": ("Ancienneté (jours)", "Ouderdom (dagen)", "Alter (Tage)"),
    "items": ("Postes", "Posten", "Posten"),
    "debtors": ("Débiteurs", "Schuldenaars", "Schuldner"),
    "open": ("Ouvert", "Open", "Offen"),
    "measure": ("Mesure", "Maatstaf", "Messgröße"),
    "category": ("Catégorie", "Categorie", "Kategorie"),
    "region": ("Région", "Gewest", "Region"),
    "age_band": ("Âge", "Leeftijd", "Alter"),
    "sex": ("Sexe", "Geslacht", "Geschlecht"),
    "affiliates": ("Affiliés", "Aangeslotenen", "Mitglieder"),
    "state": ("État", "Toestand", "Stand"),
    "plans": ("Plans", "Plannen", "Pläne"),
    "debt": ("Dette couverte", "Gedekte schuld", "Gedeckte Schuld"),
    "down_payment": ("Acompte", "Voorschot", "Anzahlung"),
    "instalments_due": ("Échéances échues", "Vervallen termijnen", "Fällige Raten"),
    "paid": ("Payé", "Betaald", "Gezahlt"),
    "stage": ("Étape", "Stap", "Stufe"),
    "amount": ("Montant", "Bedrag", "Betrag"),
    "kind": ("Type", "Soort", "Art"),
    "received": ("Reçues", "Ontvangen", "Eingegangen"),
    "pending": ("En cours", "Lopend", "Laufend"),
    "granted": ("Accordées", "Toegekend", "Bewilligt"),
    "refused": ("Refusées", "Geweigerd", "Abgelehnt"),
    "decided_late": ("Décidées hors délai", "Te laat beslist", "Verspätet entschieden"),
    "granted_amount": ("Montant accordé", "Toegekend bedrag", "Bewilligter Betrag"),
    "paid_by_mutuality": ("Payées par la mutualité", "Betaald door het ziekenfonds", "Von der Krankenkasse gezahlt"),
    "ledger_granted": ("Accordé (comptabilité)", "Toegekend (boekhouding)", "Bewilligt (Buchhaltung)"),
    "paid_amount": ("Montant payé", "Betaald bedrag", "Gezahlter Betrag"),
    "to_pay": ("Reste à payer", "Nog te betalen", "Noch zu zahlen"),
    "payment_late": ("Paiements en retard", "Laattijdige betalingen", "Verspätete Zahlungen"),
    "year": ("Année", "Jaar", "Jahr"),
    "companies_called": ("Sociétés appelées", "Aangerekende vennootschappen", "Angeforderte Gesellschaften"),
    "companies_in_arrears": ("Sociétés en retard", "Vennootschappen met achterstal", "Gesellschaften im Rückstand"),
    "debtor_kind": ("Débiteur", "Schuldenaar", "Schuldner"),
    "debtors_charged": ("Débiteurs majorés", "Schuldenaars met verhoging", "Schuldner mit Zuschlag"),
    "charged": ("Appliqué", "Aangerekend", "Berechnet"),
    "debtors_waived": ("Débiteurs avec remise", "Schuldenaars met kwijtschelding", "Schuldner mit Erlass"),
    "waived": ("Remis", "Kwijtgescholden", "Erlassen"),
    "account": ("Compte", "Rekening", "Konto"),
    "rule": ("Règle", "Regel", "Regel"),
    "write_offs": ("Mises en non-valeur", "Oninbaarstellingen", "Abschreibungen"),
    "channel": ("Canal", "Kanaal", "Kanal"),
    "deadline": ("Délai", "Termijn", "Frist"),
    "deadline_status": ("Source du délai", "Bron van de termijn", "Quelle der Frist"),
    "first_answers": ("Premières réponses", "Eerste antwoorden", "Erste Antworten"),
    "first_answer_median_days": ("1re réponse, médiane (j)", "1e antwoord, mediaan (d)", "1. Antwort, Median (T)"),
    "first_answer_p90_days": ("1re réponse, 90 % (j)", "1e antwoord, 90 % (d)", "1. Antwort, 90 % (T)"),
    "decided": ("Décidées", "Beslist", "Entschieden"),
    "decision_median_days": ("Décision, médiane (j)", "Beslissing, mediaan (d)", "Entscheidung, Median (T)"),
    "decision_p90_days": ("Décision, 90 % (j)", "Beslissing, 90 % (d)", "Entscheidung, 90 % (T)"),
    "decided_in_time": ("Décidées dans le délai", "Tijdig beslist", "Fristgerecht entschieden"),
    "pending_overdue": ("En cours, délai dépassé", "Lopend, termijn verstreken", "Laufend, Frist überschritten"),
    "share_in_time": ("Part dans le délai", "Aandeel tijdig", "Anteil fristgerecht"),
    "queue": ("File", "Wachtrij", "Warteschlange"),
    "age": ("Ancienneté (jours)", "Ouderdom (dagen)", "Alter (Tage)"),
    "overdue": ("Délai dépassé", "Termijn verstreken", "Frist überschritten"),
    "due_within_7_days": ("Échéance dans 7 jours", "Vervalt binnen 7 dagen", "Fällig in 7 Tagen"),
    "collection_rate": ("Taux de perception", "Inningsgraad", "Einzugsquote"),
}

PHRASES: dict[str, tuple[str, str, str, str]] = {  # en, fr, nl, de
    "as_of": ("Reference date", "Date de référence", "Referentiedatum", "Stichtag"),
    "since": ("From", "Depuis le", "Vanaf", "Ab dem"),
    "min_count": ("Cells under", "Cellules sous", "Cellen onder", "Zellen unter"),
    "note": ("Counts and sums only, no personal data. Amounts in EUR. Definitions: docs/formats/reports.md.",
             "Comptages et sommes uniquement, aucune donnée personnelle. Montants en EUR. Définitions : "
             "docs/formats/reports.md.",
             "Enkel tellingen en sommen, geen persoonsgegevens. Bedragen in EUR. Definities: docs/formats/reports.md.",
             "Nur Zählungen und Summen, keine personenbezogenen Daten. Beträge in EUR. Definitionen: "
             "docs/formats/reports.md."),
    "page": ("page", "page", "pagina", "Seite"),
    "empty": ("Nothing to report on this date.", "Rien à signaler à cette date.", "Niets te melden op deze datum.",
              "Zu diesem Datum nichts zu melden."),
}
LANGUAGES = ("en", "fr", "nl", "de")


def _pick(entry: tuple[str, str, str], code: str, language: str) -> str:
    if language == "en":
        return code.replace("-", " ").replace("_", " ").capitalize()
    return entry[("fr", "nl", "de").index(language)]


def title(report: str, language: str) -> str:
    return _pick(TITLES.get(report, (report,) * 3), report, language)


def column(name: str, language: str) -> str:
    return _pick(COLUMNS.get(name, (name,) * 3), name, language)


def phrase(key: str, language: str) -> str:
    return PHRASES[key][LANGUAGES.index(language)]
