"""Shared fixtures: isolated home folders, YAML written to temporary files, one bundled bot."""

from __future__ import annotations

import os
import subprocess
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chatbot import Bot


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test away from the real home folder (history, logs)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write dedented YAML text to a file under tmp_path and return its path."""

    def write(text: str, name: str = "intents.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KB file system (a tmpfs mounted in tmp_path/disk), to fill up for real ENOSPC.

    Skips where mounting needs rights the tests do not have (not root, or in a container that
    forbids it)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


@pytest.fixture
def fill_disk() -> Callable[[Path], Path]:
    """Fill the file system holding a folder with one file, until writes meet ENOSPC; the
    file's path is returned (delete it to free the space)."""

    def fill(folder: Path) -> Path:
        filler = folder / "filler"
        with filler.open("wb", buffering=0) as file:
            try:
                while True:
                    file.write(b"\0" * 4096)
            except OSError:
                pass
        return filler

    return fill


@pytest.fixture(scope="session")
def bundled_bot() -> Bot:
    """The bot on the bundled FAQ, built once: it is immutable, so tests can share it."""
    return Bot()


SHOP = """
intents:
  - id: opening_hours
    questions: [when are you open, what are your opening hours, are you open on sunday]
    answer: From 9 to 5, Monday to Friday.
  - id: contact
    questions: [how can i contact you, what is your phone number, how do i reach support]
    answer: Call 555 0100.
  - id: refunds
    questions: [how do i get a refund, can i return an item, i want my money back]
    answer: Within 30 days.
"""


@pytest.fixture
def shop_intents(write_yaml: Callable[..., Path]) -> Path:
    """A small shop FAQ (opening hours, contact, refunds) in tmp_path/shop.yaml."""
    return write_yaml(SHOP, "shop.yaml")
