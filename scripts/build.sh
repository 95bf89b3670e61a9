#!/usr/bin/env bash
# Builds the example cooperative's site on a fresh machine: creates .venv, installs the
# publisher, checks the books and writes the site to site/. Arguments go to `publisher build`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
exec .venv/bin/publisher build . "$@"
