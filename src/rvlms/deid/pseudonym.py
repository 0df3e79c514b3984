"""Keyed pseudonyms: HMAC-SHA256 of an identifier under a secret key.

The same patient gets the same pseudonym in every export made with the same key, so
exports made months apart can be joined; without the key the pseudonym cannot be reversed
or recomputed from a guessed case id, which a plain hash would allow (a dictionary of
plausible ids is small). This is the keyed-hash pseudonymisation of ENISA's
"Pseudonymisation techniques and best practices" (2019, section 5.2) and of REDCap's
"hash the record id" export option, with a key the site keeps.

The key comes from ``Settings.deid_key`` (``RVLMS_DEID_KEY``). In production a missing key
is refused when the settings load; elsewhere a demo key is derived from the session secret,
and :attr:`PseudonymKey.demo` says so, so outputs can be labelled.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from rvlms.errors import InputError

__all__ = ["MIN_KEY_LENGTH", "PseudonymKey", "pseudonym"]

MIN_KEY_LENGTH = 16
_PREFIX = "rv-"
_DIGITS = 20


@dataclass(frozen=True, repr=False)
class PseudonymKey:
    """The secret of the pseudonyms and date shifts; ``demo`` when not configured."""

    secret: bytes
    demo: bool = False

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_KEY_LENGTH:
            raise InputError(
                f"deid_key (RVLMS_DEID_KEY): {len(self.secret)} characters is too short; "
                f"give a random secret of at least {MIN_KEY_LENGTH} characters"
            )

    def __repr__(self) -> str:
        return f"PseudonymKey(demo={self.demo})"

    @classmethod
    def of(cls, configured: str | None, fallback_secret: str) -> PseudonymKey:
        """The configured key, or a demo key derived from ``fallback_secret``."""
        if configured:
            return cls(configured.encode("utf-8"))
        derived = hmac.new(
            fallback_secret.encode("utf-8"), b"rvlms demo pseudonym key", hashlib.sha256
        ).digest()
        return cls(derived, demo=True)

    def digest(self, domain: str, value: str) -> bytes:
        """HMAC-SHA256 of ``value`` in ``domain`` (pseudonyms and date shifts never share
        a digest)."""
        message = f"{domain}\x1f{value}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).digest()


def pseudonym(key: PseudonymKey, value: str, domain: str = "case") -> str:
    """``rv-`` and 20 hexadecimal digits (80 bits): a valid case id, stable per key."""
    return _PREFIX + key.digest(domain, value).hex()[:_DIGITS]
