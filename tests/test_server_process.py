"""`chatbot serve` as a process: over HTTP, scaled out, reloaded, with several workers."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the server extra is not installed")

from chatbot.curation.cases import read_cases
from chatbot.render import reply_to_json
from chatbot.server.service import KNOWLEDGE_CHANGED
from tests.conftest import SHOP
from tests.server_process import ServedChat, run_chatbot

CONVERSATIONS = sorted((Path(__file__).parent / "conversations").glob("*.yaml"))
SECRET = "the secret every replica shares"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of the servers started here: one cache folder, so that only the first
    server of a knowledge base calibrates its threshold."""
    return {"XDG_CACHE_HOME": str(tmp_path_factory.mktemp("serve-cache"))}


@pytest.fixture
def served(shop_intents: Path, cache: dict[str, str]) -> Iterator[ServedChat]:
    server = ServedChat("--intents", str(shop_intents), env=cache)
    yield server
    server.stop()


def _reply(data: dict[str, object]) -> dict[str, object]:
    """The reply as `chatbot ask --json` gives it: without the token and the note."""
    context = dict(data["context"])  # type: ignore[call-overload]
    context.pop("token")
    return {**{k: v for k, v in data.items() if k != "note"}, "context": context}


def test_chatbot_serve_answers_over_http_and_stops_cleanly(served):
    assert served.request("GET", "/healthz") == (200, {"status": "ok"})
    status, readiness = served.request("GET", "/readyz")
    assert (status, readiness["ready"], readiness["intents"]) == (200, True, 3)
    data = served.ask("when are you open")
    assert (data["intent"], data["answer"]) == ("opening_hours", "From 9 to 5, Monday to Friday.")
    status, error = served.request("POST", "/v1/ask", {"question": ""})
    assert (status, error) == (422, {"error": "'question' is empty"})
    assert served.stop() == 0
    events = served.events  # every line on stderr is one JSON object
    requests = [event for event in events if "path" in event]
    assert [(e["path"], e["status"]) for e in requests] == [
        ("/healthz", 200),
        ("/readyz", 200),
        ("/v1/ask", 200),
        ("/v1/ask", 422),
    ]
    stopping = [event for event in events if event.get("event") == "stopping"]
    assert [event["signal"] for event in stopping] == ["SIGTERM"]


def test_replicas_sharing_a_secret_continue_each_others_conversations(bundled_bot, cache):
    """The scale-out claim: turns alternating between two independently started servers give
    the replies of one in-process conversation."""
    suite = read_cases(*CONVERSATIONS, knowledge=bundled_bot.knowledge)
    turn_lists = [[case.question for case in turns] for turns in suite.conversations]
    turn_lists.append(["what is an llm", "2", "tell me more", "no", "1"])
    env = {"CHATBOT_SECRET": SECRET, **cache}
    replicas = [ServedChat(env=env), ServedChat(env=env)]
    try:
        asked = 0
        for questions in turn_lists:
            conversation = bundled_bot.conversation()
            token = None
            for number, question in enumerate(questions):
                data = replicas[number % 2].ask(question, token)
                expected = reply_to_json(conversation.ask(question))
                assert _reply(data) == expected, (questions, question)
                token = data["context"]["token"]
                asked += 1
        assert asked > 40
    finally:
        for replica in replicas:
            replica.stop()


def test_replicas_with_different_secrets_refuse_each_others_tokens(shop_intents, cache):
    first = ServedChat("--intents", str(shop_intents), env=cache)
    second = ServedChat("--intents", str(shop_intents), env=cache)
    try:
        token = first.ask("when are you open")["context"]["token"]
        status, error = second.request(
            "POST", "/v1/ask", {"question": "and genai?", "context": token}
        )
        assert status == 400
        assert "another secret" in error["error"]
    finally:
        first.stop()
        second.stop()


def test_sighup_reloads_and_keeps_the_last_good_knowledge_base_when_broken(served, shop_intents):
    version = served.request("GET", "/readyz")[1]["knowledge_version"]
    token = served.ask("when are you open")["context"]["token"]

    shop_intents.write_text(SHOP.replace("From 9 to 5", "From 8 to 6"), encoding="utf-8")
    served.signal(signal.SIGHUP)
    # The workers are replaced; the new ones answer from the new files.
    replaced = served.wait_for(lambda event: event.get("event") == "workers replaced")
    assert replaced is not None
    assert replaced["knowledge_version"] != version
    data = served.ask("when are you open", token)
    assert data["answer"] == "From 8 to 6, Monday to Friday."
    assert data["note"] == KNOWLEDGE_CHANGED
    new_version = served.request("GET", "/readyz")[1]["knowledge_version"]
    assert new_version != version

    shop_intents.write_text("intents:\n  - id: broken\n    questions: [oops\n", encoding="utf-8")
    served.signal(signal.SIGHUP)
    failed = served.wait_for(lambda event: event.get("event") == "reload failed")
    assert failed is not None
    assert str(shop_intents) in failed["error"]
    assert served.ask("when are you open")["answer"] == "From 8 to 6, Monday to Friday."
    assert served.request("GET", "/readyz")[1]["knowledge_version"] == new_version


def test_several_workers_log_unanswered_questions_as_whole_lines(shop_intents, tmp_path, cache):
    log = tmp_path / "unanswered.jsonl"
    server = ServedChat(
        "--intents", str(shop_intents), "--workers", "2", "--log-unanswered", str(log), env=cache
    )
    # Long questions the shop cannot answer, each marked so that a torn line would show.
    questions = [f"q{number:04d} " + "zebra quantum violin " * 45 for number in range(240)]

    def ask(question: str) -> str:
        client = server.client()  # a connection per thread
        try:
            return str(client.ask(question)["kind"])
        finally:
            client.close()

    try:
        with ThreadPoolExecutor(8) as pool:
            kinds = list(pool.map(ask, questions))
    finally:
        assert server.stop() == 0
    assert set(kinds) == {"fallback"}
    logged = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert sorted(entry["question"] for entry in logged) == sorted(q.strip() for q in questions)
    workers = {event["pid"] for event in server.events if event.get("path") == "/v1/ask"}
    assert len(workers) == 2


def test_broken_intents_stop_serve_before_it_listens(write_yaml):
    broken = write_yaml("intents:\n  - id: x\n    questions: [a\n")
    result = run_chatbot(["serve", "--port", "0", "--intents", str(broken)])
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"chatbot: error: {broken}:")


def test_a_port_in_use_is_a_one_line_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_chatbot(["serve", "--port", str(port)])
    assert result.returncode == 2
    assert result.stderr.startswith(f"chatbot: error: cannot listen on 127.0.0.1:{port}: ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "0"], "chatbot: error: --workers must be from 1 to 64\n"),
        (["--threshold", "120"], "chatbot: error: --threshold must be from 0 to 100\n"),
    ],
)
def test_serve_usage_errors(args, message):
    result = run_chatbot(["serve", "--port", "0", *args])
    assert (result.returncode, result.stderr) == (2, message)


def test_without_the_server_extra_serve_says_what_to_install():
    code = (
        "import sys; sys.modules['uvicorn'] = None; from chatbot.cli import main; "
        "sys.exit(main(['serve']))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr == (
        "chatbot: error: 'chatbot serve' needs uvicorn: pip install 'chatbot[server]'\n"
    )


def test_open_shows_the_page_in_the_browser(shop_intents, tmp_path, cache):
    opened = tmp_path / "opened.txt"
    # $BROWSER is the command Python's webbrowser runs; this one writes down the address.
    browser = f"{sys.executable} -c \"import sys; open(sys.argv[1], 'w').write(sys.argv[2])\""
    env = {**cache, "BROWSER": f"{browser} {opened} %s"}
    server = ServedChat("--intents", str(shop_intents), "--open", env=env)
    try:
        deadline = time.monotonic() + 20
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.read_text() == server.url
    finally:
        server.stop()
