"""Verifying the EHR's JWT on every CDS service and feedback call.

CDS Hooks 2.0 §Trusting CDS Clients: the EHR sends ``Authorization: Bearer <JWT>``,
signed with its private key; the service checks it against the EHR's public keys (a JWK
Set) and the claims ``iss`` (a known EHR), ``aud`` (the URL of the endpoint called),
``exp``, ``iat`` and ``jti`` (a nonce, never accepted twice). The specification names
ES384 and RS384; every asymmetric JWS algorithm of RFC 7518 is accepted, never ``none``
nor an HMAC algorithm (a public key used as an HMAC secret would let anyone sign).

Verification is PyJWT's. The keys come from configuration only (``RVLMS_CDS_ISSUERS``):
a JWK Set file read at start-up or a URL fetched and cached by ``PyJWKClient``. A ``jku``
header is not followed, since a token must not choose where its own keys come from.
Seen ``jti`` values are remembered in memory until the token expires, so with several
server processes a replay to another process is caught only by the token's 5-minute
lifetime; one process (``rvlms serve``) catches every replay.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from jwt import PyJWK, PyJWKClient, PyJWKSet

from rvlms.cds.problems import EhrNotAuthenticated
from rvlms.errors import InputError
from rvlms.settings import CdsIssuer

__all__ = [
    "ALGORITHMS",
    "MAX_LIFETIME_S",
    "Caller",
    "JwtVerifier",
    "ReplayCache",
]

ALGORITHMS = ("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
"""Asymmetric JWS algorithms (RFC 7518 §3.1); CDS Hooks 2.0 names ES384 and RS384."""
MAX_LIFETIME_S = 300
"""CDS Hooks 2.0: ``exp`` no more than 5 minutes after the token is issued."""
_KEY_TYPES = {"ES": "EC", "RS": "RSA", "PS": "RSA"}
_REQUIRED = ["iss", "aud", "exp", "iat", "jti"]
_SPEC = "CDS Hooks 2.0 §Trusting CDS Clients"


@dataclass(frozen=True)
class Caller:
    """Who called: the verified claims, or the demonstration mode's anonymous caller."""

    iss: str
    sub: str | None = None
    jti: str | None = None
    tenant: str | None = None
    authenticated: bool = True

    @property
    def actor(self) -> str:
        return f"ehr:{self.iss}" if self.authenticated else "ehr:unauthenticated-demo"


class ReplayCache:
    """``jti`` values already accepted, each kept until its token has expired."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def first_use(self, iss: str, jti: str, forget_after: float, now: float) -> bool:
        """True the first time (``iss``, ``jti``) is seen; it is then remembered."""
        with self._lock:
            if len(self._seen) >= self._max:
                self._seen = {k: t for k, t in self._seen.items() if t > now}
                if len(self._seen) >= self._max:
                    return False
            key = (iss, jti)
            if self._seen.get(key, 0.0) > now:
                return False
            self._seen[key] = forget_after
            return True


class _Keys:
    """The public keys of one EHR, by ``kid``."""

    def __init__(self, issuer: CdsIssuer) -> None:
        self.where = str(issuer.jwks_url or issuer.jwks_file)
        self._client: PyJWKClient | None = None
        self._set: PyJWKSet | None = None
        if issuer.jwks_url is not None:
            self._client = PyJWKClient(issuer.jwks_url, lifespan=300, timeout=5)
        else:
            assert issuer.jwks_file is not None
            self._set = _read_jwks(issuer.iss, issuer.jwks_file)

    def get(self, kid: str) -> PyJWK:
        if self._client is not None:
            try:
                return self._client.get_signing_key(kid)
            except jwt.PyJWKClientConnectionError as exc:
                raise EhrNotAuthenticated(
                    f"the EHR's JWK Set at {self.where} could not be fetched ({exc})"
                ) from None
            except jwt.PyJWKClientError:
                raise EhrNotAuthenticated(
                    f"no key with kid {kid!r} in the EHR's JWK Set at {self.where}"
                ) from None
        assert self._set is not None
        for key in self._set.keys:
            if key.key_id == kid:
                return key
        raise EhrNotAuthenticated(f"no key with kid {kid!r} in the EHR's JWK Set {self.where}")


def _read_jwks(iss: str, path: Path) -> PyJWKSet:
    try:
        return PyJWKSet.from_dict(json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, jwt.PyJWTError) as exc:
        raise InputError(
            f"RVLMS_CDS_ISSUERS: the JWK Set file {path} of EHR {iss!r} cannot be read "
            f"({exc}); expected a JSON object with a 'keys' list (RFC 7517 §5)"
        ) from None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class JwtVerifier:
    """Checks ``Authorization`` headers against the configured EHRs."""

    def __init__(
        self,
        issuers: Sequence[CdsIssuer],
        *,
        leeway_s: int = 30,
        replay: ReplayCache | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._keys = {issuer.iss: _Keys(issuer) for issuer in issuers}
        self._leeway = leeway_s
        self._replay = replay or ReplayCache()
        self._clock = clock

    def verify(self, authorization: str | None, audiences: Sequence[str]) -> Caller:
        """The caller of a request with this ``Authorization`` header, addressed to one of
        ``audiences``; raises :class:`EhrNotAuthenticated` (401) naming the reason."""
        token = _bearer(authorization)
        header = _header(token)
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise EhrNotAuthenticated(
                f"the JWT's alg {alg!r} is not accepted; sign with one of "
                f"{', '.join(ALGORITHMS)} ({_SPEC})"
            )
        kid = _text(header.get("kid"))
        if not kid:
            raise EhrNotAuthenticated(f"the JWT header has no kid naming the signing key ({_SPEC})")
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise EhrNotAuthenticated("the JWT's payload is not a JSON object of claims") from None
        iss = _text(unverified.get("iss"))
        if not iss:
            raise EhrNotAuthenticated("the JWT has no iss claim naming the EHR")
        keys = self._keys.get(iss)
        if keys is None:
            raise EhrNotAuthenticated(
                f"iss {iss!r} is not a configured EHR; known: "
                f"{', '.join(sorted(self._keys)) or 'none (set RVLMS_CDS_ISSUERS)'}"
            )
        key = keys.get(kid)
        family = _KEY_TYPES[alg[:2]]
        if key.key_type != family or (family == "EC" and key.algorithm_name != alg):
            raise EhrNotAuthenticated(
                f"the key {kid!r} of {iss!r} is a {key.key_type} key for "
                f"{key.algorithm_name}, not for alg {alg}"
            )
        claims = self._claims(token, key, alg, iss, audiences)
        now = self._clock()
        if claims["exp"] - claims["iat"] > MAX_LIFETIME_S:
            raise EhrNotAuthenticated(
                f"the JWT lives {int(claims['exp'] - claims['iat'])} s from iat to exp; at most "
                f"{MAX_LIFETIME_S} s are accepted ({_SPEC})"
            )
        jti = _text(claims.get("jti"))
        if not jti:
            raise EhrNotAuthenticated("the JWT's jti must be a non-empty string")
        if not self._replay.first_use(iss, jti, claims["exp"] + self._leeway, now):
            raise EhrNotAuthenticated(
                f"the JWT's jti {jti[:80]!r} was already used: each call needs a new JWT"
            )
        return Caller(
            iss=iss, sub=_text(claims.get("sub")), jti=jti, tenant=_text(claims.get("tenant"))
        )

    def _claims(
        self, token: str, key: PyJWK, alg: str, iss: str, audiences: Sequence[str]
    ) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[alg],
                audience=list(audiences),
                issuer=iss,
                leeway=self._leeway,
                options={"require": _REQUIRED},
            )
        except jwt.ExpiredSignatureError:
            raise EhrNotAuthenticated("the JWT has expired (exp is in the past)") from None
        except jwt.ImmatureSignatureError:
            raise EhrNotAuthenticated("the JWT's iat or nbf is in the future") from None
        except jwt.InvalidAudienceError:
            raise EhrNotAuthenticated(
                f"the JWT's aud is not this endpoint; expected {' or '.join(audiences)}"
            ) from None
        except jwt.MissingRequiredClaimError as exc:
            raise EhrNotAuthenticated(
                f"the JWT has no {exc.claim} claim; required: {', '.join(_REQUIRED)} ({_SPEC})"
            ) from None
        except jwt.InvalidSignatureError:
            raise EhrNotAuthenticated(
                f"the JWT's signature does not verify with key {key.key_id!r} of {iss!r}"
            ) from None
        except jwt.PyJWTError as exc:
            raise EhrNotAuthenticated(f"the JWT is not valid: {exc}") from None
        if not isinstance(claims["exp"], int | float) or not isinstance(claims["iat"], int | float):
            raise EhrNotAuthenticated("the JWT's exp and iat must be numbers")
        return claims


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise EhrNotAuthenticated(
            f"no Authorization header: the EHR must send 'Authorization: Bearer <JWT>' ({_SPEC})"
        )
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise EhrNotAuthenticated(
            f"the Authorization header must be 'Bearer <JWT>', not a {scheme[:20]!r} credential"
        )
    return token.strip()


def _header(token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise EhrNotAuthenticated(
            "the bearer token is not a JWT "
            "(expected three base64url parts: header.payload.signature)"
        ) from None
    return header
