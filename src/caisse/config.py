"""Configuration from the environment or a `.env` file (prefix CAISSE_)."""

from __future__ import annotations

import os
import warnings
from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: settings renamed: the old environment name is still read (the new one wins when both are set), with a warning
DEPRECATED_ENV = {"CAISSE_CLAIM_ATTACHMENT_MAX_BYTES": "CAISSE_UPLOAD_MAX_BYTES"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAISSE_", env_file=".env", extra="ignore", populate_by_name=True)

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
    # where the client address (``origin``: throttles, audit log) comes from. Empty: the socket peer. Behind a
    # reverse proxy: its addresses or networks, comma-separated (CAISSE_TRUSTED_PROXIES="10.0.0.0/8,192.0.2.7");
    # ``X-Forwarded-For`` is then believed only when the peer is one of them (web/auth.py, ``client_origin``)
    trusted_proxies: str = ""
    # per-client request rate of the web layer, in-process token buckets of each worker (web/ratelimit.py,
    # docs/security.md): per session (cookie or bearer token), else per address; 0 switches a limit off
    rate_limit_session_per_minute: int = 600
    rate_limit_address_per_minute: int = 600
    # the eID callback and the forgotten-password pages, per address
    rate_limit_sensitive_per_minute: int = 10
    # forgotten password: the e-mailed link's life, and how many requests per login / per address in an hour
    password_reset_minutes: int = 30
    password_reset_max_per_login: int = 3
    password_reset_max_per_origin: int = 10
    imputation_policy: str | None = None  # see caisse.ledger.imputation.POLICIES (default: oldest period, principal)
    four_eyes_threshold_cents: int = 50_000  # refunds, write-offs, waivers, plans above this need a 2nd person
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    mail_from: str = "no-reply@caisse.example"
    portal_url: str = "http://127.0.0.1:8000/"
    # `caisse run due-reminders`: e-mail a reminder for a notice falling due within this many days (fund practice)
    due_reminder_days: int = 10
    # how people reach the fund; per team (the file's ``party.team``):
    # CAISSE_TEAM_CONTACTS='{"t1": {"name": "Team Brussels", "phone": "02 …", "email": "t1@…"}}'
    fund_phone: str = "+32 2 000 00 00"
    fund_email: str = "info@caisse.example"
    team_contacts: dict[str, dict[str, str]] = {}
    # the Charter art. 14 mentions the legislation notes do not give (labour courts' addresses, arts. 728 and 1017
    # Judicial Code): a YAML file laid out as src/caisse/benefits/charter.yaml (docs/benefits.md); default: that file
    charter_mentions_file: str | None = None
    # the legal interest rates the fund enters, with their source (Charter art. 20 interest on late benefits): a YAML
    # file laid out as src/caisse/benefits/legal_interest.yaml (docs/benefits.md); default: that file (none entered)
    legal_interest_file: str | None = None
    # the withholding tax rates the fund records, with their source, for the benefits it pays (none is in the notes):
    # a YAML file laid out as src/caisse/benefits/withholding.yaml (docs/benefits.md); default: that file (none)
    withholding_file: str | None = None
    # the largest document anyone may add — to a benefit claim, a case, a reduction request (PDF or JPEG,
    # services/uploads.py): the fund's choice, not a legal figure. CAISSE_UPLOAD_MAX_BYTES; the name it had when it
    # served claims only, CAISSE_CLAIM_ATTACHMENT_MAX_BYTES, is still read (deprecated)
    upload_max_bytes: int = Field(5_000_000, gt=0, validation_alias=AliasChoices(
        "CAISSE_UPLOAD_MAX_BYTES", "CAISSE_CLAIM_ATTACHMENT_MAX_BYTES"))
    # the reads of pages and lists are written unsealed and chained into the audit log by each server worker's
    # sealer every so many seconds (services/audit.py; docs/security.md); 0: no sealer thread (the rows are then
    # sealed by the next chained write, the next server start, or ``caisse audit verify``)
    audit_seal_seconds: float = 1.0
    # each server worker runs the pages' blocking work (database, rendering) in this many threads, keeps this many
    # PostgreSQL connections open (a connection opened beyond the pool is closed after use: a new backend process
    # per page) and lets as many requests be in progress at once (web/app.py ``Admission``: more would let
    # requests holding connections wait for threads waiting for connections); the pool's 10 extra connections
    # are for the audit sealer and the background tasks
    web_threads: int = 16
    db_pool_size: int = 20

    @model_validator(mode="after")
    def _warn_deprecated_names(self):
        for old, new in DEPRECATED_ENV.items():
            if _configured(old, self.model_config.get("env_file")):
                both = _configured(new, self.model_config.get("env_file"))
                warnings.warn(f"{old} is deprecated: name it {new}" + (f" (both are set: {new} is used)" if both
                                                                       else ""), FutureWarning, stacklevel=2)
        return self

    def ensure_dirs(self) -> None:
        if self.database_url.startswith("sqlite:///"):
            path = Path(self.database_url.removeprefix("sqlite:///"))
            if str(path) != ":memory:":
                path.parent.mkdir(parents=True, exist_ok=True)
        Path(self.exchange_dir).mkdir(parents=True, exist_ok=True)


def _configured(name: str, env_file) -> bool:
    """Whether the environment or the ``.env`` file sets ``name`` (names are case-insensitive, as the settings read
    them)."""
    if any(key.upper() == name for key in os.environ):
        return True
    if env_file and Path(env_file).is_file():
        from dotenv import dotenv_values

        return any(key.upper() == name for key in dotenv_values(env_file))
    return False


@lru_cache
def get_settings() -> Settings:
    return Settings()
