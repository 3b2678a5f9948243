"""Frozen records with slots, pickled as their constructor's arguments.

The model holds hundreds of thousands of small records, and a build's saved state is all of
them. Slots take about 40% less memory than an instance dict. Pickling a record as
`(cls, field values)` loads it through its own constructor, which is quicker than restoring
its state attribute by attribute (what a frozen dataclass with slots does by default).

Records read from many files repeat the same values (a unit, a period, a group, a document's
id, a year) as distinct objects. `Loader` unpickles records keeping one object per value.
"""
from __future__ import annotations

import io
import pickle
from dataclasses import dataclass, fields
from decimal import Decimal
from operator import attrgetter
from typing import Any, Callable, TypeVar

T = TypeVar("T", bound=type)


def record(cls: T | None = None, *, order: bool = False, shared: bool = False) -> T | Callable[[T], T]:
    """`@record` or `@record(order=True)`: a frozen dataclass with slots and a compact pickle.

    `shared`: a record of plain values only (strings, numbers, booleans, None), of which `Loader`
    keeps one object per distinct value (a date, a goal, a reference repeated across files)."""

    def wrap(plain: T) -> T:
        made = dataclass(frozen=True, slots=True, order=order)(plain)
        names = [f.name for f in fields(made)]
        if not all(f.init for f in fields(made)):
            raise TypeError(f"{plain.__name__}: every field of a record is an argument of its constructor")
        values = attrgetter(*names) if len(names) > 1 else (lambda self: (getattr(self, names[0]),))

        def __reduce__(self):
            return made, values(self)

        made.__reduce__ = __reduce__
        made.__record__ = "shared" if shared else "values"  # how `Loader` builds it
        return made

    return wrap if cls is None else wrap(cls)


class Loader:
    """Unpickles records, giving each equal string, integer or decimal field one shared object
    across everything this loader reads: less memory, and fewer objects for a forked worker to
    touch (each one it reads is a memory page copied)."""

    def __init__(self) -> None:
        self._plain: dict[Any, Any] = {}  # str and int values (never equal to one another)
        self._decimals: dict[str, Decimal] = {}  # by their text: Decimal("1.0") == Decimal("1") but prints apart
        self._records: dict[tuple, Any] = {}  # shared records, by class and their values' identities
        self._makers: dict[type, Callable] = {}

    def loads(self, data: bytes) -> Any:
        return _Unpickler(io.BytesIO(data), self).load()

    def maker(self, cls: type) -> Callable:
        """`cls`'s constructor, called with the shared object for each of its values; for a shared
        record, the record made before from the same values if there is one."""
        made = self._makers.get(cls)
        if made is None:
            made = self._makers[cls] = self._shared_maker(cls) if cls.__record__ == "shared" else self._value_maker(cls)
        return made

    def _shared_values(self) -> Callable[[tuple], list]:
        same, decimal = self._plain.setdefault, self._decimals.setdefault

        def shared(values: tuple) -> list:
            return [same(v, v) if (t := type(v)) is str or t is int
                    else decimal(str(v), v) if t is Decimal else v for v in values]

        return shared

    def _value_maker(self, cls: type) -> Callable:
        shared = self._shared_values()

        def made(*values):
            return cls(*shared(values))

        return made

    def _shared_maker(self, cls: type) -> Callable:
        shared, records = self._shared_values(), self._records

        def made(*values):
            kept = shared(values)  # each value the one object kept for it, or None or a bool
            if not all(type(v) in _PLAIN for v in kept):
                return cls(*kept)
            key = (cls, *map(id, kept))  # identities: equal decimals that print apart stay apart
            found = records.get(key)
            if found is None:
                found = records[key] = cls(*kept)
            return found

        return made


_PLAIN = frozenset((str, int, Decimal, bool, type(None)))  # the values a shared record may hold


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, loader: Loader):
        super().__init__(file)
        self._loader = loader

    def find_class(self, module: str, name: str) -> Any:
        found = super().find_class(module, name)
        return self._loader.maker(found) if getattr(found, "__record__", False) else found
