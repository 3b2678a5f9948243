"""Command-line builds that start from the last build, as the preview server does (devbuild.py):
after an edit, only the pages that show what changed are rendered, and only files whose bytes
changed are written, each replaced whole in the published folder.

After a build that read the whole content, the builder's state (the last good model and views,
what each page spec wrote, the digest of every output) is pickled in the build cache. A build
that changed bodies only saves those edits beside it (a small file), not the whole state again.

A build starts from that state only when the output folder is exactly as the last build left it
(its file stamps are compared); anything else, or a build stopped half-way (which changes the
output's stamps), gives a full build into a staging folder."""
from __future__ import annotations

import gc
import os
import pickle
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from . import urls
from .cache import ExportCache, FileCache, LastBuild, cache_folder, engine_version
from .diagnostics import ContentError
from .pipeline import Summary, Timer, build as full_pipeline_build, build_inputs, collector_paused, full_build
from .pipeline import input_stamps, summarise, unchanged_summary
from .views import Settings

if TYPE_CHECKING:  # the preview's builder (and Jinja with it) is loaded only by builds that render
    from .devbuild import DevBuilder, Outcome
    from .model import Model

STATE = "state.pickle"  # the builder after the last full read of the content
EDITS = "edits.pickle"  # body edits since then


def build(content_dir: Path, out_dir: Path, template_dir: Path, settings: Settings,
          use_cache: bool = True, on_stage=None) -> Summary:
    """Build the site: skipped when nothing changed, in place from the last build's state when it
    can be, else in full. `on_stage(name)` is told as each stage ends."""
    if not use_cache:
        return full_pipeline_build(content_dir, out_dir, template_dir, settings, False, on_stage)
    return _build(content_dir, out_dir, template_dir, settings, on_stage)[0]


def _build(content_dir: Path, out_dir: Path, template_dir: Path, settings: Settings,
           on_stage=None, keep: bool = False) -> tuple[Summary, DevBuilder | None]:
    """`build` with the cache, and the builder it ended with. When nothing had changed: with
    `keep`, the builder the last build saved (None if it saved none), else None.

    Without `keep` (a command-line build, whose process ends with it), a state saved whole after
    an incremental build is written by a child process left behind (`_save_behind`)."""
    timer = Timer(on_stage)
    found = _last_build(content_dir, out_dir, template_dir, settings,
                        prepare=lambda builder, folder, stamps: _prepare(builder, folder, timer, stamps))
    folder, last, stamps, inputs, key = found.folder, found.last, found.stamps, found.inputs, found.key
    if found.unchanged:
        return unchanged_summary(found.previous, out_dir, timer), _restore_built(found) if keep else None
    from .devbuild import DevBuilder

    builder = found.builder
    changed, whole = None, None
    build_id = os.urandom(8).hex()
    if builder is not None:
        timer.mark("đọc trạng thái")  # (after a rebuild prepared meanwhile: the wait for the output's comparison)
        builder.build_id = build_id
        prepared = found.prepared or _prepare(builder, folder, timer, stamps)
        summary, changed, whole = _finish(builder, prepared, folder, key, timer, behind=not keep)
    else:
        last.forget()
        (folder / EDITS).unlink(missing_ok=True)
        (folder / STATE).unlink(missing_ok=True)
        builder = DevBuilder(content_dir, out_dir, template_dir, settings)
        builder.build_id = build_id
        sources = builder.sources(stamps=stamps)  # before anything was read: a file saved meanwhile is seen next time
        templates = builder.template_digests()  # so too the templates' bytes
        savers: list[Callable[[], bool]] = []

        def save_state(model, views, history, rendered, copies, read) -> None:
            """Save the state while the search index is made (it needs nothing the index adds)."""
            builder.adopt(model, views, history, rendered, copies, sources, templates, read)
            savers.append(_save_aside(folder / STATE, (key, builder)))

        built = False
        try:
            made = full_build(content_dir, out_dir, template_dir, settings, True, timer, digests=True,
                              on_rendered=save_state)
            built = True
        finally:  # the save is waited for whatever happened; no state of a failed build or save is kept
            if not (all([wait() for wait in savers]) and built):
                (folder / STATE).unlink(missing_ok=True)
        timer.mark("lưu trạng thái")
        summary = made.summary
        summary.seconds = sum(timer.stages.values())
    last.record(inputs, out_dir, summary, changed, build_id)
    if whole is not None:
        whole()  # the state, saved once the site and its record are written
    return summary, builder


@dataclass
class _Found:
    """The last build, as a new build finds it (`_last_build`)."""
    folder: Path  # the build cache
    last: LastBuild
    stamps: tuple[dict, dict]  # `input_stamps`, taken now
    inputs: str  # `build_inputs`, now
    key: tuple  # what a saved state must be for (`_key`)
    previous: Any  # the last build's summary
    unchanged: bool  # nothing it read changed, and its output is intact
    builder: DevBuilder | None  # when the inputs changed: its saved state, if that describes the output
    prepared: _Prepared | None = None  # the builder's rebuild, made while the output was compared


def _last_build(content_dir: Path, out_dir: Path, template_dir: Path, settings: Settings,
                prepare: Callable[[DevBuilder, Path, tuple[dict, dict]], _Prepared] | None = None) -> _Found:
    """What the last build read and left: when the inputs changed, its saved state is read while
    the output folder's stamps are compared with its record (by a forked child).

    `prepare(builder, cache folder, stamps)`, if given, is run on the state meanwhile (it writes
    nothing): what it prepared is kept when that state turns out to describe the output."""
    folder = cache_folder(out_dir)
    wait_for_state(folder)  # (the last build's, if a child it left is still writing it)
    last = LastBuild(folder / "last.pickle")
    stamps = input_stamps(content_dir, template_dir)
    inputs = build_inputs(content_dir, template_dir, settings, stamps)
    key = _key(content_dir, out_dir, template_dir, settings)
    restored: list[DevBuilder | None] = []
    prepared: list[_Prepared] = []

    def meanwhile() -> None:
        builder = _restore_quietly(folder, key)
        restored.append(builder)
        if prepare is not None and builder is not None and builder.build_id == last.build:
            prepared.append(prepare(builder, folder, stamps))

    previous_inputs, previous, intact = last.read(out_dir, inputs, meanwhile=meanwhile)
    found = _Found(folder, last, stamps, inputs, key, previous, intact and previous_inputs == inputs, None)
    # The state is used only when the output is intact; else the output changed, or there was no
    # last build. A state saved by another build than the one recorded (a save stopped half-way,
    # edits lost) does not describe the output.
    builder = restored[0] if restored and restored[0] is not None and restored[0].build_id == last.build else None
    if prepared and (not intact or found.unchanged):
        prepared[0].discard()  # made from a state that does not describe the output
        prepared.clear()
        if builder is not None:  # what it changed in the builder is not wanted either
            builder = _restore_quietly(folder, key)
            builder = builder if builder is not None and builder.build_id == last.build else None
    if builder is not None and not intact:  # the same bytes with other times (a CI cache restored) will do
        intact = last.confirm(out_dir, lambda rels: _holds(builder, out_dir, folder, rels))
    found.builder = builder if intact and not found.unchanged else None
    found.prepared = prepared[0] if prepared and found.builder is not None else None
    return found


def _restore_built(found: _Found) -> DevBuilder | None:
    """The state the last build saved, when nothing changed since: None if it saved none, or
    another build did (see `_last_build`)."""
    kept = _restore(found.folder, found.key)
    return kept if kept is not None and kept.build_id == found.last.build else None


@dataclass
class PendingSite:
    """The site a build would publish now: the last build's output folder, with the files that
    build would write (bytes) or remove (None) held in `pending`."""
    out: Path
    pending: dict[str, bytes | None]
    names: set[str]  # every file of that site but the search index's
    pages: list[str]  # its rendered pages (not the HTML files copied from the templates' assets)
    model: Model

    def read(self, rel: str) -> bytes:
        data = self.pending.get(rel)
        return data if data is not None else (self.out / rel).read_bytes()


def pending_site(content_dir: Path, out_dir: Path, template_dir: Path, settings: Settings) -> PendingSite | None:
    """What a build would publish now, worked out from the last build's saved state without
    writing anything (for `check`): only what changed since is rendered. None when there is no
    usable state (no last build, or an output folder that changed since) or a template changed;
    raises ContentError."""
    found = _last_build(content_dir, out_dir, template_dir, settings)
    builder = _restore_built(found) if found.unchanged else found.builder
    if builder is None or builder.templates_changed():
        return None  # after a template change most pages change: rendered where they are scanned
    builder.dry = True
    builder.output_checked = True  # (`_last_build` found it as recorded)
    builder.hold_writes()
    if not found.unchanged:
        builder.cache = FileCache(found.folder / "front.pickle")
        with collector_paused():
            outcome = builder.rebuild(stamps=found.stamps)
        if not outcome.ok:
            raise ContentError(outcome.errors)
    pages = {urls.output_file(path) for paths in builder.spec_paths.values() for path in paths}
    return PendingSite(out_dir, builder.pending or {}, set(builder.digests),
                       sorted(rel for rel in pages if rel.endswith(".html")), builder.model)


def preview_builder(content_dir: Path, out_dir: Path, template_dir: Path, settings: Settings) -> tuple[DevBuilder, Outcome]:
    """The preview server's builder and the outcome of its first build: an ordinary build
    (skipped or incremental when it can be), then the builder restored from the state it saved."""
    from .devbuild import DevBuilder, Outcome

    start = time.perf_counter()
    try:
        summary, builder = _build(content_dir, out_dir, template_dir, settings, keep=True)
    except ContentError as error:  # served: the last good site, with the errors shown over it
        builder = DevBuilder(content_dir, out_dir, template_dir, settings)
        builder.errors = error.diagnostics
        return builder, Outcome(False, errors=error.diagnostics, ms=(time.perf_counter() - start) * 1000)
    folder = cache_folder(out_dir)
    if builder is None:  # nothing had changed but no state was saved: build in full as the server does
        builder = DevBuilder(content_dir, out_dir, template_dir, settings)
        return builder, builder.initial()
    builder.cache = FileCache(folder / "front.pickle")  # read by the first rebuild that needs it
    pages = 0 if summary.unchanged else summary.pages if summary.rendered is None else summary.rendered
    return builder, Outcome(True, ms=(time.perf_counter() - start) * 1000, pages=pages)


def _holds(builder: DevBuilder, out_dir: Path, folder: Path, rels: list[str]) -> bool:
    """Whether the output files `rels` hold what the last build wrote (`LastBuild.confirm`)."""
    from . import search

    bundle = [rel for rel in rels if rel.startswith(f"{search.BUNDLE}/")]
    # The search bundle is checked in a thread beside the other files: reading, digesting and
    # decompressing leave the interpreter free, so the two take about the time of the longer.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bundle-check") as pool:
        whole = pool.submit(search.bundle_whole, out_dir, folder / "search.json") if bundle else None
        held = builder.holds_output([rel for rel in rels if not rel.startswith(f"{search.BUNDLE}/")])
        return held and (whole is None or whole.result())


def _key(content_dir: Path, out_dir: Path, template_dir: Path, settings: Settings) -> tuple:
    """What a saved state is valid for: the engine, the folders and the settings."""
    return (engine_version(), str(content_dir.resolve()), str(out_dir.resolve()), str(template_dir.resolve()),
            settings)


def _restore(folder: Path, key: tuple) -> DevBuilder | None:
    """The last build's builder (with the body edits made since its state was saved), or None."""
    from .devbuild import DevBuilder

    saved = _load(folder / STATE)
    if not isinstance(saved, tuple) or len(saved) != 2 or saved[0] != key or not isinstance(saved[1], DevBuilder):
        return None
    builder = saved[1]
    edits = _load(folder / EDITS)
    if edits is not None:
        if not isinstance(edits, tuple) or edits[0] != key:
            return None
        builder.apply_edits(edits[1])
    return builder


def _restore_quietly(folder: Path, key: tuple) -> DevBuilder | None:
    """`_restore`, with anything unreadable taken as no state (a full build)."""
    try:
        return _restore(folder, key)
    except Exception:
        return None


@dataclass
class _Prepared:
    """A rebuild made and indexed, nothing written yet (`_prepare`); or the error it stopped at."""
    outcome: Outcome | None = None
    update: Any = None  # search.Update, or None when no indexed page changed
    error: Exception | None = None

    def discard(self) -> None:
        if self.update is not None:
            self.update.discard()


def _prepare(builder: DevBuilder, folder: Path, timer: Timer, stamps: tuple[dict, dict]) -> _Prepared:
    """Work out what changed since the last build, render it and index it, writing nothing in the
    published folder (the builder holds its writes). `stamps`: `input_stamps` as this build took
    them. An error is kept, to be raised once the state is known to describe the output."""
    from . import search  # loaded only by builds that index

    timer.mark("đọc trạng thái")
    prepared = _Prepared()
    try:
        builder.cache = FileCache(folder / "front.pickle")  # a full rebuild reads unchanged files from it
        builder.output_checked = True  # (what is prepared is used only if the output is as recorded)
        builder.hold_writes()
        exports = ExportCache(folder / "exports")
        builder.data_beside_pages = exports  # (made while the workers render)
        try:
            with collector_paused():
                prepared.outcome = outcome = builder.rebuild(stamps=stamps)
        finally:
            builder.data_beside_pages = None
        if not outcome.ok:
            raise ContentError(outcome.errors)
        builder.refresh_data(exports)  # (what a rebuild that rendered nothing left due)
        timer.mark("dựng trang")
        changed = {rel: data for rel, data in (builder.pending or {}).items() if search.may_index(rel)}
        if changed:
            prepared.update = search.update(builder.out, changed, folder / "search.json")
            timer.mark("tìm kiếm")
    except Exception as error:
        prepared.error = error
    return prepared


def _finish(builder: DevBuilder, prepared: _Prepared, folder: Path, key: tuple, timer: Timer,
            behind: bool = False) -> tuple[Summary, list[str], Callable[[], None] | None]:
    """Apply a prepared rebuild to the published folder (or raise the error it stopped at:
    ContentError when the content has problems). Nothing was written before every file, the
    search index included, had been made. Returns the summary, the paths written or removed
    (folders end in "/"), and, with `behind`, the saving of a whole state left to be started (by
    `_save_behind`, once the build's record is written), else None."""
    if prepared.error is not None:
        prepared.discard()
        raise prepared.error
    outcome, update = prepared.outcome, prepared.update
    pending = builder.pending or {}
    touched = sorted(pending)
    try:
        builder.flush()
        builder.output_checked = False  # (a preview server goes on with this builder: it checks again)
        if update is not None:
            touched += update.apply()
    finally:
        if update is not None:
            update.discard()
    timer.mark("ghi")
    whole = None
    if outcome.full:
        (folder / EDITS).unlink(missing_ok=True)
        if behind:
            whole = partial(_save_behind, folder / STATE, (key, builder))
        else:
            _save(folder / STATE, (key, builder))
    else:
        _save(folder / EDITS, (key, builder.edits_state()))
    timer.mark("lưu trạng thái")
    summary = summarise(builder.model, builder.spec_paths, timer)
    summary.rendered, summary.written = outcome.pages, len(pending)
    return summary, touched, whole


def _load(path: Path):
    """The pickled value at `path`, left out of the cyclic collector's passes: it lives as long as
    the build (or the preview), and a pass over the millions of objects of a large site's state
    takes seconds. (Frozen objects are still freed when no longer referenced.)"""
    try:
        with path.open("rb") as handle, collector_paused():
            value = pickle.load(handle)
            gc.freeze()
            return value
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError, ImportError,
            IndexError, KeyError):
        return None  # a missing or damaged state only means a full build


def _save(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        with temp.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


LOCK = "state.lock"  # held by a child writing the state (`_save_behind`)


def _save_behind(path: Path, value) -> None:
    """`_save` in a child process that this one does not wait for: a command-line build after an
    edit has written its site by then, and its process ends (the state of a large site takes
    about half a second to pickle). The child holds `LOCK` until the state is in place, and every
    build waits for it first (`wait_for_state`). Should the child fail, the state left is an
    older build's, which the next build does not use (a full build). When no child can be
    started, the state is saved here.

    The child is the grandchild of this process, whose own child ends at once: a long-lived caller
    (a test run) is left no process to wait for."""
    if not _forked_save(path, value):
        _save(path, value)


def _forked_save(path: Path, value) -> bool:
    """`_save_behind`'s child started; False when none could be (no fork, no lock)."""
    if not hasattr(os, "fork"):
        return False
    try:
        import fcntl

        lock = os.open(path.parent / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except (ImportError, OSError):
        return False
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # (inherited: the lock is the open file's, held while any process holds it)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        child = os.fork()
        if child == 0:
            _saving_child(path, value)  # never returns
        os.waitpid(child, 0)
        return True
    except OSError:
        return False
    finally:
        os.close(lock)


def _saving_child(path: Path, value) -> None:
    """In the child `_save_behind` forks: fork the saver and end."""
    try:
        if os.fork() != 0:
            os._exit(0)
        os.setsid()  # not stopped with the terminal's process group once the build has ended
        gc.disable()  # (the child ends when the state is saved: nothing to collect)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # a caller reading the build's output sees it end with the build
            os.dup2(null, fd)
        _save(path, value)
        os._exit(0)
    except BaseException:
        os._exit(1)


def wait_for_state(folder: Path) -> None:
    """Wait until no child is writing the state in the build cache `folder` (`_save_behind`):
    every build does first, and so must anything else that reads the state."""
    try:
        import fcntl

        lock = os.open(folder / LOCK, os.O_RDWR)
    except (ImportError, OSError):
        return  # no lock file: no child was ever started there
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
    except OSError:
        pass
    finally:
        os.close(lock)


def _save_aside(path: Path, value) -> Callable[[], bool]:
    """Start `_save` in a thread, so that the build goes on meanwhile (pickling a large site's state
    takes seconds, while the search index is made in other processes); returns a function
    that waits for it and tells whether the state was saved.

    A thread, not a forked child: pickling reads every object of the state, and a child copies
    each memory page it reads (reference counts are writes), a second copy of most of the build's
    memory."""
    saved: list[bool] = []

    def save() -> None:
        try:
            _save(path, value)
            saved.append(True)
        except BaseException:  # reported as not saved: the next build reads everything again
            saved.append(False)

    thread = threading.Thread(target=save, name="save-state", daemon=True)
    thread.start()

    def wait() -> bool:
        thread.join()
        return saved == [True]

    return wait
