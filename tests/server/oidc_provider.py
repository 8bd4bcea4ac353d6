"""A real OpenID Connect provider on loopback, for the sign-in tests: pyop (IdentityPython's
OP library, on pyoidc) behind a few lines of WSGI, served by wsgiref in a thread.

It is a clinic's identity provider in miniature: discovery, a JWKS with an RS256 key made
for the run, an authorization endpoint with a sign-in form, the token endpoint (client
secret, PKCE) and userinfo. It records what it issued (codes, ID tokens, access tokens), so
a test can look for them where they must never be: kindstep's logs.
"""

from __future__ import annotations

import html
import json
import threading
from socketserver import ThreadingMixIn
from urllib.parse import parse_qsl, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:  # the provider's own access log is not under test
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Provider:
    """pyop's Provider for one client (kindstep) and a few people, on 127.0.0.1:``port``."""

    def __init__(self, *, client_id: str, client_secret: str, redirect_uri: str,
                 people: dict[str, dict]):
        from Cryptodome.PublicKey import RSA
        from jwkest.jwk import RSAKey
        from pyop.authz_state import AuthorizationState
        from pyop.provider import Provider as OP
        from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
        from pyop.userinfo import Userinfo

        self._server = make_server("127.0.0.1", 0, self.app, server_class=_ThreadingServer,
                                   handler_class=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        key = RSAKey(key=RSA.generate(2048), alg="RS256", kid="test-key")
        configuration = {
            # pyoidc checks that an issuer is https (as OpenID Connect Discovery asks of a
            # provider on a network); this one is on loopback, where kindstep allows plain
            # http: the real address replaces the placeholder once that check has passed.
            "issuer": "https://placeholder.invalid",
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email"],
            "claims_supported": ["sub", "name", "email", "email_verified"],
            "grant_types_supported": ["authorization_code"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }
        clients = {client_id: {
            "client_secret": client_secret, "redirect_uris": [redirect_uri],
            "response_types": ["code"], "token_endpoint_auth_method": "client_secret_post"}}
        self.op = OP(key, configuration,
                     AuthorizationState(HashBasedSubjectIdentifierFactory("test salt")),
                     clients, Userinfo(people))
        self.op.configuration_information["issuer"] = self.url
        self.people = people
        self.issued: list[str] = []
        """Every code, ID token and access token handed out, for the logs check."""
        self.signed_in: list[str] = []
        self.challenges: list[str] = []
        self.refuse_tokens = False
        """True: the token endpoint refuses every code (the provider having a bad moment)."""
        """Each sign-in's PKCE method ("" when the client sent no challenge)."""

    def start(self) -> Provider:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- the endpoints ---------------------------------------------------------------------

    def app(self, environ, start_response):
        path = environ["PATH_INFO"]
        method = environ["REQUEST_METHOD"]
        body = ""
        if method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size).decode()
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        try:
            if path == "/.well-known/openid-configuration":
                return self._json(start_response, self.op.provider_configuration.to_dict())
            if path == "/jwks":
                return self._json(start_response, self.op.jwks)
            if path == "/authorize" and method == "GET":
                return self._sign_in_form(start_response, environ["QUERY_STRING"])
            if path == "/authorize" and method == "POST":
                return self._authorize(start_response, dict(parse_qsl(body)))
            if path == "/token" and method == "POST" and self.refuse_tokens:
                return self._json(start_response, {"error": "invalid_grant"}, "400 Bad Request")
            if path == "/token" and method == "POST":
                answer = self.op.handle_token_request(body, headers).to_dict()
                self.issued += [answer["id_token"], answer["access_token"]]
                return self._json(start_response, answer)
            if path == "/userinfo":
                query = body or environ.get("QUERY_STRING", "")
                return self._json(start_response,
                                  self.op.handle_userinfo_request(query, headers).to_dict())
        except Exception as err:  # an OP answers a bad request with an OAuth error
            return self._json(start_response, {"error": type(err).__name__}, "400 Bad Request")
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def _sign_in_form(self, start_response, query: str):
        self.op.parse_authentication_request(query)  # refuses an unknown client or redirect
        page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Clinic sign-in</title></head><body><main><h1>Clinic sign-in</h1>
<form method="post" action="/authorize">
<input type="hidden" name="request" value="{html.escape(query)}">
<label for="user">Staff or patient ID</label> <input id="user" name="user">
<button type="submit">Sign in at the clinic</button>
<button type="submit" name="cancel" value="1">Cancel</button></form></main></body></html>"""
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]

    def _authorize(self, start_response, form: dict):
        request = self.op.parse_authentication_request(form["request"])
        if form.get("cancel"):  # the person changed their mind: OAuth's access_denied
            answer = urlencode({"error": "access_denied", "state": request["state"]})
            start_response("302 Found", [("Location", f"{request['redirect_uri']}?{answer}")])
            return [b""]
        user = form.get("user", "")
        if user not in self.people:
            start_response("403 Forbidden", [("Content-Type", "text/plain")])
            return [b"unknown person"]
        self.challenges.append(request.get("code_challenge_method", ""))
        answer = self.op.authorize(request, user)
        self.issued.append(answer["code"])
        self.signed_in.append(user)
        location = f"{request['redirect_uri']}?{urlencode(answer.to_dict())}"
        start_response("302 Found", [("Location", location)])
        return [b""]

    @staticmethod
    def _json(start_response, data: dict, status: str = "200 OK"):
        start_response(status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")])
        return [json.dumps(data).encode()]
