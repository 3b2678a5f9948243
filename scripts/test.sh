#!/usr/bin/env bash
# Install everything the test suite needs, then run it. Used by the README and by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi
if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  npm install --prefix tests/browser --no-audit --no-fund --silent
fi
exec python3 -m pytest -q "$@"
