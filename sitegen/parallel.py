"""Spread independent work over all cores with forked worker processes.

Workers inherit the parent's memory (the linked model, templates) through fork,
so only the small work descriptors and the results cross process boundaries.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import queue
from typing import Any, Callable, Iterator, Sequence

# What forked workers inherit. Set by `map_forked` in the parent right before the
# pool forks and cleared afterwards; never read outside a worker.
_inherited: Any = None


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def chunked(items: Sequence, parts: int) -> list[list]:
    """Split items into about `parts` interleaved chunks of similar cost."""
    parts = max(1, min(parts, len(items)))
    return [list(items[i::parts]) for i in range(parts)]


def chunked_groups(groups: Sequence[list], parts: int) -> list[list]:
    """Split groups of items into about `parts` interleaved chunks, each group whole in one chunk
    (items that share work: a worker does it once for the group)."""
    return [[item for group in chunk for item in group] for chunk in chunked(groups, parts)]


def _call(chunk):
    func, shared = _inherited
    return func(shared, chunk)


class Forked:
    """Runs func(shared, chunk) for each chunk, in forked workers when that pays off.

    With `fresh` each chunk gets a newly forked worker, which exits when the chunk is done: a worker
    copies every inherited memory page it touches (reference counts are writes), so a long-lived
    one ends up holding a private copy of most of the parent. A fresh worker copies only what its
    chunk needs, and gives it back when it exits.

    The first `solo` chunks never run at the same time as one another: each reads most of the
    parent's memory, so two at once would each hold a copy of it. They run one after another,
    beside the other chunks."""

    def __init__(self, func: Callable, shared: Any, chunks: list, processes: int, fresh: bool = False,
                 solo: int = 0):
        self.func, self.shared, self.chunks = func, shared, chunks
        self.processes = processes
        self.fresh = fresh
        self.solo = solo
        self._pool = None
        self._async = None
        self._holding = False  # this pool set `_inherited` and froze the collector
        self._thaw = False  # nothing was frozen before: the pool gives the collector back as it was

    def start(self) -> "Forked":
        global _inherited
        usable = "fork" in multiprocessing.get_all_start_methods()
        if self.processes > 1 and len(self.chunks) > 1 and usable:
            _inherited = (self.func, self.shared)  # inherited, never pickled: only chunks cross
            self._holding = True
            self._thaw = gc.get_freeze_count() == 0  # else what was frozen (a loaded state) stays so
            # Objects made so far are left out of the workers' garbage collections: a collection
            # writes to every object it visits, which would copy the inherited pages one by one.
            # Workers forked later (fresh ones) need both until the pool is done.
            gc.freeze()
            try:
                self._pool = multiprocessing.get_context("fork").Pool(
                    self.processes, maxtasksperchild=1 if self.fresh else None)
            except BaseException:
                self._release()
                raise
            if not self.fresh:
                self._release()
            self._async = self._scheduled() if self.solo > 1 else self._pool.imap(_call, self.chunks, chunksize=1)
        return self

    def _scheduled(self) -> Iterator:
        """The chunks' results in order, the solo chunks sent to the workers one at a time: each
        worker gets the next solo chunk if none is running, else the next other chunk."""
        done: queue.SimpleQueue = queue.SimpleQueue()
        solo, others = list(range(self.solo)), list(range(self.solo, len(self.chunks)))
        results: dict[int, Any] = {}
        running, solo_running, ready = 0, False, 0

        def send(index: int) -> None:
            self._pool.apply_async(_call, (self.chunks[index],),
                                   callback=lambda value: done.put((index, True, value)),
                                   error_callback=lambda error: done.put((index, False, error)))

        while ready < len(self.chunks):
            while running < self.processes and (others or (solo and not solo_running)):
                if solo and not solo_running:
                    index, solo_running = solo.pop(0), True
                else:
                    index = others.pop(0)
                send(index)
                running += 1
            index, ok, value = done.get()
            if not ok:
                raise value
            running -= 1
            solo_running = solo_running and index >= self.solo
            results[index] = value
            while ready in results:
                yield results.pop(ready)
                ready += 1

    def _release(self) -> None:
        global _inherited
        if self._holding:
            self._holding = False
            _inherited = None
            if self._thaw:
                gc.unfreeze()

    def each(self):
        """The chunks' results in order, each as soon as it and those before it are done (the
        caller's work on one overlaps the workers' on the next)."""
        if self._pool is None:
            yield from (self.func(self.shared, c) for c in self.chunks)
            return
        try:
            yield from self._async
        finally:
            self._pool.close()
            self._pool.join()
            self._release()

    def results(self) -> list:
        if self._pool is None:
            return [self.func(self.shared, c) for c in self.chunks]
        return list(self.each())
