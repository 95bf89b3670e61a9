#!/usr/bin/env bash
# Extracts the translatable strings of both catalogs (site, messages) into templates (.pot),
# updates every shipped language's catalog (.po) from them, and compiles the .mo files the
# publisher loads. Run it after changing a marked string, then translate what is new or fuzzy
# in publisher/locale/LANG/LC_MESSAGES/*.po and run it again; tests/test_catalogs.py fails
# while a catalog lacks a message, keeps a stale one, or its .mo is older than its .po.
# Keywords: the site's words are gettext/ngettext/pgettext (methods of site_words(), and the
# template functions), the treasurer's messages _ / _n / N_ (publisher/i18n.py).
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=.venv/bin/pybabel
[ -x "$pybabel" ] || { python3 -m venv .venv && .venv/bin/python -m pip install --quiet -e '.[test]'; }
languages="es fr de pt ar"
extract() {
  local domain=$1
  shift
  "$pybabel" -q extract --no-default-keywords --sort-by-file --omit-header \
    --no-wrap -F "publisher/locale/babel-$domain.cfg" "$@" \
    -o "publisher/locale/$domain.pot" publisher
}
extract site -k gettext -k ngettext:1,2 -k pgettext:1c,2
extract messages -k _ -k _n:1,2 -k N_
for domain in site messages; do
  for language in $languages; do
    po="publisher/locale/$language/LC_MESSAGES/$domain.po"
    if [ -f "$po" ]; then
      "$pybabel" -q update --no-wrap --ignore-obsolete -D "$domain" -l "$language" \
        -i "publisher/locale/$domain.pot" -d publisher/locale
    else
      "$pybabel" -q init --no-wrap -D "$domain" -l "$language" \
        -i "publisher/locale/$domain.pot" -d publisher/locale
    fi
  done
  # Fuzzy (guessed) translations are left out: English shows until a person confirms them.
  "$pybabel" -q compile -D "$domain" -d publisher/locale
done
