"""The per-file cache and the file stamps the skip check compares."""
from __future__ import annotations

import os
import pickle

import pytest

from sitegen.cache import FileCache, LastBuild, tree_stamps


def test_file_cache_keeps_used_entries_and_rewrites_only_when_they_change(tmp_path):
    path = tmp_path / "front.pickle"
    first = FileCache(path)
    first.put("a", {"value": 1})
    first.put("b", [2], pickle.dumps([2]))  # already pickled by the worker that made it
    first.save()

    second = FileCache(path)
    assert second.get("a") == {"value": 1} and second.get("b") == [2] and second.hits == 2
    stamp = path.stat().st_mtime_ns
    os.utime(path, ns=(stamp - 10**9, stamp - 10**9))
    second.save()  # the same entries as read: the file is not written again
    assert path.stat().st_mtime_ns == stamp - 10**9

    third = FileCache(path)
    assert third.get("a") == {"value": 1}
    third.put("c", "new")
    third.save()  # "b" was not used: dropped
    fourth = FileCache(path)
    assert fourth.get("b") is None and fourth.get("c") == "new" and fourth.get("a") == {"value": 1}


def test_a_damaged_cache_is_only_a_miss(tmp_path):
    path = tmp_path / "front.pickle"
    path.write_bytes(b"not a pickle")
    assert FileCache(path).get("a") is None
    cache = FileCache(path)
    cache.put("a", 1)
    cache.save()
    version, entries = pickle.loads(path.read_bytes())
    entries["a"] = b"damaged"
    path.write_bytes(pickle.dumps((version, entries)))
    assert FileCache(path).get("a") is None


def test_the_cache_file_is_read_only_when_an_entry_is_asked_for(tmp_path):
    """A rebuild after a body edit asks for no entry: it must not read the whole file (1.2 GB at
    100,000 documents)."""
    path = tmp_path / "front.pickle"
    first = FileCache(path)
    first.put("a", "old")
    first.save()
    cache = FileCache(path)  # opened, not read yet
    second = FileCache(path)
    second.put("a", "new")
    second.save()  # written after `cache` was opened: what `cache` reads on first use
    assert cache.get("a") == "new"
    untouched = FileCache(tmp_path / "missing.pickle")
    assert untouched.get("a") is None and untouched.hits == 0


def test_carried_entries_are_the_same_objects(tmp_path):
    cache = FileCache(None)
    value = {"parsed": True}
    cache.put("a", value)
    assert cache.carry().get("a") is value


def test_tree_stamps_lists_files_below_a_folder_in_name_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.md").write_text("z")
    (tmp_path / "a.md").write_text("aa")
    (tmp_path / "link").symlink_to(tmp_path / "b")  # a linked folder is not entered
    (tmp_path / "broken").symlink_to(tmp_path / "missing")
    stamps = tree_stamps(tmp_path)
    assert list(stamps) == ["a.md", "b/z.md"]
    assert stamps["a.md"][1] == 2
    assert tree_stamps(tmp_path / "missing") == {}


def test_a_first_read_stores_each_file_under_the_key_the_next_read_looks_up(tmp_path):
    """With nothing cached, the workers work out each file's key beside its result; a later build
    must find every entry under the key it works out itself, and get the same results."""
    import sys

    from conftest import ROOT

    from sitegen.load import list_sources
    from sitegen.pipeline import read_all

    sys.path.insert(0, str(ROOT))
    from benchmarks.corpus import generate

    content = tmp_path / "content"
    generate(220, content, seed=3)
    sources, _ = list_sources(content)
    assert len(sources) >= 200  # enough for the work to be spread over worker processes
    path = tmp_path / "front.pickle"
    first = FileCache(path)
    assert first.empty
    made = read_all(sources, 2026, first)
    first.save()
    second = FileCache(path)
    assert not second.empty
    again = read_all(sources, 2026, second)
    assert second.hits == sum(1 for s in sources if s.readable) and again == made


@pytest.mark.parametrize("fork", [True, False])
def test_the_output_is_compared_while_the_caller_reads_its_state(tmp_path, monkeypatch, fork):
    if not fork:  # where there is no fork: a thread compares
        monkeypatch.delattr(os, "fork")
    out = tmp_path / "site"
    (out / "a").mkdir(parents=True)
    (out / "a" / "index.html").write_text("<p>a</p>")
    last = LastBuild(tmp_path / "last.pickle")
    last.record("inputs-1", out, "summary")
    ran = []
    assert last.read(out, "inputs-2", meanwhile=lambda: ran.append(os.getpid())) == ("inputs-1", "summary", True)
    assert ran == [os.getpid()]  # the caller's work runs in this process
    last.record("inputs-2", out, "summary", changed=[])  # what read found is what is recorded
    assert LastBuild(tmp_path / "last.pickle").read(out, "inputs-2") == ("inputs-2", "summary", True)
    (out / "a" / "index.html").write_text("<p>changed</p>")
    assert last.read(out, "inputs-3", meanwhile=lambda: None)[2] is False
    (out / "a" / "index.html").unlink()
    assert last.read(out, "inputs-3", meanwhile=lambda: None)[2] is False


@pytest.mark.parametrize("stop", [RuntimeError, KeyboardInterrupt])
def test_work_that_fails_beside_the_comparison_leaves_no_child_behind(tmp_path, monkeypatch, stop):
    out = tmp_path / "site"
    out.mkdir()
    last = LastBuild(tmp_path / "last.pickle")
    last.record("inputs-1", out, "summary")
    forked = []
    fork = os.fork

    def recorded_fork():
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", recorded_fork)

    def fail():
        raise stop("stop")

    with pytest.raises(stop):
        last.read(out, "inputs-2", meanwhile=fail)
    assert len(forked) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forked[0], os.WNOHANG)  # stopped and waited for: no such child any more


@pytest.mark.parametrize("fork", [True, False])
def test_an_unchanged_build_compares_each_half_of_the_output(tmp_path, monkeypatch, fork):
    """With the same inputs, a forked child compares about half the output's entries and this
    process the rest: a change anywhere is seen."""
    if not fork:
        monkeypatch.delattr(os, "fork")
    out = tmp_path / "site"
    files = [out / name / "x" / "index.html" for name in "abcd"] + [out / "index.html"]
    for file in files:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(file.parent.name)
    last = LastBuild(tmp_path / "last.pickle")
    for file in files:
        last.record("inputs", out, "summary")
        assert last.read(out, "inputs") == ("inputs", "summary", True)
        file.write_text(file.read_text() + "!")
        assert last.read(out, "inputs")[2] is False, file
    last.record("inputs", out, "summary")
    (out / "new.html").write_text("new")
    assert last.read(out, "inputs")[2] is False
    last.record("inputs", out, "summary")
    (out / "a" / "x" / "index.html").unlink()
    assert last.read(out, "inputs")[2] is False


def test_the_engine_version_names_the_installed_parsing_libraries():
    from importlib import metadata

    from sitegen import cache

    found = cache._installed_versions()
    assert {name: found.get(cache._project_key(name)) for name in cache._PACKAGES} == \
        {name: metadata.version(name) for name in cache._PACKAGES}
