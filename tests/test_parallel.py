"""Forked workers (sitegen/parallel.py): fresh ones per chunk, long-lived ones reused."""
from __future__ import annotations

import gc
import os
import time

from sitegen.parallel import Forked


def _where(shared, chunk):
    return os.getpid(), gc.get_freeze_count() > 0, shared, chunk


def test_fresh_workers_take_one_chunk_each_and_inherit_a_frozen_collector():
    gc.unfreeze()  # as in a build that loaded no saved state (tests run in one process)
    before = gc.get_freeze_count()
    out = Forked(_where, "chung", [[1], [2], [3], [4], [5]], 2, fresh=True).start().results()
    assert [chunk for *_, chunk in out] == [[1], [2], [3], [4], [5]]
    assert len({pid for pid, *_ in out}) == 5 and os.getpid() not in {pid for pid, *_ in out}
    assert all(frozen and shared == "chung" for _, frozen, shared, _ in out)
    assert gc.get_freeze_count() == before  # the parent's collector is given back


def test_what_was_frozen_before_stays_frozen():
    """A state loaded by an incremental build is frozen (incremental._load); a pool leaves it so."""
    gc.unfreeze()
    gc.freeze()
    before = gc.get_freeze_count()
    out = Forked(_where, None, [[1], [2], [3]], 2, fresh=True).start().results()
    assert all(frozen for _, frozen, _, _ in out)
    assert before > 0 and gc.get_freeze_count() > 0  # not thawed (frozen objects may still be freed)
    gc.unfreeze()


def test_long_lived_workers_take_several_chunks():
    out = Forked(_where, None, [[i] for i in range(8)], 2).start().results()
    assert [chunk for *_, chunk in out] == [[i] for i in range(8)]
    assert len({pid for pid, *_ in out}) <= 2


def test_one_process_runs_in_this_one():
    out = Forked(_where, None, [[1], [2]], 1, fresh=True).start().results()
    assert {pid for pid, *_ in out} == {os.getpid()}


def _timed(shared, chunk):
    start = time.monotonic()
    time.sleep(0.15)
    return chunk, start, time.monotonic()


def test_solo_chunks_run_one_after_another_beside_the_others():
    chunks = [["a"], ["b"], ["c"]] + [[i] for i in range(6)]
    out = Forked(_timed, None, chunks, 2, fresh=True, solo=3).start().results()
    assert [chunk for chunk, *_ in out] == chunks  # in order, whatever order they ran in
    solos = sorted((start, end) for chunk, start, end in out[:3])
    assert all(end <= following for (_, end), (following, _) in zip(solos, solos[1:]))
    others = [(start, end) for _, start, end in out[3:]]
    # while the solo chunks ran, the other worker took the other chunks
    assert any(start < solos[-1][0] for start, _ in others)
