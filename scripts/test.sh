#!/usr/bin/env bash
# Runs the test suite on a fresh machine: creates .venv, installs the publisher with its test
# extra, then runs pytest. Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
exec .venv/bin/python -m pytest "$@"
