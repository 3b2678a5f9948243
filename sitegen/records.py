"""Frozen records with slots, pickled as their constructor's arguments.

The model holds hundreds of thousands of small records, and a build's saved state is all of
them. Slots take about 40% less memory than an instance dict. A record is pickled as its field
values, loaded by a function made for its class that fills its slots directly: quicker than
restoring its state attribute by attribute (what a frozen dataclass with slots does by default),
and than its own constructor.

Records read from many files repeat the same values (a unit, a period, a group, a document's
id, a year) as distinct objects. `Loader` unpickles records keeping one object per value.

`Parted` is a mapping of records pickled in parts, each unpickled when first needed (the model's
results and bodies, of which a build restored from its saved state uses a few).
"""
from __future__ import annotations

import io
import pickle
import threading
from collections.abc import Iterable, Iterator, Mapping
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

        load = _quick_constructor(made, names)

        def __reduce__(self):
            return load, values(self)

        made.__reduce__ = __reduce__
        made.__record__ = "shared" if shared else "values"  # how `Loader` builds it
        made._load = load
        return made

    return wrap if cls is None else wrap(cls)


def _quick_constructor(made: type, names: list[str]) -> Callable:
    """A function that makes a record of its field values, as the record's constructor does but
    through the slots' own setters: a frozen dataclass's constructor sets each field through
    `object.__setattr__`, 40% slower, and a large site's saved state is half a million records."""
    arguments = [f"v{i}" for i in range(len(names))]
    sets = "".join(f"    _set{i}(record, v{i})\n" for i in range(len(names)))
    source = f"def _load({', '.join(arguments)}):\n    record = _new(_cls)\n{sets}    return record\n"
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": made}
    namespace.update({f"_set{i}": getattr(made, name).__set__ for i, name in enumerate(names)})
    exec(source, namespace)  # noqa: S102 - code made here from field names, as dataclasses does
    load = namespace["_load"]
    load.__module__, load.__qualname__ = made.__module__, f"{made.__qualname__}._load"
    load.__record_class__ = made
    return load


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

        load = cls._load

        def made(*values):
            return load(*shared(values))

        return made

    def _shared_maker(self, cls: type) -> Callable:
        shared, records, load = self._shared_values(), self._records, cls._load

        def made(*values):
            kept = shared(values)  # each value the one object kept for it, or None or a bool
            if not all(type(v) in _PLAIN for v in kept):
                return load(*kept)
            key = (cls, *map(id, kept))  # identities: equal decimals that print apart stay apart
            found = records.get(key)
            if found is None:
                found = records[key] = load(*kept)
            return found

        return made


_PLAIN = frozenset((str, int, Decimal, bool, type(None)))  # the values a shared record may hold


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, loader: Loader):
        super().__init__(file)
        self._loader = loader

    def find_class(self, module: str, name: str) -> Any:
        found = super().find_class(module, name)
        made = getattr(found, "__record_class__", None)
        return self._loader.maker(made) if made is not None else found


_MISSING = object()


class Parted(Mapping):
    """A read-only mapping pickled in parts, each unpickled when one of its keys is first looked
    up. `part(key)` names the part a key belongs to (a module-level function, pickled by name).

    For the large mappings of a build's saved state (every body, every result), of which a build
    restored from it after an edit uses a few entries: unpickling them whole was a third of
    reading that state. Iterated (or sized), it reads every part first; it iterates in key order.
    A part read keeps its pickled bytes while its entries stay (it is pickled again as they were),
    and two mappings holding a part's same bytes are known to hold the same entries there."""

    def __init__(self, items: Mapping, part: Callable[[Any], str]):
        self._items = dict(sorted(items.items()))
        self._part = part
        self._parts: dict[str, bytes] = {}  # part -> its entries, pickled, not read yet
        self._kept: dict[str, bytes] = {}  # part -> the bytes its entries (read, unchanged) were read from
        self._index: dict[str, list] | None = None  # part -> the keys of its entries read (see `_keys`)
        self._ordered = True  # `_items` is in key order
        self._lock = threading.Lock()  # a preview reads pages' data in a thread beside its rebuilds

    def __reduce__(self):
        with self._lock:
            parts = {**self._kept, **self._parts}
        grouped: dict[str, list] = {}
        for key, value in self._items.items():
            name = self._part(key)
            if name not in parts:
                grouped.setdefault(name, []).append((key, value))
        parts.update((name, pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)) for name, entries in grouped.items())
        return _parted, (self._part, dict(sorted(parts.items())))

    def _read(self, name: str) -> None:
        with self._lock:
            part = self._parts.pop(name, None)
            if part is not None:
                entries = pickle.loads(part)
                self._items.update(entries)
                self._kept[name] = part
                if self._index is not None:
                    self._index[name] = [key for key, _ in entries]
                self._ordered = False

    def _read_all(self) -> None:
        with self._lock:
            parts, self._parts = self._parts, {}
            for name, part in parts.items():
                entries = pickle.loads(part)
                self._items.update(entries)
                if self._index is not None:
                    self._index[name] = [key for key, _ in entries]
            self._kept.update(parts)
            if parts or not self._ordered:
                self._items = dict(sorted(self._items.items()))
                self._ordered = True

    def _bytes(self, name: str) -> bytes | None:
        """The pickled bytes of a part whose entries are as they were read from them (or unread)."""
        with self._lock:
            return self._parts.get(name) or self._kept.get(name)

    def updated(self, changes: Mapping, removed: Iterable = ()) -> Parted:
        """A copy with the entries of `changes` added or put in place of these, and the keys
        `removed` left out: this mapping itself when there are none (it is read-only)."""
        removed = set(removed)
        if not changes and not removed:
            return self
        touched = {self._part(key) for key in [*changes, *removed]}
        for name in touched:
            self._read(name)  # else a part read later would bring the old entry back
        twin = Parted({}, self._part)
        with self._lock:
            twin._items, twin._parts = {**self._items, **changes}, dict(self._parts)
            twin._kept = {name: part for name, part in self._kept.items() if name not in touched}
            if self._index is not None:
                twin._index = dict(self._index)
        for key in removed:
            twin._items.pop(key, None)
        if twin._index is not None:
            added: dict[str, set] = {}
            for key in changes:
                added.setdefault(self._part(key), set()).add(key)
            for name in touched:
                twin._index[name] = sorted({*self._index.get(name, ()), *added.get(name, ())} - removed)
        twin._ordered = False
        return twin

    def _keys(self, name: str) -> list:
        """The keys of a part's entries read (all of them once the part is read)."""
        with self._lock:
            if self._index is None:
                self._index = {}
                for key in self._items:
                    self._index.setdefault(self._part(key), []).append(key)
            return self._index.get(name, [])

    def holds_part(self, name: str) -> bool:
        """Whether an entry belongs to the part `name`, found without reading it."""
        with self._lock:
            if name in self._parts:
                return True
        return bool(self._keys(name))

    def holds_same(self, other: Parted, key) -> bool:
        """Whether `other` holds the very entry this holds for `key` (both without it, or both
        with the same object, or its part's same pickled bytes), found without reading it."""
        name = self._part(key)
        mine, theirs = self._bytes(name), other._bytes(name)
        if mine is not None or theirs is not None:
            return mine is theirs
        return self._items.get(key, _MISSING) is other._items.get(key, _MISSING)

    def changed_keys(self, other: Parted, differ: Callable[[Any, Any], bool] | None = None) -> set:
        """The keys whose entries differ between this mapping and `other` (by `differ(entry,
        other's entry)`, None for no entry; else as values); parts that both hold as the same
        pickled bytes are not read."""
        if other is self:
            return set()
        with self._lock, other._lock:
            mine, theirs = {**self._kept, **self._parts}, {**other._kept, **other._parts}
        same = {name for name, part in mine.items() if theirs.get(name) is part}
        for mapping, parts in ((self, mine), (other, theirs)):
            for name in parts.keys() - same:
                mapping._read(name)
        with self._lock, other._lock:
            names = (set(self._items) | set(other._items)) if self._index is None or other._index is None else None
        names = {self._part(key) for key in names} if names is not None else set(self._index) | set(other._index)
        keys = {key for name in names - same for mapping in (self, other) for key in mapping._keys(name)}
        if differ is not None:
            return {key for key in keys if differ(self._items.get(key), other._items.get(key))}
        return {key for key in keys if _differ(self._items.get(key, _MISSING), other._items.get(key, _MISSING))}

    def __getitem__(self, key):
        if self._parts:
            self._read(self._part(key))
        return self._items[key]

    def __iter__(self) -> Iterator:
        self._read_all()
        return iter(self._items)

    def items(self):
        """The entries, every part read (a view of them, not a key looked up at a time)."""
        self._read_all()
        return self._items.items()

    def values(self):
        self._read_all()
        return self._items.values()

    def __len__(self) -> int:
        self._read_all()
        return len(self._items)


def _differ(a, b) -> bool:
    return a is not b and a != b


def _parted(part: Callable[[Any], str], parts: dict[str, bytes]) -> Parted:
    """A `Parted` as unpickled: none of its parts read yet."""
    mapping = Parted({}, part)
    mapping._parts = parts
    mapping._index = {}
    return mapping


class Deferred:
    """A value pickled apart from what holds it, and unpickled when first asked for (`get`): for a
    part of a build's saved state that only some builds restored from it use."""

    def __init__(self, value: Any):
        self._value, self._pickled = value, None
        self._lock = threading.Lock()

    def __reduce__(self):
        with self._lock:
            data = self._pickled if self._pickled is not None else \
                pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)
        return _deferred, (data,)

    def get(self) -> Any:
        with self._lock:
            if self._pickled is not None:
                self._value, self._pickled = pickle.loads(self._pickled), None
            return self._value


def _deferred(data: bytes) -> Deferred:
    held = Deferred(None)
    held._pickled = data
    return held
