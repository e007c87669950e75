"""Context tokens: a conversation's state, signed, so that clients carry it between turns.

A token is `BODY.SIGNATURE`, both base64url without padding. BODY is the zlib-compressed JSON
list `[format, expires, knowledge_version, state]`; SIGNATURE is its HMAC-SHA256 under the
server's secret. Any replica holding the same secret can read a token another one issued, so
no turn needs a sticky session or a shared store. The state inside is readable by the client
(it holds intent ids and scores, never answers), but cannot be changed without the secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
import zlib
from collections.abc import Callable
from typing import Any

from chatbot.errors import ChatbotError, UsageError

# The layout of a token's body; a token of another layout is refused, not misread.
TOKEN_FORMAT = 1
# Longer tokens are refused before any work: a real one is a few hundred characters.
MAX_TOKEN_CHARS = 8192
# How long a token is accepted after it was issued, by default (seconds).
DEFAULT_LIFETIME = 3600
# Secrets shorter than this are refused: HMAC is only as strong as its key.
MIN_SECRET_BYTES = 16


class TokenError(ChatbotError):
    """A context token that cannot be used: malformed, changed, foreign or expired."""


class StaleToken(Exception):
    """A genuine token issued for another version of the knowledge base (the intents were
    reloaded since): its context no longer applies."""


def new_secret() -> bytes:
    """A random secret for signing tokens, for servers that were given none."""
    return secrets.token_bytes(32)


def secret_from_text(text: str, name: str = "CHATBOT_SECRET") -> bytes:
    """The signing secret for a configured string, such as the variable `name`.

    Raises:
        UsageError: when it is too short to sign with.
    """
    key = text.encode("utf-8")
    if len(key) < MIN_SECRET_BYTES:
        raise UsageError(f"{name} must be at least {MIN_SECRET_BYTES} bytes long, got {len(key)}")
    return key


def secret_from_environment() -> bytes | None:
    """The secret in `CHATBOT_SECRET`, or None when it is not set.

    Raises:
        UsageError: when it is too short to sign with.
    """
    configured = os.environ.get("CHATBOT_SECRET")
    return secret_from_text(configured) if configured else None


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ContextTokens:
    """Issues and reads the context tokens of one server (and of its replicas).

    Args:
        secret: the signing key, shared by every replica that must read the tokens.
        lifetime: seconds a token stays valid after it was issued.
        clock: the current time in seconds (for tests).
    """

    def __init__(
        self,
        secret: bytes,
        *,
        lifetime: int = DEFAULT_LIFETIME,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise TokenError(f"the secret must be at least {MIN_SECRET_BYTES} bytes long")
        if lifetime <= 0:
            raise ValueError(f"lifetime must be positive, got {lifetime}")
        self._secret = secret
        self.lifetime = lifetime
        self._clock = clock

    def _signature(self, body: str) -> str:
        return _encode(hmac.new(self._secret, body.encode("ascii"), hashlib.sha256).digest())

    def issue(self, state: dict[str, Any], knowledge_version: str) -> str:
        """A token carrying `state` (plain data) for this version of the knowledge base."""
        expires = int(self._clock()) + self.lifetime
        payload = json.dumps(
            [TOKEN_FORMAT, expires, knowledge_version, state],
            separators=(",", ":"),
            ensure_ascii=False,
        )
        body = _encode(zlib.compress(payload.encode("utf-8"), 9))
        return f"{body}.{self._signature(body)}"

    def read(self, token: str, knowledge_version: str) -> dict[str, Any]:
        """The state a token carries.

        Raises:
            TokenError: when the token is malformed, changed, signed with another secret, of
                another format, or expired; its message says which, in one line.
            StaleToken: when it is genuine but was issued for another knowledge base version.
        """
        body, dot, signature = token.partition(".")
        if not dot or not body or len(token) > MAX_TOKEN_CHARS:
            raise TokenError("the context token is malformed")
        if not hmac.compare_digest(
            signature.encode("ascii", "replace"), self._signature(body).encode("ascii")
        ):
            raise TokenError(
                "the context token was changed, or issued by a server with another secret"
            )
        try:
            data = json.loads(zlib.decompress(_decode(body)))
            token_format, expires, version, state = data
        except (binascii.Error, zlib.error, ValueError, TypeError):
            raise TokenError("the context token is malformed") from None
        if token_format != TOKEN_FORMAT or not isinstance(state, dict):
            raise TokenError("the context token is from another version of the server")
        if not isinstance(expires, int) or expires < self._clock():
            raise TokenError("the context token has expired; ask again without it")
        if version != knowledge_version:
            raise StaleToken(version)
        return state
