#!/usr/bin/env bash
# Checks the example cooperative on a fresh machine: creates .venv, installs the publisher,
# then runs it on this repository. Arguments are passed to the publisher command.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
exec .venv/bin/publisher check "$@"
