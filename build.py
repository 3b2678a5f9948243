#!/usr/bin/env python3
"""Command-line entry point: `python build.py [build|check] [--content DIR] [--out DIR]`."""
import sys
from pathlib import Path

from sitegen.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], Path(__file__).resolve().parent))
