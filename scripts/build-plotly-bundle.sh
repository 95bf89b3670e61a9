#!/usr/bin/env bash
# Builds the partial plotly.js bundle the published site loads (only the trace types its charts
# use) from the npm registry's plotly.js, at the exact versions of
# scripts/plotly-bundle/package-lock.json, into OUT_DIR (default: publisher/site/assets, where
# the package ships it). The same inputs give the same bytes.
#
#     bash scripts/build-plotly-bundle.sh [OUT_DIR]
#
# The packages are installed into .venv/plotly-bundle/ (or $PLOTLY_BUNDLE_WORK) and kept
# there while the lockfile is unchanged. Install scripts are not run: esbuild's platform
# binary comes as a package of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
source_dir=scripts/plotly-bundle
out_dir="${1:-publisher/site/assets}"
work_dir="${PLOTLY_BUNDLE_WORK:-.venv/plotly-bundle}"
mkdir -p "$out_dir" "$work_dir"
out_dir="$(cd "$out_dir" && pwd)"
if [ ! -d "$work_dir/node_modules" ] || ! cmp -s "$source_dir/package-lock.json" "$work_dir/package-lock.json"; then
  rm -rf "$work_dir/node_modules" "$work_dir/package-lock.json"
  cp "$source_dir/package.json" "$source_dir/package-lock.json" "$work_dir/"
  (cd "$work_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
cp "$source_dir/package.json" "$source_dir/entry.js" "$source_dir/build.mjs" "$work_dir/"
node "$work_dir/build.mjs" "$out_dir"
