"""Private names are found as a person reads them: in every spelling that reads the same, in
descriptions, notes, motions, titles, file names and hand-written pages, and nowhere in the site."""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from publisher.cooperative import check_cooperative
from publisher.privacy import NameFinder
from publisher.reading import fold, fold_name, markdown_readings
from publisher.site.build import SiteError, build_site
from tests.conftest import LEDGER_HEADER, TODAY, codes_at, write_coop

# Every way of writing "Jane Doe" (and "Émile Zola-Brun") that a reader reads as the name.
VARIANTS = [
    "Jane  Doe",  # two spaces
    "Jane\u00a0Doe",  # no-break space
    "Jane\nDoe",  # a line break
    "Ja\u200bne Doe",  # zero-width space
    "Ja\u00adne Doe",  # soft hyphen
    "\u202eJane Doe\u202c",  # right-to-left override
    "\uff2a\uff41\uff4e\uff45 \uff24\uff4f\uff45",  # full-width letters
    "J\u0430ne D\u043ee",  # Cyrillic a and o
    "JANE DOE",
    "jane-doe",
    "Jane.Doe",
    "E\u0301mile Zola-Brun",  # NFD: E + combining acute
    "\u00c9mile Zola\u2011Brun",  # no-break hyphen
]
PRIVATE_ROWS = (
    "2026-01-02,Dues,15.00,dues,,Jane Doe,,,\n2026-01-03,Dues,15.00,dues,,Émile Zola-Brun,,,\n"
)


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def reads_as_a_name(text: str) -> list[str]:
    """What a person finds in `text`: an oracle of its own, independent of publisher.reading."""
    found = []
    for reading in (text, re.sub(r"<[^>]*>", "", text)):
        reading = unicodedata.normalize("NFKC", html.unescape(reading))
        reading = "".join(c for c in reading if unicodedata.category(c) != "Cf")
        reading = reading.translate(str.maketrans({"\u0430": "a", "\u043e": "o"})).casefold()
        reading = re.sub(r"\s+", " ", reading)
        found += re.findall(r"jane[\W_]+doe|[eé]mile[\W_]+zola[\W_]+brun", reading)
    return found


def json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *json_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in json_strings(v)]
    return []


def site_files(site: Path) -> list[tuple[Path, str]]:
    files = []
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix not in {".html", ".json", ".csv", ".xml", ".txt"}:
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":  # its strings, without escapes ("\n", "\u00e9")
            text = "\n".join(json_strings(json.loads(text)))
        files.append((path, text))
    return files


def motions_minutes(values: list[str]) -> str:
    decisions = "".join(
        f"  - id: 2026-{i + 1:02d}\n    motion: {json.dumps('Thank ' + v + ' for the lathe')}\n"
        "    for: 8\n    against: 0\n    abstain: 0\n    result: adopted\n"
        for i, v in enumerate(values)
    )
    return f"---\ndate: 2026-02-10\nmembers: 10\npresent: 8\ntitle: {json.dumps('Farewell to ' + values[0])}\ndecisions:\n{decisions}---\n\nThe meeting.\n"


def test_no_spelling_of_a_private_name_reaches_any_file_of_the_site(tmp_path):
    rows = PRIVATE_ROWS + "".join(
        f"2026-02-{i + 1:02d},{csv_cell('Paid ' + v + ' back')},-1.00,rent,,,,,{csv_cell('for ' + v)}\n"
        for i, v in enumerate(VARIANTS)
    )
    root = write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + rows,
            "content/index.md": "# Home\n",
            "content/minutes/2026-02-10.md": motions_minutes(VARIANTS),
            "content/stories/index.md": "# Stories\n",
            "content/stories/posts/news.md": "---\ndate: 2026-02-11\n---\n# News\n\nThe lathe is back.\n",
        },
    )
    result = build_site(root, today=TODAY)
    assert result.site_dir is not None, [p for p in result.problems if p.is_error]
    files = site_files(result.site_dir)
    assert {p.name for p, _ in files} >= {
        "ledger.csv",
        "decisions.csv",
        "search_index.json",
        "feed.xml",
        "decisions.xml",
    }
    for path, text in files:
        assert reads_as_a_name(text) == [], path
    codes = codes_at(result.problems)
    for i in range(len(VARIANTS)):
        assert (
            "ledgers/2026.csv",
            4 + i + sum(v.count("\n") * 2 for v in VARIANTS[:i]),
            "private-name-in-description",
        ) in codes, VARIANTS[i]
    minutes = "content/minutes/2026-02-10.md"
    assert (minutes, 5, "private-name-in-description") in codes  # the title
    assert {
        (minutes, 8 + 6 * i, "private-name-in-description") for i in range(len(VARIANTS))
    } <= codes  # motions
    decisions = (result.site_dir / "data/decisions.csv").read_text(encoding="utf-8")
    assert decisions.count("Thank private for the lathe") == len(VARIANTS)


PAGE_VARIANTS = [
    "Jane&#32;Doe",
    "J&#97;ne Doe",
    "Jane *Doe*",
    "Ja**ne** Doe",
    "Jane\nDoe",  # a soft line break inside a paragraph
    "Ja<b>ne</b> Doe",
    "Ja&shy;ne Doe",
    "J\u0430ne Doe",
    "Jane<br>Doe",  # a tag between the words, shown as a break
    "Jane \u202eeoD\u202c",  # shown as "Jane Doe": a right-to-left override turns "eoD" around
]


def test_a_private_name_in_a_hand_written_page_stops_the_build_and_says_where(tmp_path):
    page = "# Notes\n\n" + "".join(
        f"Line {i} says {v} helped.\n\n" for i, v in enumerate(PAGE_VARIANTS)
    )
    root = write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + PRIVATE_ROWS,
            "content/index.md": "# Home\n",
            "content/notes.md": page,
            "content/minutes/2026-03-04-jane-doe-leaves.md": "---\ndate: 2026-03-04\nmembers: 3\npresent: 3\n---\n# Meeting\n",
            "content/stories/index.md": "# Stories\n",
            "content/stories/posts/2026-03-05-emile-zola-brun.md": "---\ndate: 2026-03-05\n---\n# Spring\n",
            "content/stories/posts/spring.md": "---\ndate: 2026-03-06\ntitle: Thanks to Jane\u00a0Doe\n---\n\nText.\n",
            "content/stories/.authors.yml": "authors:\n  jd:\n    name: JANE DOE\n",
        },
    )
    result = build_site(root, today=TODAY)
    assert result.site_dir is None  # nothing is published
    lines, line = [], 3
    for variant in PAGE_VARIANTS:
        lines.append(line)
        line += 2 + variant.count("\n")
    assert {("content/notes.md", n, "private-name-in-page") for n in lines} <= codes_at(
        result.problems
    )
    assert {
        ("content/minutes/2026-03-04-jane-doe-leaves.md", None, "private-name-in-page"),
        ("content/stories/posts/2026-03-05-emile-zola-brun.md", None, "private-name-in-page"),
        ("content/stories/posts/spring.md", 3, "private-name-in-page"),
        ("content/stories/.authors.yml", 3, "private-name-in-page"),
    } <= codes_at(result.problems)


def test_a_name_that_only_rendering_reveals_stops_the_build(tmp_path):
    root = write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + PRIVATE_ROWS,
            "content/index.md": "# Home\n\n[Jane](index.md) Doe helped.\n",
        },
    )
    assert not [p for p in check_cooperative(root, today=TODAY)[1] if p.is_error]
    with pytest.raises(SiteError, match="index.md"):
        build_site(root, today=TODAY)
    assert not (root / "site").exists()


def test_parts_of_names_and_handles_are_warned_about_without_the_name(tmp_path):
    rows = (
        PRIVATE_ROWS
        + (
            "2026-01-04,Paint from Brun,-3.00,rent,,,,,\n"  # a surname of 4 letters alone
            "2026-01-05,Paid Doe,-3.00,rent,,,,,\n"  # 3 letters: not warned
            "2026-01-06,Refund,-3.00,rent,,@janedoe,,,\n"  # a handle as the counterparty
            "2026-01-07,Sent to @emilezolabrun,-3.00,rent,,,,,\n"
            "2026-01-08,Paid Émile Zola-Brun,-3.00,rent,,,,,\n"  # the whole name: replaced, no part warning
            "2026-01-09,Paint of a brun colour,-3.00,rent,,,,,\n"  # a word, not a name: no capital
        )
    )
    root = write_coop(
        tmp_path, {"ledgers/2026.csv": LEDGER_HEADER + rows, "content/index.md": "# Home\n"}
    )
    _, problems = check_cooperative(root, today=TODAY)
    found = {(p.line, p.code) for p in problems if p.code.startswith("private-name")}
    assert found == {
        (4, "private-name-part"),
        (6, "private-name-handle"),
        (7, "private-name-part"),
        (8, "private-name-in-description"),
    }
    for p in problems:
        assert not re.search(r"(?i)jane|doe|zola|brun", p.message), p.message


# -- The folding -------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS[:-2])
def test_every_variant_folds_to_the_name_by_words(variant):
    assert fold_name(variant) == ["jane", "doe"]


def test_folding_drops_accents_whether_composed_or_not():
    assert fold("E\u0301mile \u00c9mile \u00e9mile Emile").text == "emile emile emile emile"
    assert fold_name("E\u0301MILE Zola-Brun") == ["emile", "zola", "brun"]
    assert fold("stra\u00dfe \u00f8").text == "strasse \u00f8"  # case folding; no accent to drop


def test_folding_collapses_whitespace_and_removes_invisible_characters():
    assert fold("a \t\n\u00a0\u2003b").text == "a b"
    assert fold("a\u200b\u200d\u2060\ufeff\u00ad\u2066b").text == "ab"
    # A right-to-left override is read as shown and as stored, one reading after the other.
    assert fold("a\u202eb").text == "ab\nab"
    assert fold("Jane \u202eeoD\u202c!").text == "jane doe!\njane eod!"
    assert fold("ｆｕｌｌ").text == "full"
    assert fold("\u0410\u0412\u0421 \u0391\u0392\u0395 \u03bf").text == "abc abe o"


def test_folded_positions_point_at_the_characters_as_written():
    text = "Paid J\u0430\u00adne\u00a0\u00a0D\uff4fe\u0301, thanks"
    folded = fold(text)
    assert folded.text == "paid jane doe, thanks"
    start = folded.text.index("jane")
    assert (
        text[slice(*folded.span(start, start + len("jane doe")))]
        == "J\u0430\u00adne\u00a0\u00a0D\uff4fe\u0301"
    )


def test_replacement_keeps_the_text_around_the_name_as_written():
    finder = NameFinder(["Jane Doe", "Émile Zola-Brun"])
    texts = pd.Series(
        [
            "Ünïcode first, then J\u0430ne\u00a0Doe; and E\u0301mile ZOLA-brun.",
            "Janet Doe",
            "Jane Does",
            "jane_doe",
        ],
        dtype="str",
    )
    assert finder.redact(texts).tolist() == [
        "Ünïcode first, then private; and private.",
        "Janet Doe",
        "Jane Does",
        "private",
    ]
    assert finder.contains(texts).tolist() == [True, False, False, True]


def test_markdown_readings_decode_entities_and_drop_emphasis_inside_words():
    texts = [r.text for r in markdown_readings("J&#97;ne **D**oe, <b>x</b>")]
    assert texts == ["Jane Doe, <b>x</b>", "Jane Doe, x", "Jane Doe,  x "]


@pytest.mark.parametrize(
    "text", VARIANTS + PAGE_VARIANTS + ["a\t\n b  c", "Ｘ\u00a0 \u2003y", "e\u0301\u0301"]
)
def test_folding_without_positions_gives_the_same_text(text):
    assert fold(text, positions=False).text == fold(text).text
    assert len(fold(text).starts) == len(fold(text).text)


def test_a_very_large_page_is_still_checked(tmp_path):
    page = "# Big\n\n" + ("Nothing to see here.\n" * 60_000) + "Thanks to Ja**ne** D&#111;e.\n"
    root = write_coop(
        tmp_path, {"ledgers/2026.csv": LEDGER_HEADER + PRIVATE_ROWS, "content/index.md": page}
    )
    _, problems = check_cooperative(root, today=TODAY)
    assert ("content/index.md", None, "private-name-in-page") in codes_at(problems)


def test_a_name_without_letters_is_not_looked_for_in_texts():
    # A counterparty written "-1+1" (or an account number) names no person; looking for its
    # digits would refuse every page that shows an amount.
    finder = NameFinder(["-1+1", "Jane Doe"])
    found = finder.contains(pd.Series(["1 rule kept, 1 breached", "paid to jane doe"]))
    assert list(found) == [False, True]


def test_a_name_a_right_to_left_override_shows_is_replaced_in_descriptions_and_motions(tmp_path):
    shown_as_name = "Jane \u202eeoD\u202c"  # stored "Jane eoD", shown "Jane Doe"
    rows = (
        PRIVATE_ROWS + f"2026-02-01,{csv_cell('Paid ' + shown_as_name + ' back')},-1.00,rent,,,,,\n"
    )
    root = write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + rows,
            "content/index.md": "# Home\n",
            "content/minutes/2026-02-10.md": motions_minutes([shown_as_name]),
            "content/stories/index.md": "# Stories\n",
        },
    )
    result = build_site(root, today=TODAY)
    assert result.site_dir is not None, [p for p in result.problems if p.is_error]
    for path, text in site_files(result.site_dir):
        assert "eoD" not in text, path
    assert ("ledgers/2026.csv", 4, "private-name-in-description") in codes_at(result.problems)


def test_a_private_name_in_another_file_under_content_or_its_name_is_refused(tmp_path):
    picture = '<svg xmlns="http://www.w3.org/2000/svg">\n<title>Jane Doe</title>\n</svg>\n'
    root = write_coop(
        tmp_path,
        {
            "ledgers/2026.csv": LEDGER_HEADER + PRIVATE_ROWS,
            "content/index.md": "# Home\n",
            "content/assets/board.svg": picture,  # copied to the site as it is
            "content/assets/jane-doe.png": "not really a picture",  # its name becomes an address
            "content/extra.js": "// thanks to J&#97;ne Doe\n",
            "content/assets/plain.svg": '<svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
        },
    )
    result = build_site(root, today=TODAY)
    assert result.site_dir is None
    named = {(p.path, p.line) for p in result.problems if p.code == "private-name-in-page"}
    assert named == {
        ("content/assets/board.svg", 2),
        ("content/assets/jane-doe.png", None),
        ("content/extra.js", 1),
    }


def test_an_id_or_a_cited_decision_that_spells_a_private_name_is_an_error(tmp_path):
    rows = PRIVATE_ROWS + "2026-02-01,Glue,-1.00,rent,,,,jane-doe-1,\n"
    root = write_coop(
        tmp_path, {"ledgers/2026.csv": LEDGER_HEADER + rows, "content/index.md": "# Home\n"}
    )
    result = build_site(root, today=TODAY)
    assert result.site_dir is None  # before: "jane-doe-1" was published in ledger.csv and the JSON
    assert ("ledgers/2026.csv", 4, "private-name-in-id") in codes_at(result.problems)
