"""The HTTP API in process: the reply contract, context tokens, limits, errors and headers."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("starlette", reason="the server extra is not installed")

from starlette.testclient import TestClient

from chatbot import Bot, ChatbotError
from chatbot.curation.unanswered import UnansweredLog
from chatbot.render import reply_to_json
from chatbot.server import ChatService, ContextTokens, create_app
from chatbot.server.service import KNOWLEDGE_CHANGED

SECRET = b"a test secret of at least sixteen bytes"


def _service(bot: Bot, **options: Any) -> ChatService:
    clock = options.pop("clock", time.time)
    service = ChatService(lambda: bot, tokens=ContextTokens(SECRET, clock=clock), **options)
    service.load()
    return service


@pytest.fixture
def events() -> list[dict[str, Any]]:
    """What the application logged, one dict per line it would write."""
    return []


@pytest.fixture
def client(bundled_bot: Bot, events: list[dict[str, Any]]) -> Iterator[TestClient]:
    app = create_app(service=_service(bundled_bot), log=events.append)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _ask(client: TestClient, question: str, token: str | None = None) -> dict[str, Any]:
    response = client.post("/v1/ask", json={"question": question, "context": token})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def _without_token(data: dict[str, Any]) -> dict[str, Any]:
    context = {key: value for key, value in data["context"].items() if key != "token"}
    return {**{key: value for key, value in data.items() if key != "note"}, "context": context}


# -- the reply contract ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["can an LLM make pictures?", "architecture?", "book a flight", "hello"]
)
def test_a_reply_is_the_json_of_chatbot_ask_plus_a_token(client, bundled_bot, question):
    data = _ask(client, question)
    assert _without_token(data) == reply_to_json(bundled_bot.conversation().ask(question))
    assert isinstance(data["context"]["token"], str)
    assert data["note"] is None


def test_a_follow_up_with_the_token_uses_the_context(client):
    first = _ask(client, "What data is generative AI trained on?")
    follow_up = _ask(client, "and LLMs?", first["context"]["token"])
    assert follow_up["intent"] == "llm_data_inputs"
    assert follow_up["context"]["used"] is True


def test_without_the_token_a_follow_up_is_read_alone(client):
    _ask(client, "What data is generative AI trained on?")
    assert _ask(client, "and LLMs?")["context"]["used"] is False


def test_a_number_picks_a_suggestion_of_the_reply_whose_token_is_sent(client, bundled_bot):
    first = _ask(client, "what is an llm")
    second_suggestion = first["suggestions"][1]
    picked = _ask(client, "2", first["context"]["token"])
    assert bundled_bot.knowledge.get(picked["intent"]).questions[0] == second_suggestion


def test_the_answer_to_a_clarification_is_one_of_its_choices(client):
    asked = _ask(client, "architecture?")
    assert asked["kind"] == "clarify"
    picked = _ask(client, "the second", asked["context"]["token"])
    assert picked["intent"] == asked["choices"][1]["intent"]


def test_topics_list_each_topic_with_its_questions(client, bundled_bot):
    topics = client.get("/v1/topics").json()["topics"]
    assert [topic["topic"] for topic in topics] == list(bundled_bot.knowledge.topics())
    first = bundled_bot.knowledge.intents[0]
    assert {"intent": first.id, "question": first.questions[0]} in topics[0]["intents"]


def test_health_and_readiness(client, bundled_bot):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["ready"] is True
    assert ready.json()["intents"] == len(bundled_bot.knowledge)


# -- context tokens ----------------------------------------------------------------------------


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    message: str = response.json()["error"]
    assert "\n" not in message
    assert "Traceback" not in response.text
    return message


def _changed(token: str) -> str:
    body, _, signature = token.partition(".")
    flipped = "A" if body[5] != "A" else "B"
    return f"{body[:5]}{flipped}{body[6:]}.{signature}"


def test_a_changed_token_is_refused_with_a_reason(client):
    token = _ask(client, "what is an llm")["context"]["token"]
    response = client.post("/v1/ask", json={"question": "and genai?", "context": _changed(token)})
    assert "changed" in _error(response, 400)


def test_a_token_of_another_server_is_refused(client, bundled_bot):
    other = ChatService(lambda: bundled_bot, tokens=ContextTokens(b"another secret, sixteen+"))
    other.load()
    token = other.ask("what is an llm")["context"]["token"]
    response = client.post("/v1/ask", json={"question": "and genai?", "context": token})
    assert "another secret" in _error(response, 400)


def test_an_expired_token_is_refused(bundled_bot, events):
    now = [1_000_000.0]
    app = create_app(service=_service(bundled_bot, clock=lambda: now[0]), log=events.append)
    with TestClient(app) as client:
        token = _ask(client, "what is an llm")["context"]["token"]
        now[0] += 3601
        response = client.post("/v1/ask", json={"question": "and genai?", "context": token})
    assert "expired" in _error(response, 400)


@pytest.mark.parametrize("token", ["", "nodot", "a.b", "x" * 9000, "é.é"])
def test_a_malformed_token_is_refused(client, token):
    response = client.post("/v1/ask", json={"question": "hello", "context": token})
    if token == "":
        assert response.status_code == 200  # an empty token is no token
    else:
        assert _error(response, 400).startswith("the context token")


def test_after_a_reload_an_old_token_starts_afresh_and_the_reply_says_so(bundled_bot, write_yaml):
    before = _service(bundled_bot)
    token = before.ask("what is an llm")["context"]["token"]
    path = write_yaml(
        """
        intents:
          - id: llm_definition
            questions: [what is an llm]
            answer: Changed.
          - id: genai_definition
            questions: [what is generative ai]
            answer: Also changed.
        """
    )
    after = _service(Bot(path))
    assert after.version != before.version
    with TestClient(create_app(service=after, log=lambda event: None)) as client:
        data = _ask(client, "and generative ai?", token)
    assert data["note"] == KNOWLEDGE_CHANGED
    assert data["context"]["used"] is False
    # The next turn carries on normally, with the token of the new knowledge base.
    assert after.ask("what is an llm", data["context"]["token"])["note"] is None


# -- limits and errors -------------------------------------------------------------------------


def test_a_body_over_the_limit_gets_a_413(bundled_bot):
    app = create_app(service=_service(bundled_bot), max_body_bytes=100, log=lambda event: None)
    with TestClient(app) as client:
        declared = client.post("/v1/ask", json={"question": "x" * 200})
        assert "larger than 100 bytes" in _error(declared, 413)

        def chunks() -> Iterator[bytes]:  # no content-length: counted while it is read
            yield b'{"question": "'
            yield b"y" * 200
            yield b'"}'

        streamed = client.post("/v1/ask", content=chunks())
        assert "larger than 100 bytes" in _error(streamed, 413)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"not json", 400, "the request body is not valid JSON"),
        (b"[" * 10_000, 400, "the request body is not valid JSON"),
        (b'{"question": "\xff"}', 400, "the request body is not valid JSON"),
        (b"[1, 2]", 422, "the body must be a JSON object with a 'question'"),
        (b"{}", 422, "'question' must be a string"),
        (b'{"question": 3}', 422, "'question' must be a string"),
        (b'{"question": "   "}', 422, "'question' is empty"),
        (b'{"question": "hi", "contxt": "x"}', 422, "unknown field 'contxt'"),
        (b'{"question": "hi", "context": 5}', 422, "'context' must be the token string"),
    ],
)
def test_a_malformed_request_gets_a_one_line_reason(client, body, status, message):
    response = client.post("/v1/ask", content=body, headers={"content-type": "application/json"})
    assert message in _error(response, status)


def test_a_question_with_a_lone_surrogate_is_answered(client):
    response = client.post("/v1/ask", content=b'{"question": "what is an llm\\ud800"}')
    assert response.status_code == 200
    assert response.json()["question"] == "what is an llm?"


def test_a_question_over_the_limit_gets_a_422(client):
    response = client.post("/v1/ask", json={"question": "why " * 251})
    assert _error(response, 422) == "'question' is longer than 1000 characters"
    assert client.post("/v1/ask", json={"question": "why " * 249}).status_code == 200


def test_unknown_paths_and_methods_get_json_errors(client):
    assert _error(client.get("/v2/ask"), 404) == "Not Found"
    assert _error(client.get("/v1/ask"), 405) == "Method Not Allowed"


def test_an_unexpected_failure_is_a_plain_500_and_a_log_line(bundled_bot, events):
    service = _service(bundled_bot)

    def broken(question: str, token: str | None = None) -> dict[str, Any]:
        raise RuntimeError("the matcher fell over")

    service.ask = broken  # type: ignore[method-assign]
    with TestClient(create_app(service=service, log=events.append)) as client:
        response = client.post("/v1/ask", json={"question": "hello"})
    assert response.status_code == 500
    assert response.json() == {"error": "internal error"}
    assert events[-1]["status"] == 500
    assert events[-1]["error"] == "RuntimeError: the matcher fell over"


def test_each_request_is_one_log_event(client, events):
    _ask(client, "what is an llm")
    client.get("/nowhere")
    ask, missing = events[-2:]
    assert ask["method"] == "POST"
    assert ask["path"] == "/v1/ask"
    assert ask["status"] == 200
    assert ask["intent"] == "llm_definition"
    assert ask["ms"] >= 0
    assert "question" not in ask  # what users ask stays out of the request log
    assert (missing["status"], missing["error"]) == (404, "Not Found")


def test_the_request_log_is_json_lines_on_stderr(bundled_bot, capfd):
    with TestClient(create_app(service=_service(bundled_bot))) as client:
        client.get("/healthz")
    line = capfd.readouterr().err.splitlines()[-1]
    assert json.loads(line)["path"] == "/healthz"


def test_the_unanswered_log_gets_fallbacks(bundled_bot, tmp_path):
    log = tmp_path / "unanswered.jsonl"
    service = _service(bundled_bot, unanswered=UnansweredLog(log))
    with TestClient(create_app(service=service, log=lambda event: None)) as client:
        _ask(client, "book me a flight to Lisbon")
        _ask(client, "what is an llm")
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [line["question"] for line in lines] == ["book me a flight to Lisbon"]


# -- loading -----------------------------------------------------------------------------------


def _wait_for(client: TestClient, condition: Any) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        readiness: dict[str, Any] = client.get("/readyz").json()
        if condition(readiness) or time.monotonic() > deadline:
            return readiness
        time.sleep(0.02)


def test_intents_load_in_the_background_and_readyz_says_when(shop_intents):
    app = create_app(shop_intents, secret=SECRET, log=lambda event: None)
    with TestClient(app) as client:
        readiness = _wait_for(client, lambda readiness: readiness["ready"])
        assert readiness["ready"] is True
        assert readiness["intents"] == 3
        assert _ask(client, "when are you open")["intent"] == "opening_hours"


def test_broken_intents_leave_the_server_up_and_not_ready(write_yaml):
    broken = write_yaml("intents:\n  - id: x\n    questions: [a\n")
    with TestClient(create_app(broken, secret=SECRET, log=lambda event: None)) as client:
        readiness = _wait_for(client, lambda readiness: readiness["error"])
        assert client.get("/readyz").status_code == 503
        assert readiness["ready"] is False
        assert str(broken) in readiness["error"]
        response = client.post("/v1/ask", json={"question": "hello"})
        assert _error(response, 503).startswith("the knowledge base is not loaded: ")
        assert client.get("/healthz").status_code == 200


def test_a_failed_reload_keeps_the_last_good_knowledge_base(shop_intents, events):
    service = ChatService(
        lambda: Bot(shop_intents), tokens=ContextTokens(SECRET), log=events.append
    )
    service.load()
    version = service.version
    shop_intents.write_text("intents: [oops", encoding="utf-8")
    assert service.reload() is False
    assert service.version == version
    assert service.ask("when are you open")["intent"] == "opening_hours"
    assert events[-1]["event"] == "reload failed"
    assert str(shop_intents) in events[-1]["error"]
    assert service.readiness()["error"] == events[-1]["error"]


def test_the_secret_comes_from_the_environment(monkeypatch, bundled_bot):
    monkeypatch.setenv("CHATBOT_SECRET", "one secret for all the replicas")
    first = create_app(log=lambda event: None)
    second = create_app(log=lambda event: None)
    with TestClient(first) as one, TestClient(second) as two:
        _wait_for(one, lambda readiness: readiness["ready"])
        _wait_for(two, lambda readiness: readiness["ready"])
        token = _ask(one, "What data is generative AI trained on?")["context"]["token"]
        assert _ask(two, "and LLMs?", token)["intent"] == "llm_data_inputs"


def test_a_short_secret_is_refused(monkeypatch):
    monkeypatch.setenv("CHATBOT_SECRET", "short")
    with pytest.raises(ChatbotError, match="CHATBOT_SECRET must be at least 16 bytes long, got 5"):
        create_app()


# -- the page, headers, CORS and the OpenAPI description -----------------------------------------


def test_the_page_and_its_files_are_served_under_a_strict_policy(client):
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert 'aria-live="polite"' in page.text
    assert 'name="viewport"' in page.text
    script = client.get("/chat.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert client.get("/chat.css").headers["content-type"].startswith("text/css")


def test_the_page_inserts_text_only_as_text():
    static = Path(__file__).parent.parent / "chatbot" / "server" / "static"
    script = (static / "chat.js").read_text(encoding="utf-8")
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script
    page = (static / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in page  # no inline script: the policy would refuse it
    assert not re.search(r"<[^>]*\son\w+\s*=", page)  # nor inline event handlers


def test_cors_is_off_by_default(client):
    preflight = client.options(
        "/v1/ask",
        headers={"origin": "https://example.com", "access-control-request-method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = client.post("/v1/ask", json={"question": "hi"}, headers={"origin": "https://x.org"})
    assert "access-control-allow-origin" not in simple.headers


def test_cors_allows_the_origins_given(bundled_bot):
    app = create_app(
        service=_service(bundled_bot), cors_origins=["https://example.com"], log=lambda e: None
    )
    with TestClient(app) as client:
        preflight = client.options(
            "/v1/ask",
            headers={
                "origin": "https://example.com",
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://example.com"
        other = client.post(
            "/v1/ask", json={"question": "hi"}, headers={"origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers


def test_the_openapi_description_matches_the_api(client):
    spec = client.get("/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    routes = {route.path for route in client.app.routes}  # type: ignore[attr-defined]
    assert set(spec["paths"]) == routes - {"/", "/chat.js", "/chat.css"}
    reply_schema = spec["components"]["schemas"]["Reply"]
    for question in ("what is an llm", "architecture?"):
        data = _ask(client, question)
        assert set(reply_schema["required"]) <= set(data) <= set(reply_schema["properties"])
        context = reply_schema["properties"]["context"]
        assert set(data["context"]) == set(context["required"])
    request_fields = spec["components"]["schemas"]["AskRequest"]["properties"]
    assert set(request_fields) == {"question", "context"}


# -- no input is a server error ------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(["question", "context", "x"]), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=JSON_VALUES | st.fixed_dictionaries({"question": st.text(), "context": st.text()}))
def test_no_request_body_is_a_server_error(client, body):
    response = client.post("/v1/ask", content=json.dumps(body).encode("utf-8", "surrogatepass"))
    assert response.status_code in (200, 400, 413, 422), response.text
