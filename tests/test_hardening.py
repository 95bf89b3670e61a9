"""Hostile or extreme input found by review: each case once, asserting what must hold."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from publisher.cooperative import check_cooperative
from publisher.federation import parse_federation
from publisher.site.build import build_site
from publisher.site.governance_pages import decision_anchor
from tests.conftest import LEDGER_HEADER, TODAY, codes_at, write_coop

CHARTER = "---\nrules:\n  spending_limit: 500\n  reinvestment: {share: 0.25, fund: commons}\n---\n# Charter\n"


def test_markup_in_a_story_category_or_an_author_is_refused(tmp_path):
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n",
            "content/index.md": "# Home\n",
            "content/stories/index.md": "# Stories\n",
            "content/stories/posts/a.md": '---\ndate: 2026-01-01\ncategories:\n  - "News </title><script>x</script>"\n---\n# A\n',
            "content/stories/.authors.yml": "authors:\n  board:\n    name: 'Board\" onerror=\"x'\n    avatar: https://example.org/a.png\n",
        },
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert {
        ("content/stories/posts/a.md", 3, "story-value-invalid"),
        ("content/stories/.authors.yml", 3, "story-value-invalid"),
        ("content/stories/.authors.yml", 4, "story-value-invalid"),
    } <= codes_at(problems)
    assert build_site(tmp_path, today=TODAY).site_dir is None  # nothing is published


def test_a_member_site_must_be_https_or_a_path():
    text = "name: F\ncurrency: EUR\ncategories:\n  dues: {kind: income}\nmembers:\n  - id: a\n    path: a\n    site: {}\n"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil.example/x"):
        config, problems = parse_federation(text.replace("{}", f'"{bad}"'))
        assert config is None and [(p.line, p.code) for p in problems] == [(8, "federation-value-invalid")], bad
    for good in ("https://coop.example.org/", "members/a/"):
        config, problems = parse_federation(text.replace("{}", f'"{good}"'))
        assert problems == [] and config.members[0].site == good


def test_private_names_in_motions_are_replaced_and_warned_about(tmp_path):
    minutes = (
        "---\ndate: 2026-01-10\nmembers: 10\npresent: 8\ndecisions:\n  - id: 2026-01\n"
        "    motion: Thank Maria Jensen for the lathe\n    for: 8\n    against: 0\n    abstain: 0\n"
        "    result: adopted\n---\n# Meeting\n\nA member gave a lathe.\n"
    )
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,Maria Jensen,,,\n",
            "content/index.md": "# Home\n",
            "content/minutes/2026-01-10.md": minutes,
        },
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert ("content/minutes/2026-01-10.md", 7, "private-name-in-description") in codes_at(problems)
    site = build_site(tmp_path, today=TODAY).site_dir
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".csv", ".xml", ".json"}:
            assert "Maria Jensen" not in path.read_text(encoding="utf-8"), path
    rows = list(csv.DictReader(io.StringIO((site / "data/decisions.csv").read_text(encoding="utf-8"))))
    assert rows[0]["motion"] == "Thank private for the lathe"


def test_short_private_names_are_warned_about_once(tmp_path):
    rows = "2026-01-05,Repairs paid to Li Wu,-12.50,rent,,Li,,,\n2026-01-06,More for Li,-2.00,rent,,Li,,,\n"
    write_coop(tmp_path, {"ledgers/2026.csv": LEDGER_HEADER + rows})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert [(p.line, p.code) for p in problems if p.code == "private-name-not-searched"] == [(2, "private-name-not-searched")]


def test_a_row_in_the_year_9999_is_an_error_not_a_crash(tmp_path):
    write_coop(
        tmp_path,
        {"ledgers/2026.csv": LEDGER_HEADER + "9999-12-31,Dues,12.50,dues,,,,,\n", "content/charter.md": CHARTER},
    )
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert ("ledgers/2026.csv", 2, "date-in-future") in codes_at(problems)


def test_decision_anchors_never_collide():
    ids = ["2026.1", "2026-1", "2026 1", "2026/1", "2026_1"]
    anchors = [decision_anchor(i) for i in ids]
    assert len(set(anchors)) == len(ids)
    assert decision_anchor("2026-04") == "decision-2026-04"


def test_story_titles_are_escaped_once_in_the_feed(tmp_path):
    write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + "2026-01-05,Dues,12.50,dues,,,,,\n",
            "content/index.md": "# Home\n",
            "content/stories/index.md": "# Stories\n",
            "content/stories/posts/a.md": "---\ndate: 2026-01-01\ntitle: Tools & more\n---\n# Tools & more\n\nText.\n",
        },
    )
    site = build_site(tmp_path, today=TODAY).site_dir
    entry = ET.parse(site / "feed.xml").getroot().find("{http://www.w3.org/2005/Atom}entry")
    assert entry.find("{http://www.w3.org/2005/Atom}title").text == "Tools & more"




def test_totals_too_large_to_sum_exactly_are_an_error(tmp_path):
    rows = "".join(f"2026-01-{d:02d},Dues,9999999999999.99,dues,,,,,\n" for d in range(1, 29)) * 300
    write_coop(tmp_path, {"ledgers/2026.csv": LEDGER_HEADER + rows})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert "amount-total-too-large" in {p.code for p in problems}
    write_coop(tmp_path, {"ledgers/2026.csv": LEDGER_HEADER + rows[: rows.index("\n") + 1] * 10})
    _, problems = check_cooperative(tmp_path, today=TODAY)
    assert "amount-total-too-large" not in {p.code for p in problems}
