"""Immutable value classes that cost nothing to define: the base of the public data types.

`Intent`, `Match`, `Reply` and the other types users receive are small frozen records. They are
not dataclasses because `chatbot ask` would pay for that on every start: importing
`dataclasses` (which imports `inspect`, `ast` and `dis`) and generating each class's methods
took about 15 ms, a tenth of a one-shot answer. A `Record` subclass instead lists its fields in
`_fields`, stores them in `__slots__` from a plain `__init__` (type-checked as written), and
inherits what a frozen dataclass would generate: equality, hashing, repr, pattern matching,
copying and pickling, and `replace()` (also reachable as `copy.replace` on Python 3.13+), plus
`to_dict()` for JSON. Mapping fields hold a `FrozenDict`, so that records holding them still
hash and pickle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, NoReturn, TypeVar

K = TypeVar("K")
V = TypeVar("V")

# Records set their attributes in __init__ through this, since their own __setattr__ refuses.
set_field = object.__setattr__


class Record:
    """Base for frozen value classes whose `__init__` takes `_fields` in order.

    Subclasses declare `__slots__` (at least `_fields`), `_fields`, and optionally `_compared`:
    the fields that equality and hashing look at (all of `_fields` unless given).
    """

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_compared" not in cls.__dict__:
            cls._compared = cls._fields
        # `case Match(intent, score)` binds fields positionally, as with a dataclass.
        type.__setattr__(cls, "__match_args__", cls._fields)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set '{name}'")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot delete '{name}'")

    def _key(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self._compared])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({values})"

    def __reduce__(self) -> tuple[type[Record], tuple[Any, ...]]:
        # copy, deepcopy and pickle rebuild a record through __init__, since it cannot be set.
        return (type(self), tuple([getattr(self, name) for name in self._fields]))

    def replace(self: R, **changes: Any) -> R:
        """A copy with the given fields changed, like `dataclasses.replace`.

        Raises:
            TypeError: when a name is not one of the record's fields.
        """
        unknown = changes.keys() - set(self._fields)
        if unknown:
            names = ", ".join(sorted(unknown))
            raise TypeError(f"{type(self).__name__} has no field(s) named {names}")
        values = {name: changes.get(name, getattr(self, name)) for name in self._fields}
        return type(self)(**values)

    __replace__ = replace

    def to_dict(self) -> dict[str, Any]:
        """The record as plain data that `json.dumps` accepts: nested records and mappings
        become dicts, tuples become lists.

        Example:
            >>> from chatbot.intents import Source
            >>> Source("faq.yaml", 12).to_dict()
            {'path': 'faq.yaml', 'line': 12}
        """
        return {name: _plain(getattr(self, name)) for name in self._fields}


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


class FrozenDict(dict[K, V]):
    """A read-only dict: hashable, picklable, and equal to a dict with the same items.

    A dict subclass rather than a `Mapping` class because lookups such as `intent.slots.get`
    are on the matching hot path, where dict's own C methods are as fast as a plain dict's.
    Its values must be hashable for the dict to be (nested mappings as FrozenDicts, tuples).
    `dict(frozen)`, `frozen.copy()` and `frozen | other` give an ordinary, changeable dict.
    """

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def __reduce__(self) -> tuple[type[FrozenDict[K, V]], tuple[dict[K, V]]]:
        # dict's default pickling fills an empty instance item by item, which this refuses.
        return (type(self), (dict(self),))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"

    def _read_only(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError(f"{type(self).__name__} is read-only; copy it with dict() to change it")

    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only


def freeze(mapping: Mapping[Any, Any]) -> FrozenDict[Any, Any]:
    """The mapping as a FrozenDict, nested mappings included; a FrozenDict is returned as it is.

    Records call this on their mapping fields, so that `Intent(..., slots={"subject": "llm"})`
    still gives a hashable, read-only intent.
    """
    if type(mapping) is FrozenDict:
        return mapping
    return FrozenDict(
        {
            key: freeze(value) if isinstance(value, Mapping) else value
            for key, value in mapping.items()
        }
    )


# Bound to the class itself, not to the string "Record": a string bound makes typing compile it,
# which costs about 2 ms on the first compile of a process.
R = TypeVar("R", bound=Record)
