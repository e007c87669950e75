"""Doctests of the package: run where a checkout's `intents/` and `tests/` are, with a home of
their own, so that examples read as a user would type them and write nothing into the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _doctest_folder(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """For a docstring example: a scratch working folder holding links to the bundled FAQ and
    the test cases, and a scratch home (caches, history)."""
    if not isinstance(request.node, pytest.DoctestItem):
        return
    for name in ("intents", "tests"):
        (tmp_path / name).symlink_to(REPO / name)
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))


@pytest.fixture(scope="session")
def _bundled_bot() -> object:
    from chatbot import Bot

    return Bot()


@pytest.fixture(autouse=True)
def _doctest_names(
    request: pytest.FixtureRequest, doctest_namespace: dict[str, object], _bundled_bot: object
) -> None:
    """The names docstring examples take as given, as a reader would: `bot` (the bundled FAQ),
    its `matcher`, and a fresh `conversation` with it."""
    if not isinstance(request.node, pytest.DoctestItem):
        return
    from chatbot import Bot

    assert isinstance(_bundled_bot, Bot)
    doctest_namespace.update(
        bot=_bundled_bot,
        matcher=_bundled_bot.matcher,
        conversation=_bundled_bot.conversation(),
    )
