#!/usr/bin/env python3
"""Command-line entry point: `python build.py [build|check] [--content DIR] [--out DIR]`."""
import os
import sys
from pathlib import Path

from sitegen.cli import main

if __name__ == "__main__":
    code = main(sys.argv[1:], Path(__file__).resolve().parent)
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is written and every worker ended: the interpreter's teardown, which frees a large
    # site's objects one by one (tens of milliseconds), is skipped.
    os._exit(code)
