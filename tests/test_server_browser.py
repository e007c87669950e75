"""The chat page in a real browser: Debian's Chromium, driven by Playwright."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("uvicorn", reason="the server extra is not installed")

from tests.server_process import ServedChat

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's own browser download is not used: the system's Chromium, started as CI can.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 15_000


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    return None


_missing = _browser_missing()
if _missing is not None:
    if os.environ.get("CI"):  # CI installs the browser: a missing one is a failure there
        raise RuntimeError(f"the browser test cannot run in CI: {_missing}")
    pytest.skip(_missing, allow_module_level=True)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

HOSTILE = """
intents:
  - id: script
    questions: ["what about scripts", "tell me about script tags"]
    answer: "<script>window.pwned = 'script'</script> and some plain text"
    follow_ups: [image, link]
  - id: image
    questions: ["<img src=x onerror=\\"window.pwned = 'question'\\"> image?"]
    answer: "<img src=x onerror=\\"window.pwned = 'img'\\">"
  - id: link
    questions: ["<b>bold</b> link question"]
    answer: "<a href=\\"javascript:window.pwned = 'link'\\">click me</a>"
"""


@pytest.fixture(scope="module")
def browser_context() -> Iterator[Any]:
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        context.set_default_timeout(WAIT_MS)
        yield context
        context.close()


@pytest.fixture(scope="module")
def bundled_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedChat]:
    cache = str(tmp_path_factory.mktemp("browser-cache"))
    server = ServedChat(env={"XDG_CACHE_HOME": cache})
    yield server
    server.stop()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Page]:
    page = browser_context.new_page()
    yield page
    page.close()


def _ask(page: Page, question: str) -> Any:
    """Type a question, press Enter, and return the bot's reply that appears."""
    replies = page.locator("#log .turn.bot")
    before = replies.count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    expect(replies).to_have_count(before + 1)
    return replies.nth(before)


def test_asking_following_up_and_picking_a_suggestion(page, bundled_server, bundled_bot):
    page.goto(bundled_server.url)
    expect(page.locator("#log")).to_have_attribute("aria-live", "polite")
    conversation = bundled_bot.conversation()

    first = _ask(page, "What data is generative AI trained on?")
    expected = conversation.ask("What data is generative AI trained on?")
    expect(first.locator(".answer")).to_have_text(expected.text)
    expect(first.locator(".context-note")).to_have_count(0)

    follow_up = _ask(page, "and LLMs?")
    expected = conversation.ask("and LLMs?")
    assert expected.intent == "llm_data_inputs"
    expect(follow_up.locator(".answer")).to_have_text(expected.text)
    expect(follow_up.locator(".context-note")).to_contain_text("Taken as:")

    options = follow_up.locator("button.option")
    expect(options).to_have_count(len(expected.suggestions))
    expect(options.first).to_have_text(expected.suggestions[0])
    options.first.click()
    picked = page.locator("#log .turn.bot").nth(2)
    expected = conversation.ask("1")
    expect(picked.locator(".answer")).to_have_text(expected.text)
    expect(page.locator("#log .turn.user").nth(2)).to_have_text(
        follow_up.locator("button.option").first.inner_text()
    )
    # The older reply's numbered buttons would pick from the wrong list: they are retired.
    expect(follow_up.locator("button.option").first).to_be_disabled()


def test_a_clarification_offers_its_choices_as_buttons(page, bundled_server, bundled_bot):
    page.goto(bundled_server.url)
    asked = _ask(page, "architecture?")
    expected = bundled_bot.conversation().ask("architecture?")
    assert expected.kind == "clarify"
    expect(asked.locator(".options-heading")).to_have_text("Did you mean:")
    expect(asked.locator("button.option")).to_have_text(list(expected.suggestions))


def test_the_page_works_from_the_keyboard(page, bundled_server, bundled_bot):
    page.goto(bundled_server.url)
    expect(page.locator("#question")).to_be_focused()
    reply = _ask(page, "what is an llm")
    expect(page.locator("#question")).to_be_focused()
    # Back from the question box to the reply's last suggestion, and Enter picks it.
    page.keyboard.press("Shift+Tab")
    last_option = reply.locator("button.option").last
    expect(last_option).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#log .turn.bot")).to_have_count(2)
    conversation = bundled_bot.conversation()
    conversation.ask("what is an llm")
    expected = conversation.ask(str(len(conversation.last.suggestions)))  # type: ignore[union-attr]
    expect(page.locator("#log .turn.bot .answer").nth(1)).to_have_text(expected.text)


def test_the_page_fits_a_phone(page, bundled_server):
    page.set_viewport_size({"width": 360, "height": 640})
    page.goto(bundled_server.url)
    _ask(page, "How do the outputs of generative AI and LLMs differ?")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    box = page.locator("#question").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 360


def test_hostile_answers_and_questions_show_as_text(page, tmp_path):
    intents = tmp_path / "hostile.yaml"
    intents.write_text(HOSTILE, encoding="utf-8")
    server = ServedChat("--intents", str(intents), env={"XDG_CACHE_HOME": str(tmp_path)})
    try:
        page.goto(server.url)
        reply = _ask(page, "what about scripts")
        expect(reply.locator(".answer")).to_have_text(
            "<script>window.pwned = 'script'</script> and some plain text"
        )
        options = reply.locator("button.option")
        expect(options.first).to_have_text(
            "<img src=x onerror=\"window.pwned = 'question'\"> image?"
        )
        expect(options.nth(1)).to_have_text("<b>bold</b> link question")
        options.first.click()
        image = page.locator("#log .turn.bot").nth(1)
        expect(image.locator(".answer")).to_have_text(
            "<img src=x onerror=\"window.pwned = 'img'\">"
        )
        link = _ask(page, "bold link question")
        expect(link.locator(".answer")).to_have_text(
            "<a href=\"javascript:window.pwned = 'link'\">click me</a>"
        )
        link.locator(".answer").click()
        for tag in ("script", "img", "a", "b"):
            assert page.locator(f"#log {tag}").count() == 0, tag
        assert page.evaluate("typeof window.pwned") == "undefined"
    finally:
        server.stop()
