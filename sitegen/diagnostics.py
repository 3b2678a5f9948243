"""Problems found in content, reported to editors as `path:line: message`."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """Raised when content is invalid; carries every diagnostic at once."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = sorted(set(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class Collector:
    """Accumulates diagnostics across a stage."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, path: str, line: int, message: str) -> None:
        self.items.append(Diagnostic(path, max(int(line), 1), message))

    def extend(self, items: Iterable[Diagnostic]) -> None:
        self.items.extend(items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ContentError(self.items)


def suggest(name: str, choices: Iterable[str]) -> str:
    """Return ' — có phải "x"?' for the closest valid name, or ''."""
    match = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f' — có phải "{match[0]}"?' if match else ""
