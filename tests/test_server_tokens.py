"""Context tokens and the knowledge base's version, without HTTP."""

from __future__ import annotations

import base64
import json
import shutil
import zlib

import pytest

from chatbot import Bot
from chatbot.errors import UsageError
from chatbot.server.service import knowledge_version
from chatbot.server.tokens import (
    ContextTokens,
    StaleToken,
    TokenError,
    new_secret,
    secret_from_text,
)

SECRET = b"0123456789abcdef0123"
STATE = {"context": None, "last_kind": "answer", "last_offered": ["a", "b"]}


def test_a_token_carries_the_state_it_was_issued_with():
    tokens = ContextTokens(SECRET)
    assert tokens.read(tokens.issue(STATE, "v1"), "v1") == STATE


def test_any_holder_of_the_secret_reads_it():
    token = ContextTokens(SECRET).issue(STATE, "v1")
    assert ContextTokens(bytes(SECRET)).read(token, "v1") == STATE


def test_another_secret_cannot_read_it():
    token = ContextTokens(SECRET).issue(STATE, "v1")
    with pytest.raises(TokenError, match="another secret"):
        ContextTokens(new_secret()).read(token, "v1")


def _payload(token: str) -> list[object]:
    body = token.partition(".")[0]
    data: list[object] = json.loads(zlib.decompress(base64.urlsafe_b64decode(body + "==")))
    return data


def _forged(token: str, payload: list[object]) -> str:
    raw = zlib.compress(json.dumps(payload).encode())
    body = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return f"{body}.{token.partition('.')[2]}"


def test_a_state_changed_by_the_client_is_refused():
    tokens = ContextTokens(SECRET)
    token = tokens.issue(STATE, "v1")
    payload = _payload(token)
    payload[3] = {**STATE, "last_offered": ["admin"]}
    with pytest.raises(TokenError, match="changed"):
        tokens.read(_forged(token, payload), "v1")


def test_a_token_expires():
    now = [1000.0]
    tokens = ContextTokens(SECRET, lifetime=60, clock=lambda: now[0])
    token = tokens.issue(STATE, "v1")
    now[0] += 60
    assert tokens.read(token, "v1") == STATE
    now[0] += 1
    with pytest.raises(TokenError, match="expired"):
        tokens.read(token, "v1")


def test_a_token_of_another_knowledge_base_is_stale_not_wrong():
    tokens = ContextTokens(SECRET)
    with pytest.raises(StaleToken):
        tokens.read(tokens.issue(STATE, "v1"), "v2")


@pytest.mark.parametrize("token", ["", ".", "abc", "abc.", ".abc", "!!!.???", "a" * 9000 + ".b"])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(TokenError, match="the context token"):
        ContextTokens(SECRET).read(token, "v1")


def test_a_signed_token_of_another_format_is_refused():
    tokens = ContextTokens(SECRET)
    # Signed with the right secret, but laid out by some other version of the server.
    raw = zlib.compress(json.dumps([99, 2**40, "v1", {}]).encode())
    body = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    with pytest.raises(TokenError, match="another version of the server"):
        tokens.read(f"{body}.{tokens._signature(body)}", "v1")


def test_secrets_must_be_long_enough():
    with pytest.raises(UsageError, match="CHATBOT_SECRET must be at least 16 bytes long, got 3"):
        secret_from_text("abc")
    assert secret_from_text("x" * 16) == b"x" * 16
    with pytest.raises(TokenError):
        ContextTokens(b"short")


def test_a_token_of_a_real_conversation_is_compact(bundled_bot):
    conversation = bundled_bot.conversation()
    conversation.ask("what is an llm")
    token = ContextTokens(SECRET).issue(conversation.state().to_dict(), "0123456789abcdef")
    assert len(token) < 600


def test_the_knowledge_version_depends_on_content_not_on_where_the_files_are(
    shop_intents, tmp_path
):
    elsewhere = tmp_path / "copy" / "other-name.yaml"
    elsewhere.parent.mkdir()
    shutil.copy(shop_intents, elsewhere)
    version = knowledge_version(Bot(shop_intents).knowledge)
    assert knowledge_version(Bot(elsewhere).knowledge) == version
    elsewhere.write_text(
        elsewhere.read_text().replace("Within 30 days.", "Within 14 days."), encoding="utf-8"
    )
    assert knowledge_version(Bot(elsewhere).knowledge) != version
