"""Remember a built matcher between runs, as plain data, so a restart skips parsing and indexing.

`chatbot ask` answers one question and exits: reading the YAML and building the index would be
most of its work. The first run on some intent files saves the knowledge base and its index in
the cache folder, under a key made of the files' contents and of the code that built them; a
later run on the same files and code loads them back instead. Any change to a file or to the
package's code makes a new key, so a snapshot is never stale.

Snapshots are written with `marshal`, which stores only plain data (numbers, strings and
containers of them) and runs nothing when it loads them: a cache file is data, as intent files
are. A missing, damaged or unreadable snapshot only means building again.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from collections.abc import Sequence
from typing import Any

from chatbot.intents import Intent, KnowledgeBase, Source
from chatbot.matching.index import Index
from chatbot.matching.matcher import Matcher
from chatbot.matching.ngrams import NgramProfiles

# Part of every key: change it whenever what a snapshot holds changes shape.
SNAPSHOT_VERSION = "snapshot-3"
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Snapshot files are named with this prefix; at most KEPT of them are left in the folder.
PREFIX = "knowledge-"
KEPT = 16


def _code_stamp() -> bytes:
    """What identifies the package's code: every module's path, size and modification time
    (editing any of them in a checkout changes it; an installed package never does)."""
    parts = []
    for folder, folders, files in os.walk(PACKAGE):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                parts.append(f"{folder[len(PACKAGE) :]}/{name}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(parts).encode()


def key(files: Sequence[str]) -> str:
    """The key of a snapshot of these intent files: their paths and contents, and the code."""
    from _blake2 import blake2b  # hashlib would load OpenSSL: 5 ms of every start

    digest = blake2b(digest_size=16)
    digest.update(SNAPSHOT_VERSION.encode())
    digest.update(_code_stamp())
    for file in files:
        with open(file, "rb") as handle:
            content = handle.read()
        digest.update(f"\0{file}\0{len(content)}\0".encode("utf-8", "surrogateescape"))
        digest.update(content)
    return digest.hexdigest()


def _path(cache_dir: str, snapshot_key: str) -> str:
    return os.path.join(cache_dir, f"{PREFIX}{snapshot_key}")


def _knowledge_data(knowledge: KnowledgeBase) -> dict[str, Any]:
    return {
        "intents": [
            (
                intent.id,
                intent.questions,
                intent.answer,
                intent.more,
                intent.why,
                intent.follow_ups,
                dict(intent.slots),
                intent.topic,
                intent.sets_context,
                None if intent.source is None else (intent.source.path, intent.source.line),
            )
            for intent in knowledge.intents
        ],
        "synonyms": {key: tuple(values) for key, values in knowledge.synonyms.items()},
        "entities": {
            entity: {value: tuple(phrases) for value, phrases in values.items()}
            for entity, values in knowledge.entities.items()
        },
        "threshold": knowledge.threshold,
        "context_turns": knowledge.context_turns,
        "fallback": knowledge.fallback,
        "sources": knowledge.sources,
    }


def _knowledge(data: dict[str, Any]) -> KnowledgeBase:
    intents = []
    for row in data["intents"]:
        id_, questions, answer, more, why, follow_ups, slots, topic, sets_context, source = row
        intents.append(
            Intent(
                id=id_,
                questions=questions,
                answer=answer,
                more=more,
                why=why,
                follow_ups=follow_ups,
                slots=slots,
                topic=topic,
                sets_context=sets_context,
                source=None if source is None else Source(*source),
            )
        )
    return KnowledgeBase(
        intents=tuple(intents),
        synonyms=data["synonyms"],
        entities=data["entities"],
        threshold=data["threshold"],
        context_turns=data["context_turns"],
        fallback=data["fallback"],
        sources=tuple(data["sources"]),
    )


def save(cache_dir: str, snapshot_key: str, matcher: Matcher) -> None:
    """Write a matcher's knowledge base and index to the cache folder (errors are ignored:
    a snapshot only saves time). The parts built on first use are built first, so that a
    loaded snapshot answers its first question as fast as its hundredth."""
    index = matcher._index
    index.ngrams.build_all()
    for intent_index in range(index.intent_count):
        matcher._slots_of(intent_index)
    state = dict(vars(index))
    ngrams = dict(vars(index.ngrams))
    ngrams["_grams"] = [dict(grams) for grams in ngrams["_grams"]]  # Counters: not plain data
    state["ngrams"] = ngrams
    data = {
        "version": SNAPSHOT_VERSION,
        "knowledge": _knowledge_data(matcher.knowledge),
        "index": state,
        "slots": matcher._slots,
    }
    path = _path(cache_dir, snapshot_key)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(cache_dir, exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(marshal.dumps(data))
        os.replace(temporary, path)  # readers see no snapshot or a whole one
        _prune(cache_dir)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _prune(cache_dir: str) -> None:
    """Remove all but the KEPT newest snapshots."""
    snapshots = []
    for entry in os.scandir(cache_dir):
        if entry.name.startswith(PREFIX) and not entry.name.endswith(".tmp"):
            snapshots.append((entry.stat().st_mtime_ns, entry.path))
    for _, path in sorted(snapshots, reverse=True)[KEPT:]:
        with contextlib.suppress(OSError):
            os.unlink(path)


def load(cache_dir: str, snapshot_key: str, *, threshold: float | None = None) -> Matcher | None:
    """The matcher saved under this key, or None when there is none (or it cannot be read)."""
    try:
        with open(_path(cache_dir, snapshot_key), "rb") as file:
            # loads of the whole file: marshal.load reads a file in small pieces, six times
            # slower.
            data = marshal.loads(file.read())
        if data.get("version") != SNAPSHOT_VERSION:
            return None
        state = data["index"]
        ngrams = NgramProfiles.__new__(NgramProfiles)
        vars(ngrams).update(state.pop("ngrams"))
        index = Index.__new__(Index)
        vars(index).update(state)
        index.ngrams = ngrams
        return Matcher._restored(
            _knowledge(data["knowledge"]),
            index,
            data["slots"],
            threshold=threshold,
            cache_dir=cache_dir,
        )
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError):
        return None
