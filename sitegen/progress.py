"""A progress bar on the terminal for builds that take more than a moment; silent otherwise."""
from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

DELAY = 2.0  # seconds before anything is shown: quick builds print only their summary
WIDTH = 24


class Progress:
    """Shows `[#####-----] stage (12 s)` on one line, redrawn in place, while a build runs."""

    def __init__(self, stages: tuple[str, ...], stream: TextIO = sys.stderr):
        self.stages, self.stream = stages, stream
        self.done = 0
        self.enabled = stream.isatty()
        self._start = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._shown = False

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self.enabled:
            self._thread.join()
            if self._shown:
                self.stream.write("\r\033[K")
                self.stream.flush()

    def stage_done(self, name: str) -> None:
        if name in self.stages:
            self.done = max(self.done, self.stages.index(name) + 1)

    def line(self) -> str:
        current = self.stages[min(self.done, len(self.stages) - 1)]
        filled = WIDTH * self.done // len(self.stages)
        elapsed = time.monotonic() - self._start
        return f"[{'#' * filled}{'-' * (WIDTH - filled)}] {current}… ({elapsed:.0f} giây)"

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            if time.monotonic() - self._start >= DELAY:
                self._shown = True
                self.stream.write("\r\033[K" + self.line())
                self.stream.flush()
