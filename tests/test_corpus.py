"""The benchmark corpus: deterministic, and a valid content tree the build accepts."""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from conftest import ROOT, build

sys.path.insert(0, str(ROOT))
from benchmarks.corpus import generate  # noqa: E402


def _digest(tree: Path) -> dict[str, str]:
    return {p.relative_to(tree).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(tree.rglob("*")) if p.is_file()}


def test_same_size_and_seed_give_byte_identical_trees_that_build(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    counts = generate(60, first, seed=3)
    generate(60, second, seed=3)
    assert _digest(first) == _digest(second)
    assert counts["documents"] == 60
    assert len(list((first / "resolutions").glob("*.md"))) + len(list((first / "programmes").glob("*.md"))) == 60
    assert list((first / "posts").glob("*.md")) and list((first / "results").glob("*.yaml"))

    result = build(first, tmp_path / "site")
    assert result.code == 0, result.err
    assert (tmp_path / "site" / "index.html").is_file()


def test_another_seed_gives_another_corpus(tmp_path):
    generate(30, tmp_path / "a", seed=0)
    generate(30, tmp_path / "b", seed=1)
    assert _digest(tmp_path / "a") != _digest(tmp_path / "b")
