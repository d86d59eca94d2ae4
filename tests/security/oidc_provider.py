"""A small but real OpenID Connect provider for the tests: authlib's authorization server (authorization code
grant, OpenID Connect extension, PKCE required) on a Starlette app served by uvicorn on 127.0.0.1.

It serves discovery, JWKS, the authorization endpoint and the token endpoint, and signs real RS256 ID tokens.
The person "at the card reader" is ``provider.person`` (a NISS, or None to make the provider deny consent).
Misbehaviour for negative tests: ``provider.claims_override`` (e.g. another nonce, audience or issuer put in
the ID token) and ``provider.rogue_key`` (sign with a key that the JWKS does not publish, under its kid).
"""

from __future__ import annotations

import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field

import uvicorn
from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oauth2.rfc6749.requests import OAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

CLIENT_ID = "caisse-test-rp"
CLIENT_SECRET = "s3cret-of-the-relying-party"  # noqa: S105 (test fixture)
REDIRECT_URI = "http://localhost/login/oidc/callback"
NISS_CLAIM = "egovNRN"


@dataclass
class Client(ClientMixin):
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    redirect_uris: tuple[str, ...] = (REDIRECT_URI,)

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in ("openid", "profile", NISS_CLAIM))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return client_secret == self.client_secret

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class _Payload(OAuth2Payload):
    def __init__(self, data: dict[str, list[str]]):
        self._datalist = data

    @property
    def data(self):
        return {k: v[0] for k, v in self._datalist.items()}

    @property
    def datalist(self):
        return self._datalist


class _Request(OAuth2Request):
    def __init__(self, method, uri, headers, query: dict, form: dict):
        super().__init__(method, uri, headers=headers)
        both = defaultdict(list)
        for source in (query, form):
            for k, v in source.items():
                both[k].extend(v)
        self.payload = _Payload(both)
        self._args = {k: v[0] for k, v in query.items()}
        self._form = {k: v[0] for k, v in form.items()}

    @property
    def args(self):
        return self._args

    @property
    def form(self):
        return self._form


class LocalProvider:
    def __init__(self):
        self.port = _free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.rogue = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig", "alg": "RS256"})
        self.client = Client()
        self.codes: dict[str, AuthorizationCode] = {}
        self.person: str | None = None
        self.claims_override: dict = {}
        self.rogue_key = False
        self.token_requests: list[dict] = []
        self.authorize_requests: list[dict] = []
        self.server = self._authorization_server()
        self._uvicorn: uvicorn.Server | None = None

    # ------------------------------------------------------------ authlib server

    def _authorization_server(self) -> AuthorizationServer:
        provider = self

        class Server(AuthorizationServer):
            def query_client(self, client_id):
                return provider.client if client_id == provider.client.client_id else None

            def save_token(self, token, request):
                pass

            def create_oauth2_request(self, request):
                return request

            def handle_response(self, status, body, headers):
                if isinstance(body, dict):
                    return JSONResponse(body, status_code=status, headers=dict(headers))
                return Response(body or "", status_code=status, headers=dict(headers))

            def send_signal(self, name, *args, **kwargs):
                pass

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code, request):
                data = request.payload.data
                provider.codes[code] = AuthorizationCode(
                    code=code, client_id=request.client.client_id, redirect_uri=data.get("redirect_uri"),
                    scope=request.scope, user=request.user, nonce=data.get("nonce"),
                    code_challenge=data.get("code_challenge"), code_challenge_method=data.get("code_challenge_method"))

            def query_authorization_code(self, code, client):
                item = provider.codes.get(code)
                if item and item.client_id == client.client_id:
                    return item
                return None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        class OpenID(OpenIDCode):
            def exists_nonce(self, nonce, request):
                return any(c.nonce == nonce for c in provider.codes.values())

            def resolve_client_private_key(self, client):
                return provider.rogue if provider.rogue_key else provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": "k1"}

            def get_client_claims(self, client):
                return {"iss": provider.issuer, "aud": [client.get_client_id()]}

            def generate_user_info(self, user, scope):
                info = UserInfo(sub=f"sub-{user}", name="Test Person")
                if NISS_CLAIM in scope.split():
                    info[NISS_CLAIM] = user
                info.update(provider.claims_override)
                return info

        server = Server(scopes_supported=["openid", "profile", NISS_CLAIM])
        server.register_token_generator("default", BearerTokenGenerator(lambda **kw: generate_token(42)))
        server.register_grant(CodeGrant, [OpenID(require_nonce=True), CodeChallenge(required=True)])
        return server

    # ------------------------------------------------------------ HTTP

    async def _request(self, request: Request) -> _Request:
        form = {}
        if request.method == "POST":
            raw = await request.form()
            for k, v in raw.multi_items():
                form.setdefault(k, []).append(str(v))
        query = {}
        for k, v in request.query_params.multi_items():
            query.setdefault(k, []).append(v)
        return _Request(request.method, str(request.url), request.headers, query, form)

    def app(self) -> Starlette:
        async def discovery(request):
            return JSONResponse({
                "issuer": self.issuer, "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile", NISS_CLAIM],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "code_challenge_methods_supported": ["S256"], "claims_supported": ["sub", "name", NISS_CLAIM]})

        async def jwks(request):
            return JSONResponse({"keys": [self.key.as_dict(private=False)]})

        async def authorize(request):
            req = await self._request(request)
            self.authorize_requests.append(dict(req.args))
            try:
                grant = self.server.get_consent_grant(req, end_user=self.person)
            except OAuth2Error as exc:
                return JSONResponse(dict(exc.get_body()), status_code=400)
            return self.server.create_authorization_response(req, grant_user=self.person, grant=grant)

        async def token(request):
            req = await self._request(request)
            self.token_requests.append(dict(req.form))
            return self.server.create_token_response(req)

        return Starlette(routes=[
            Route("/.well-known/openid-configuration", discovery), Route("/jwks", jwks),
            Route("/authorize", authorize), Route("/token", token, methods=["POST"])])

    def start(self) -> LocalProvider:
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self._uvicorn = uvicorn.Server(config)
        thread = threading.Thread(target=self._uvicorn.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not self._uvicorn.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the local OIDC provider did not start")
            time.sleep(0.02)
        self._thread = thread
        return self

    def stop(self) -> None:
        if self._uvicorn:
            self._uvicorn.should_exit = True
            self._thread.join(timeout=5)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
