"""A content-hash cache of per-file work (read, checked, rendered), kept between builds.

Entries are keyed by the file's bytes, so a stale entry cannot be used; the whole
cache is dropped when the engine's code or its libraries change.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import pickle
import signal
import sys
import threading
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Collection

from .records import Loader

_PACKAGES = ("markdown-it-py", "markdown-it-pyrs", "mdit-py-plugins", "PyYAML", "Jinja2", "Babel")


@lru_cache(maxsize=1)
def engine_version() -> str:
    """A digest of this package's code, Python's version and the parsing libraries' versions.
    Worked out once per process (at its first build), so that it names the code the process runs,
    not files changed on disk since: a preview left running across an update must not save what
    its old code made under the new version's name."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    digest.update(sys.version.encode())
    versions = _installed_versions()
    for name in _PACKAGES:
        version = versions.get(_project_key(name))
        if version:
            digest.update(f"{name}={version}".encode())
    return digest.hexdigest()


def _project_key(name: str) -> str:
    """A project's name as installers write it in a .dist-info folder's name, normalised."""
    return name.lower().replace("-", "_").replace(".", "_")


def _installed_versions() -> dict[str, str]:
    """The version of each of _PACKAGES that imports would find (the first on `sys.path`), read
    from the name of its .dist-info folder ("jinja2-3.1.6.dist-info"); importlib.metadata when
    not found so. importlib.metadata itself costs every build 20-30 ms of imports."""
    wanted = {_project_key(name) for name in _PACKAGES}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                project, _, version = name[:-len(".dist-info")].partition("-")
                key = _project_key(project)
                if key in wanted and version:
                    found.setdefault(key, version)
    for name in _PACKAGES:
        if _project_key(name) not in found:
            from importlib import metadata

            try:
                found[_project_key(name)] = metadata.version(name)
            except metadata.PackageNotFoundError:
                pass
    return found


def file_digest(path: Path) -> str:
    return data_digest(path.read_bytes())


def data_digest(data: bytes) -> str:
    """A file's digest (`file_digest`) from its bytes."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class FileCache:
    """Maps keys to values; only entries used by the current build are saved again.

    Entries are stored pickled one by one, so a build unpickles only the entries it uses and saves
    the ones it reused without pickling them again; new entries can arrive already pickled (from
    the worker that made them, which pickles its results anyway)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.version = engine_version()
        # pickled, as the file held them; read when first needed (`_entries`): a rebuild after a body
        # edit reads only the edited files, and the file holds every file's entry (1.2 GB at 100,000
        # documents)
        self._old: dict[Any, bytes] | None = None if path is not None else {}
        self._new: dict[Any, bytes] = {}  # pickled, used by this build: what `save` writes
        self._values: dict[Any, Any] = {}  # this build's entries, unpickled
        self._carried: dict[Any, Any] = {}  # the previous build's entries in this process (`carry`)
        self.loader = Loader()  # shares equal values between the entries this build reads (a
        # cache carried to the next build gets a new one: a preview session's edits would grow it)
        self.hits = 0
        # file path -> `file_digest` of the bytes its record was made from, this build (pipeline.read_all)
        self.digests: dict[str, str] = {}

    def _entries(self) -> dict[Any, bytes]:
        if self._old is None:
            self._old = {}
            try:
                with self.path.open("rb") as handle:
                    version, entries = pickle.load(handle)
                if version == self.version and isinstance(entries, dict):
                    self._old = entries
            except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError,
                    ImportError, IndexError):
                pass  # a missing or damaged cache is only a slower build
        return self._old

    @property
    def empty(self) -> bool:
        """True when no entry can be found (the first build, or one after a change of engine)."""
        return not self._values and not self._carried and not self._entries()

    @property
    def persistent(self) -> bool:
        """True when the entries are saved to a file (and so must be pickled)."""
        return self.path is not None

    def get(self, key: Any) -> Any:
        if key in self._values:
            return self._values[key]
        value = self._carried.get(key)
        if value is None:
            raw = self._entries().get(key)
            if raw is None:
                return None
            try:
                value = self.loader.loads(raw)
            except Exception:  # a damaged entry is only a miss
                return None
            self._new[key] = raw
        self._values[key] = value
        self.hits += 1
        return value

    def put(self, key: Any, value: Any, pickled: bytes | None = None) -> None:
        """Store `value`; `pickled` is its pickle when the caller already has it."""
        self._values[key] = value
        if self.persistent:
            self._new[key] = pickled if pickled is not None else pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def carry(self) -> "FileCache":
        """A cache for the next build in this process, seeded with this build's entries."""
        following = FileCache(None)
        following._carried = dict(self._values)
        return following

    def save(self) -> None:
        """Write the entries this build used (nothing when they are exactly the ones read), then let
        go of their pickled bytes: the entries already read stay available."""
        if self.path is None:
            return
        old = self._entries()
        if self._new.keys() != old.keys() or any(self._new[k] is not old[k] for k in self._new):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            with temp.open("wb") as handle:
                pickle.dump((self.version, self._new), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, self.path)
        self._old, self._new = {}, {}


def cache_folder(out_dir: Path) -> Path:
    """Where the cache for an output folder lives: a git-ignored .cache beside it."""
    out = out_dir.resolve()
    return out.parent / ".cache" / "sitegen" / hashlib.blake2b(str(out).encode(), digest_size=8).hexdigest()


def tree_stamps(folder: Path, names: Collection[str] | None = None) -> dict[str, tuple[int, int]]:
    """Every file below `folder` (relative POSIX path) with its modification time and size; with
    `names`, only those below (or of) these entries of `folder`."""
    stamps: dict[str, tuple[int, int]] = {}
    if folder.is_dir():
        _scan(str(folder), "", stamps, names)
    return stamps


def _matches(folder: Path, stamps: dict[str, tuple[int, int]], names: Collection[str] | None = None) -> bool:
    """Whether the files below `folder` (or below its entries `names`) have exactly `stamps`
    (`tree_stamps` of the whole folder)."""
    if names is None:
        return tree_stamps(folder) == stamps
    return tree_stamps(folder, names) == {rel: s for rel, s in stamps.items() if rel.partition("/")[0] in names}


def _halves(folder: Path, stamps: dict[str, tuple[int, int]]) -> tuple[set[str], set[str]]:
    """The folder's entries (those it has and those `stamps` records) in two sets that take about
    as long to scan: a recorded file counts 1, a folder to list 2 (measured)."""
    counts = Counter(rel.partition("/")[0] for rel in stamps)
    for parent in {rel.rpartition("/")[0] for rel in stamps}:
        if parent:
            counts[parent.partition("/")[0]] += 2
    with contextlib.suppress(OSError):
        counts.update({name: 0 for name in os.listdir(folder) if name not in counts})
    halves: tuple[set[str], set[str]] = (set(), set())
    sizes = [0, 0]
    for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        side = 0 if sizes[0] <= sizes[1] else 1
        halves[side].add(name)
        sizes[side] += count
    return halves


def _restamped(stamps: dict[str, tuple[int, int]], folder: Path, changed: list[str]) -> dict[str, tuple[int, int]]:
    """`stamps` of `folder` with the `changed` files and folders ("name/") looked at again."""
    stamps = dict(stamps)
    for rel in changed:
        if rel.endswith("/"):
            for key in [key for key in stamps if key.startswith(rel)]:
                del stamps[key]
            _scan(str(folder / rel), rel, stamps)
            continue
        try:
            stat = (folder / rel).stat()
        except OSError:
            stamps.pop(rel, None)
            continue
        stamps[rel] = (stat.st_mtime_ns, stat.st_size)
    return stamps


def _scan(path: str, prefix: str, stamps: dict[str, tuple[int, int]], names: Collection[str] | None = None) -> None:
    """os.scandir over a tree, in name order, building relative paths by concatenation (this runs
    over every file of the content and of the output on each build, unchanged ones included);
    `names`: the only entries of this folder to look at."""
    try:
        entries = sorted(os.scandir(path), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if names is not None and entry.name not in names:
            continue
        try:
            if entry.is_dir():  # a link to a folder is not followed (as os.walk does)
                if not entry.is_symlink():
                    _scan(entry.path, f"{prefix}{entry.name}/", stamps)
                continue
            stat = entry.stat()
        except OSError:
            continue
        stamps[prefix + entry.name] = (stat.st_mtime_ns, stat.st_size)


def _compare_beside(folder: Path, stamps: dict[str, tuple[int, int]], meanwhile: Callable[[], Any],
                    names: Collection[str] | None = None) -> bool:
    """Whether `folder`'s files (or those below its entries `names`) have exactly `stamps`, found
    by a forked child while this process runs `meanwhile()`: both are mostly Python work (12,000
    folders, a large pickle), which a thread would not run beside it. Where there is no fork, a
    thread (it still overlaps the waits on the file system)."""
    if not hasattr(os, "fork"):
        return _compare_in_thread(folder, stamps, meanwhile, names)
    # Ctrl+C is held back while forking, and in the child: an interrupt there would run the
    # rest of this program in a second process. The child is stopped by this one instead.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        child = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        return _compare_in_thread(folder, stamps, meanwhile, names)
    if child == 0:  # the child: compare, and answer with its exit code only
        code = 2
        try:
            gc.disable()  # it only scans: no collection, no finalizer of an inherited object
            code = 0 if _matches(folder, stamps, names) else 1
        finally:
            os._exit(code)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # an interrupt held meanwhile comes now
        meanwhile()
        status = os.waitpid(child, 0)[1]
    except BaseException:  # an error, or Ctrl+C: the child is stopped and waited for first
        with contextlib.suppress(ProcessLookupError, ChildProcessError):  # unless it was already
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
        raise
    return os.waitstatus_to_exitcode(status) == 0


def _compare_in_thread(folder: Path, stamps: dict[str, tuple[int, int]], meanwhile: Callable[[], Any],
                       names: Collection[str] | None = None) -> bool:
    found: list[bool] = []
    thread = threading.Thread(target=lambda: found.append(_matches(folder, stamps, names)), name="output-stamps",
                              daemon=True)
    thread.start()
    try:
        meanwhile()
    finally:
        thread.join()
    return found == [True]


def inputs_digest(*parts: Any) -> str:
    """A digest of everything a build's output depends on (file stamps, settings, versions)."""
    return hashlib.blake2b(pickle.dumps(parts, protocol=4), digest_size=16).hexdigest()


class LastBuild:
    """What the previous build read and wrote: lets an unchanged rebuild be skipped safely."""

    def __init__(self, path: Path):
        self.path = path
        self._stamps: dict[str, tuple[int, int]] | None = None  # of the output, as `read` found it
        self._recorded: dict[str, tuple[int, int]] | None = None  # of the output, as the last build left it
        self.build = ""  # the last build's id (`record`): the saved state it goes with carries it too

    def unchanged(self, inputs: str, out_dir: Path) -> Any:
        """The previous build's summary when nothing it read changed and its output is intact."""
        previous_inputs, summary, intact = self.read(out_dir, inputs)
        return summary if intact and previous_inputs == inputs else None

    def read(self, out_dir: Path, inputs: str | None = None,
             meanwhile: Callable[[], Any] | None = None) -> tuple[str | None, Any, bool]:
        """The previous build's input digest and summary, and whether its output folder is as that
        build left it (not looked at when `inputs` is given and differs: the caller needs no more,
        unless it gives `meanwhile`, which is then called while the folder is looked at)."""
        try:
            with self.path.open("rb") as handle:
                previous_inputs, outputs, summary, self.build = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError):
            return None, None, False
        self._recorded = outputs
        if inputs is not None and previous_inputs != inputs:
            if meanwhile is None:
                return previous_inputs, summary, False
            intact = _compare_beside(out_dir, outputs, meanwhile)
        else:  # half the folder compared by a forked child, half here
            first, second = _halves(out_dir, outputs)
            here: list[bool] = []
            intact = _compare_beside(out_dir, outputs, lambda: here.append(_matches(out_dir, outputs, second)),
                                     first) and here == [True]
        self._stamps = outputs if intact else None  # else `record` looks at the whole folder again
        return previous_inputs, summary, intact

    def confirm(self, out_dir: Path, holds: Callable[[list[str]], bool]) -> bool:
        """After `read` found the output changed: whether only its files' times did (the same files,
        of the same sizes) and `holds(paths)` finds that the files with another time still hold
        what the last build wrote. So it is when a CI service restores the output from its cache:
        the bytes are kept, the times not always. If so, the output is taken as intact."""
        if self._recorded is None:
            return False
        now = tree_stamps(out_dir)
        if now.keys() != self._recorded.keys() or any(now[rel][1] != self._recorded[rel][1] for rel in now):
            return False
        if not holds([rel for rel, stamp in now.items() if stamp != self._recorded[rel]]):
            return False
        self._stamps = now
        return True

    def record(self, inputs: str, out_dir: Path, summary: Any, changed: list[str] | None = None,
               build: str = "") -> None:
        """Record the build. `changed`: when the output is the one `read` found except these paths
        (files, or folders ending in "/"), only they are looked at again. (Any mistake there could
        only make the next build a full one: `read` compares with the whole folder.) `build`: the
        build's id, which the state it saved carries."""
        if changed is not None and self._stamps is not None:
            stamps = _restamped(self._stamps, out_dir, changed)
        else:
            stamps = tree_stamps(out_dir)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        with temp.open("wb") as handle:
            pickle.dump((inputs, stamps, summary, build), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, self.path)

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)


# One encoder for every digest: `json.dumps` with options builds a new encoder on each call.
_JSON = json.JSONEncoder(separators=(",", ":"), allow_nan=True, ensure_ascii=False)
_SLICE = 256  # items encoded per call: one call per row cost more than the encoding itself


def _digest_json(digest, value: Any, depth: int = 2) -> None:
    """Feed `value` to `digest` as JSON text, its outer lists and tuples a slice of items at a time:
    an export's inputs as one JSON string would be a hundred megabytes at 10,000 documents."""
    if depth and isinstance(value, (list, tuple)):
        digest.update(b"[")
        if depth == 1:
            for start in range(0, len(value), _SLICE):
                digest.update(_JSON.encode(value[start:start + _SLICE]).encode("utf-8", "surrogatepass"))
        else:
            for item in value:
                _digest_json(digest, item, depth - 1)
                digest.update(b",")
        digest.update(b"]")
        return
    digest.update(_JSON.encode(value).encode("utf-8", "surrogatepass"))


class ExportCache:
    """Data downloads kept between builds, each under a digest of the plain values it is made from
    (and of the engine), so a build whose rows did not change copies the file instead of encoding it.

    Stateless apart from its folder: forked workers look up and store entries themselves."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.version = engine_version() if folder is not None else ""

    def key(self, name: str, inputs: Any) -> str:
        """The entry's file name for an export `name` made from `inputs` (values JSON takes; JSON, not
        marshal or pickle, because its text does not depend on which objects happen to be shared)."""
        digest = hashlib.blake2b(digest_size=20, key=self.version.encode()[:64])
        _digest_json(digest, inputs)
        digest.update(name.encode())
        return f"{name.replace('/', '_')}.{digest.hexdigest()}"

    def get(self, key: str) -> Path | None:
        if self.folder is None:
            return None
        path = self.folder / key
        return path if path.is_file() else None

    def put(self, key: str, data: bytes) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = self.folder / f".{key}.{os.getpid()}"
        temp.write_bytes(data)
        os.replace(temp, self.folder / key)

    def keep_only(self, keys: set[str]) -> None:
        """Remove every entry but `keys` (the ones the last good build used)."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name not in keys:
                path.unlink(missing_ok=True)
