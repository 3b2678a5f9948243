"""Shared helpers: build a content tree through the real command line and parse its pages."""
from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "content"
TODAY = "2026-06-30"


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path = ROOT) -> Run:
    """Run `python build.py ARGS` as an editor would; return exit code and output."""
    proc = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def build(content: Path, out: Path, *extra: str) -> Run:
    return run_cli("build", "--content", str(content), "--out", str(out), "--today", TODAY, *extra)


def page(site: Path, path: str) -> BeautifulSoup:
    file = site / (path.lstrip("/") + "index.html" if path.endswith("/") else path.lstrip("/"))
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def copy_sample(dest: Path) -> Path:
    shutil.copytree(SAMPLE, dest)
    return dest


def built_site(tmp_path_factory, content: Path, name: str) -> Path:
    """`content` built into a new temporary folder; the build must succeed."""
    out = tmp_path_factory.mktemp(name) / "site"
    result = build(content, out)
    assert result.code == 0, result.err
    return out


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample content built once for the whole session."""
    return built_site(tmp_path_factory, SAMPLE, "sample")
