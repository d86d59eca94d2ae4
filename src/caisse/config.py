"""Configuration from the environment or a `.env` file (prefix CAISSE_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAISSE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/caisse.sqlite"
    fund_name: str = "Caisse d'assurances sociales de démonstration"
    fund_kbo: str = "0403170701"
    fund_iban: str = "BE71096123456769"
    fund_bic: str = "GKCCBEBB"
    management_fee_rate: str = "0.0405"
    exchange_dir: str = "var/exchange"
    demo_mode: bool = False
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    login_max_failures_per_origin: int = 30
    imputation_policy: str | None = None  # see caisse.ledger.imputation.POLICIES (default: oldest period, principal)
    four_eyes_threshold_cents: int = 50_000  # refunds, write-offs, waivers, plans above this need a 2nd person
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    mail_from: str = "no-reply@caisse.example"
    portal_url: str = "http://127.0.0.1:8000/"
    # how people reach the fund; per team (the file's ``party.team``):
    # CAISSE_TEAM_CONTACTS='{"t1": {"name": "Team Brussels", "phone": "02 …", "email": "t1@…"}}'
    fund_phone: str = "+32 2 000 00 00"
    fund_email: str = "info@caisse.example"
    team_contacts: dict[str, dict[str, str]] = {}
    # the Charter art. 14 mentions the legislation notes do not give (labour courts' addresses, arts. 728 and 1017
    # Judicial Code): a YAML file laid out as src/caisse/benefits/charter.yaml (docs/benefits.md); default: that file
    charter_mentions_file: str | None = None

    def ensure_dirs(self) -> None:
        if self.database_url.startswith("sqlite:///"):
            path = Path(self.database_url.removeprefix("sqlite:///"))
            if str(path) != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
        Path(self.exchange_dir).mkdir(parents=True, exist_ok=True)


@lru_cache
def get_settings() -> Settings:
    return Settings()
