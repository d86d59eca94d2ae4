"""Log in with the national electronic identity (eID card, itsme) through an OpenID Connect provider.

The fund is an OIDC *relying party* (authorization code flow, confidential client, authlib). The provider —
the federal authentication service (FAS/CSAM) or itsme — authenticates the person and returns a signed ID
token whose NISS claim (``egovNRN`` at FAS; configurable) designates the affiliate's file. Checked here:

- **PKCE** (S256): the code verifier never leaves the server and the browser's cookie;
- **state**: the callback must carry the state stored in the browser's short-lived flow cookie (login CSRF);
- **nonce**: the ID token must carry the nonce of this very flow (token replay);
- the ID token's **signature** against the provider's JWKS (never ``alg: none``, only the advertised
  algorithms), its **issuer** (the configured one, also checked in the discovery document), its **audience**
  (our client id; ``azp`` when several), its expiry and issue time.

Configuration (environment or ``.env``, prefix ``CAISSE_OIDC_``): ``ISSUER``, ``CLIENT_ID``,
``CLIENT_SECRET``, ``REDIRECT_URI`` (``https://<fund>/login/oidc/callback``), ``SCOPE``, ``NISS_CLAIM``,
``LABEL``. Without an issuer and a client id the eID login is simply absent (404). Plain http is accepted only
for a provider on the loopback interface (the tests' local provider).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import requests
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from caisse.errors import CaisseError, InvalidInput

FLOW_COOKIE = "caisse_oidc"
FLOW_MAX_AGE = 600  # seconds a person has to complete the provider's login
METADATA_TTL = 3600  # seconds the discovery document and the keys are cached


class OidcSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CAISSE_OIDC_", env_file=".env", extra="ignore")

    issuer: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    redirect_uri: str | None = None
    scope: str = "openid profile egovNRN"
    niss_claim: str = "egovNRN"  # FAS/CSAM; itsme: "http://itsme.services/v2/claim/BENationalNumber"
    label: str = "eID / itsme"
    token_endpoint_auth_method: str = "client_secret_basic"  # noqa: S105 - a method name
    timeout_seconds: float = 10.0

    @property
    def configured(self) -> bool:
        return bool(self.issuer and self.client_id and self.redirect_uri)


@lru_cache
def get_oidc_settings() -> OidcSettings:
    return OidcSettings()


class OidcRefused(CaisseError):
    """The provider's answer cannot be trusted or the identity is unusable; ``str`` is safe to show."""


def _secure(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    return parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")


@dataclass
class Flow:
    """What the browser keeps between the redirect to the provider and the callback (in an HttpOnly cookie)."""

    state: str
    nonce: str
    code_verifier: str
    next: str

    @classmethod
    def new(cls, next_path: str) -> Flow:
        return cls(secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48), next_path)

    def dump(self) -> str:
        return ".".join((self.state, self.nonce, self.code_verifier, self.next.encode().hex()))

    @classmethod
    def load(cls, raw: str | None) -> Flow | None:
        parts = (raw or "").split(".")
        if len(parts) != 4 or not all(parts[:3]):
            return None
        try:
            next_path = bytes.fromhex(parts[3]).decode()
        except (ValueError, UnicodeDecodeError):
            return None
        return cls(parts[0], parts[1], parts[2], next_path)


class OidcClient:
    """The relying party for one configured provider (metadata and keys cached for an hour)."""

    def __init__(self, settings: OidcSettings):
        if not settings.configured:
            raise InvalidInput("oidc", "set CAISSE_OIDC_ISSUER, CAISSE_OIDC_CLIENT_ID and CAISSE_OIDC_REDIRECT_URI")
        for name in ("issuer", "redirect_uri"):
            if not _secure(getattr(settings, name)):
                raise InvalidInput(f"oidc.{name}", "must be https (http only on the loopback interface)")
        self.settings = settings
        self._metadata: dict | None = None
        self._jwks: dict | None = None
        self._fetched_at = 0.0

    # ------------------------------------------------------------ provider metadata

    def _get_json(self, url: str) -> dict:
        if not _secure(url):
            raise OidcRefused("the identity provider announced an insecure address")
        try:
            response = requests.get(url, timeout=self.settings.timeout_seconds, allow_redirects=False)
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise OidcRefused("the identity provider cannot be reached; please try again later") from exc
        if not isinstance(data, dict):
            raise OidcRefused("the identity provider answered nonsense")
        return data

    def metadata(self) -> dict:
        if self._metadata is None or time.monotonic() - self._fetched_at > METADATA_TTL:
            issuer = self.settings.issuer.rstrip("/")
            data = self._get_json(issuer + "/.well-known/openid-configuration")
            if data.get("issuer") != self.settings.issuer:  # OIDC Discovery 1.0 §4.3
                raise OidcRefused("the identity provider's discovery document names another issuer")
            for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(data.get(key), str) or not _secure(data[key]):
                    raise OidcRefused(f"the identity provider's discovery document lacks a secure {key}")
            self._metadata, self._jwks, self._fetched_at = data, None, time.monotonic()
        return self._metadata

    def jwks(self, force: bool = False) -> dict:
        if self._jwks is None or force:
            self._jwks = self._get_json(self.metadata()["jwks_uri"])
        return self._jwks

    def _client(self):
        from authlib.integrations.requests_client import OAuth2Session

        s = self.settings
        return OAuth2Session(client_id=s.client_id,
                             client_secret=s.client_secret.get_secret_value() if s.client_secret else None,
                             token_endpoint_auth_method=s.token_endpoint_auth_method, scope=s.scope,
                             redirect_uri=s.redirect_uri, code_challenge_method="S256")

    # ------------------------------------------------------------ the flow

    def authorization_url(self, flow: Flow) -> str:
        with self._client() as client:
            url, _ = client.create_authorization_url(self.metadata()["authorization_endpoint"], state=flow.state,
                                                     nonce=flow.nonce, code_verifier=flow.code_verifier)
        return url

    def exchange(self, code: str, flow: Flow) -> dict:
        """Trade the code for tokens at the token endpoint (with the client secret and the PKCE verifier)."""
        from authlib.integrations.base_client.errors import OAuthError

        token_endpoint = self.metadata()["token_endpoint"]
        try:
            with self._client() as client:
                token = client.fetch_token(token_endpoint, grant_type="authorization_code", code=code,
                                           code_verifier=flow.code_verifier, timeout=self.settings.timeout_seconds,
                                           allow_redirects=False)
        except (OAuthError, requests.RequestException, ValueError) as exc:
            raise OidcRefused("the identity provider refused to confirm this login; please start again") from exc
        if not isinstance(token, dict) or not token.get("id_token"):
            raise OidcRefused("the identity provider sent no identity token")
        return dict(token)

    def identity(self, token: dict, flow: Flow) -> dict:
        """The validated claims of the ID token (signature, issuer, audience, azp, expiry, nonce, at_hash)."""
        from authlib.oidc.core import CodeIDToken
        from joserfc import jwt
        from joserfc.errors import InvalidKeyIdError, JoseError
        from joserfc.jwk import KeySet
        from joserfc.jws import JWSRegistry

        algorithms = [a for a in self.metadata().get("id_token_signing_alg_values_supported", ["RS256"])
                      if a and a.lower() != "none" and not a.upper().startswith("HS")] or ["RS256"]
        registry = JWSRegistry(algorithms=algorithms)
        try:
            try:
                decoded = jwt.decode(token["id_token"], KeySet.import_key_set(self.jwks()), registry=registry)
            except InvalidKeyIdError:  # the provider rotated its keys
                decoded = jwt.decode(token["id_token"], KeySet.import_key_set(self.jwks(force=True)),
                                     registry=registry)
            claims = CodeIDToken(decoded.claims, decoded.header,
                                 {"iss": {"essential": True, "value": self.settings.issuer},
                                  "aud": {"essential": True, "value": self.settings.client_id},
                                  "nonce": {"essential": True}},
                                 {"nonce": flow.nonce, "client_id": self.settings.client_id,
                                  "access_token": token.get("access_token")})
            claims.validate(leeway=60)
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise OidcRefused("the identity token could not be verified; please start again") from exc
        return dict(claims)

    def niss(self, claims: dict) -> str:
        from caisse.identifiers import normalize_niss

        value = claims.get(self.settings.niss_claim)
        if not isinstance(value, str) or not value.strip():
            raise OidcRefused("the identity provider did not share your national number")
        try:
            return normalize_niss(value)
        except InvalidInput as exc:
            raise OidcRefused("the identity provider sent an invalid national number") from exc
