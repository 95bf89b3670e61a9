"""Federations: members read from real temporary git repositories and local directories,
checked with the same rules, mapped to a common chart, consolidated, reconciled, cached by
commit, and published. Nothing is mocked; the only network address is loopback, where nothing
listens."""

from __future__ import annotations

import html
import io
import json
import os
import re
import socket
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import publisher.federation as federation_module
from publisher.cli import main
from publisher.cooperative import check_cooperative
from publisher.federation import (
    CACHE_DIR,
    Progress,
    federation_json,
    is_federation,
    load_federation,
    parse_federation,
    unsafe_repo_reason,
)
from publisher.gitrepo import valid_ref
from publisher.site.build import build_site
from tests.conftest import TODAY, codes_at
from tests.gittools import commit, git, init_repo, rev, stamp
from tests.sitetools import site_text_files

HEADER = "date,description,amount,category,counterparty\n"
UNREACHABLE_HTTPS = "https://127.0.0.1:9/none.git"  # loopback, nothing listens on port 9
SECRET = "SECRET-7f3a-never-publish"

FEDERATION_CATEGORIES = """\
categories:
  dues: {kind: income}
  grants: {kind: income}
  equipment: {kind: expense}
  premises: {kind: expense}
"""


def accounts(
    name: str, categories: dict[str, str], currency: str = "EUR", public: tuple[str, ...] = ()
) -> str:
    lines = [f"name: {json.dumps(name)}", f"currency: {currency}", "categories:"]
    lines += [f"  {key}: {{kind: {kind}}}" for key, kind in categories.items()]
    if public:
        lines.append("public_counterparties:")
        lines += [f"  - {p}" for p in public]
    return "\n".join(lines) + "\n"


def books(
    name: str, categories: dict[str, str], rows: list[str], currency: str = "EUR", public=()
) -> dict[str, str]:
    """The files of a member's books: accounts.yml and one ledger, rows written inline."""
    return {
        "ledgers/accounts.yml": accounts(name, categories, currency, public),
        "ledgers/cash.csv": HEADER + "".join(row + "\n" for row in rows),
    }


def write_files(root: Path, files: dict[str, str]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="")
    return root


def git_member(root: Path, files: dict[str, str], day: str = "2026-01-10") -> Path:
    """A member's repository: one commit on main holding `files`."""
    init_repo(root)
    commit(root, "The books", day, files)
    return root


def write_federation(
    root: Path,
    members: str,
    name: str = "Eastside Federation",
    categories: str = FEDERATION_CATEGORIES,
) -> Path:
    """federation.yml; with the default categories, the first member's "- id:" is on line 9."""
    root.mkdir(parents=True, exist_ok=True)
    text = (
        f"name: {json.dumps(name)}\ncurrency: EUR\n"
        + categories
        + "members:\n"
        + textwrap.dedent(members)
    )
    (root / "federation.yml").write_text(text, encoding="utf-8")
    return root


def member(federation, ident: str):
    return next(m for m in federation.members if m.id == ident)


def codes(federation) -> set[tuple[str, int | None, str]]:
    return codes_at(federation.problems)


def tree_texts(directory: Path) -> str:
    """Every file under `directory`, decoded, concatenated (for asserting what was never read)."""
    if not directory.exists():
        return ""
    return "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in directory.rglob("*")
        if p.is_file() and not p.is_symlink()
    )


@pytest.fixture(autouse=True)
def no_proxies(monkeypatch):
    """git must try 127.0.0.1 itself, never a proxy from the environment."""
    for name in (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


# -- federation.yml: addresses and refs refused before git runs --------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "-u",
        "--upload-pack=touch x",
        "ext::sh -c touch /tmp/x",
        "ssh://git@example.org/coop.git",
        "git@example.org:coop/books.git",
        "http://example.org/coop.git",
        "https://user:pw@example.org/coop.git",
        "file:///srv/coop.git",
        "fd::17",
    ],
)
def test_unsafe_repository_addresses_are_refused(url):
    assert unsafe_repo_reason(url)


@pytest.mark.parametrize(
    "url", ["https://example.org/coop.git", "../riverside", "members/riverside.git"]
)
def test_https_and_local_repositories_are_accepted(url):
    assert unsafe_repo_reason(url) is None


@pytest.mark.parametrize(
    "ref",
    ["main", "HEAD", "v1.0", "release/2026", "a" * 40, "0123456789abcdef0123456789abcdef01234567"],
)
def test_valid_refs(ref):
    assert valid_ref(ref)


@pytest.mark.parametrize(
    "ref",
    ["--upload-pack=x", "-x", "-", "a..b", "main.lock", "main/", "@{-1}", "x y", "~1", "a:b", ""],
)
def test_refs_that_could_be_options_or_expressions_are_refused(ref):
    assert not valid_ref(ref)


def test_a_bad_repo_or_ref_is_federation_value_invalid_at_its_line(tmp_path):
    marker = tmp_path / "pwned"
    text = textwrap.dedent(
        f"""\
        name: F
        currency: EUR
        categories:
          dues: {{kind: income}}
        members:
          - id: one
            repo: -u
          - id: two
            repo: "ext::sh -c touch {marker}"
          - id: three
            repo: ssh://git@example.org/three.git
          - id: four
            repo: git@example.org:four.git
          - id: five
            repo: http://example.org/five.git
          - id: six
            repo: https://user:pw@example.org/six.git
          - id: seven
            repo: ../seven
            ref: --upload-pack=x
          - id: eight
            repo: ../eight
            ref: -x
          - id: nine
            repo: https://example.org/nine.git
            ref: main
        """
    )
    config, problems = parse_federation(text)
    assert config is None
    assert codes_at(problems) == {
        ("federation.yml", line, "federation-value-invalid")
        for line in (7, 9, 11, 13, 15, 17, 20, 23)
    }
    # The same through `publisher check`: exit 1, each refusal at its line, git never ran.
    (tmp_path / "federation.yml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    found = set(
        re.findall(
            r"^federation\.yml:(\d+): error: \[federation-value-invalid\]",
            result.output,
            re.MULTILINE,
        )
    )
    assert found == {"7", "9", "11", "13", "15", "17", "20", "23"}
    assert not marker.exists()
    assert not (tmp_path / CACHE_DIR).exists()


def test_publisher_build_refuses_a_federation_yml_with_errors_and_builds_nothing(tmp_path):
    write_federation(tmp_path / "fed", "  - id: bad\n    repo: ssh://example.org/bad.git\n")
    result = CliRunner().invoke(main, ["build", str(tmp_path / "fed")])
    assert result.exit_code == 1, result.output
    assert "federation.yml:10: error: [federation-value-invalid]" in result.output
    assert not (tmp_path / "fed" / "site").exists()


@pytest.mark.parametrize(
    "members, line, code",
    [
        ("  - id: Upper\n    path: x\n", 9, "federation-value-invalid"),
        ("  - id: both\n    path: x\n    repo: ../x\n", 9, "federation-value-invalid"),
        ("  - id: neither\n", 9, "federation-value-invalid"),
        ("  - id: x\n    path: x\n  - id: x\n    path: y\n", 11, "federation-value-invalid"),
        ("  - id: x\n    path: x\n    branch: main\n", 11, "federation-key-unknown"),
        ("  - id: x\n    path: x\n    map: [tools, equipment]\n", 11, "federation-value-invalid"),
        ("  - id: x\n    path: -x\n", 10, "federation-value-invalid"),
    ],
)
def test_member_entries_of_the_wrong_form(tmp_path, members, line, code):
    root = write_federation(tmp_path, members)
    config, problems = parse_federation((root / "federation.yml").read_text(encoding="utf-8"))
    assert config is None
    assert ("federation.yml", line, code) in codes_at(problems)


def test_is_federation(tmp_path):
    write_federation(tmp_path / "fed", "  - id: a\n    path: a\n")
    assert is_federation(tmp_path / "fed")
    write_files(tmp_path / "coop", books("C", {"dues": "income"}, []))
    assert not is_federation(tmp_path / "coop")


# -- Members that are left out ----------------------------------------------------------------


def test_a_good_git_member_is_read_at_its_ref(tmp_path):
    repo = git_member(
        tmp_path / "repos/riverside",
        books("Riverside", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"]),
    )
    sha = rev(repo)
    commit(repo, "Later, on another branch", "2026-02-01")
    git(repo, "branch", "-q", "old", sha)
    commit(
        repo,
        "More dues",
        "2026-03-01",
        {"ledgers/cash.csv": HEADER + "2026-01-05,Dues,12.50,dues,\n2026-03-01,Dues,7.50,dues,\n"},
    )
    root = write_federation(
        tmp_path / "fed",
        f"""\
        - id: head
          repo: ../repos/riverside
          ref: main
        - id: branch
          repo: ../repos/riverside
          ref: old
        - id: pinned
          repo: ../repos/riverside
          ref: {sha}
        """,
    )
    federation = load_federation(root, today=TODAY)
    assert [(m.id, m.status) for m in federation.members] == [
        ("head", "ok"),
        ("branch", "ok"),
        ("pinned", "ok"),
    ]
    assert member(federation, "head").commit == rev(repo)
    assert member(federation, "head").date == "2026-03-01T12:00:00+00:00"
    assert member(federation, "head").years == {"2026": {"dues": 2000}}
    assert member(federation, "branch").commit == sha
    assert member(federation, "branch").years == {"2026": {"dues": 1250}}
    assert member(federation, "pinned").commit == sha
    assert member(federation, "pinned").name == "Riverside"
    assert federation.problems == []


def test_a_member_whose_books_have_an_error_is_invalid_and_the_reason_names_the_first_error(
    tmp_path,
):
    files = books(
        "Broken",
        {"dues": "income"},
        ["2026-01-05,Dues,12.50,dues,", "2026-01-06,Dues,twelve,dues,"],
    )
    git_member(tmp_path / "repos/broken", files)
    _, expected = check_cooperative(write_files(tmp_path / "copy", files), TODAY)
    first = next(p for p in expected if p.is_error)
    assert (first.path, first.line) == ("ledgers/cash.csv", 3)
    root = write_federation(
        tmp_path / "fed", "  - id: broken\n    repo: ../repos/broken\n    ref: main\n"
    )
    federation = load_federation(root, today=TODAY)
    broken = member(federation, "broken")
    assert broken.status == "invalid"
    assert f"{first.path}:{first.line}" in broken.reason and first.code in broken.reason
    assert broken.errors == 1
    assert codes(federation) == {("federation.yml", 9, "federation-member-invalid")}
    assert federation.consolidated() == {}


def test_a_git_member_that_rewrote_a_closed_period_is_invalid(tmp_path):
    accounts_text = accounts("Rewriter", {"dues": "income"}) + "closed_through: 2025-12-31\n"
    repo = git_member(
        tmp_path / "repos/rewriter",
        {
            "ledgers/accounts.yml": accounts_text,
            "ledgers/cash.csv": HEADER + "2025-03-01,Dues,10.00,dues,\n",
        },
    )
    commit(
        repo,
        "Rewrite a closed row",
        "2026-02-10",
        {"ledgers/cash.csv": HEADER + "2025-03-01,Dues,99.00,dues,\n"},
    )
    _, own = check_cooperative(repo, TODAY)
    assert "closed-period-changed" in {p.code for p in own if p.is_error}
    root = write_federation(tmp_path / "fed", "  - id: rewriter\n    repo: ../repos/rewriter\n")
    federation = load_federation(root, today=TODAY)
    assert member(federation, "rewriter").status == "invalid"
    assert federation.consolidated() == {}


@pytest.mark.parametrize(
    "entry, reason",
    [
        (f"  - id: far\n    repo: {UNREACHABLE_HTTPS}\n    ref: main\n", "git could not fetch it"),
        ("  - id: far\n    repo: ../repos/does-not-exist\n    ref: main\n", "does not exist"),
        ("  - id: far\n    path: members/does-not-exist\n", "does not exist"),
        (
            "  - id: far\n    repo: ../repos/good\n    ref: no-such-branch\n",
            "git could not fetch it",
        ),
        ("  - id: far\n    repo: ../repos/good\n    ref: '" + "1234abcd" * 5 + "'\n", "no commit"),
    ],
)
def test_unreachable_members_are_left_out_with_a_warning(tmp_path, entry, reason):
    git_member(
        tmp_path / "repos/good", books("Good", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"])
    )
    root = write_federation(tmp_path / "fed", entry + "  - id: good\n    repo: ../repos/good\n")
    started = time.perf_counter()
    federation = load_federation(root, today=TODAY)
    assert time.perf_counter() - started < 20
    far = member(federation, "far")
    assert far.status == "unreachable"
    assert reason in far.reason
    assert ("federation.yml", 9, "federation-member-unreachable") in codes(federation)
    assert member(federation, "good").ok
    assert federation.consolidated() == {"2026": {"dues": 1250}}
    # An unreachable member is tried again next time, never answered from the cache.
    again = load_federation(root, today=TODAY)
    assert member(again, "far").status == "unreachable" and not member(again, "far").cached


@pytest.mark.parametrize("link", ["ledgers/extra.csv", "content", "ledgers/private/extra.csv"])
def test_a_git_member_holding_a_symlink_is_invalid_and_nothing_outside_is_read(tmp_path, link):
    outside = tmp_path / "outside"
    write_files(
        outside,
        {"extra.csv": HEADER + f"2026-02-01,{SECRET},999.00,dues,\n", "index.md": f"# {SECRET}\n"},
    )
    repo = init_repo(tmp_path / "repos/linked")
    write_files(repo, books("Linked", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"]))
    target = repo / link
    target.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside / "extra.csv" if link.endswith(".csv") else outside, target)
    commit(repo, "A link", "2026-01-10")
    assert git(repo, "ls-tree", "-r", "HEAD", "--", link).startswith("120000 ")
    root = write_federation(
        tmp_path / "fed", "  - id: linked\n    repo: ../repos/linked\n    ref: main\n"
    )
    federation = load_federation(root, today=TODAY)
    linked = member(federation, "linked")
    assert linked.status == "invalid"
    assert f"{link} is a symbolic link" in linked.reason
    assert codes(federation) == {("federation.yml", 9, "federation-member-invalid")}
    assert federation.consolidated() == {}
    cache = root / CACHE_DIR
    assert not any(p.is_symlink() for p in cache.rglob("*"))
    assert SECRET not in tree_texts(cache)
    assert SECRET not in json.dumps(federation_json(federation))


def test_a_top_level_federation_yml_symlink_in_a_member_is_refused(tmp_path):
    outside = write_files(tmp_path / "outside", {"federation.yml": f"name: {SECRET}\n"})
    repo = init_repo(tmp_path / "repos/linked")
    write_files(repo, books("Linked", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"]))
    os.symlink(outside / "federation.yml", repo / "federation.yml")
    commit(repo, "A link", "2026-01-10")
    root = write_federation(tmp_path / "fed", "  - id: linked\n    repo: ../repos/linked\n")
    linked = member(load_federation(root, today=TODAY), "linked")
    assert linked.status == "invalid" and "federation.yml is a symbolic link" in linked.reason
    assert SECRET not in tree_texts(root / CACHE_DIR)


@pytest.mark.parametrize("how", ["git submodule add", "bare gitlink"])
def test_a_git_member_holding_a_submodule_is_invalid(tmp_path, how):
    other = git_member(tmp_path / "repos/other", {"README": "another repository\n"})
    repo = init_repo(tmp_path / "repos/sub")
    write_files(repo, books("Sub", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"]))
    git(repo, "add", "-A")
    if how == "git submodule add":
        git(
            repo,
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            "../other",
            "ledgers/vendor",
        )
    else:  # no .gitmodules: only the tree entry
        git(repo, "update-index", "--add", "--cacheinfo", f"160000,{rev(other)},ledgers/vendor")
    git(
        repo, "commit", "-q", "-m", "A submodule", date=stamp("2026-01-10")
    )  # not commit(): add -A would drop a bare gitlink
    assert git(repo, "ls-tree", "HEAD", "--", "ledgers/vendor").startswith("160000 commit")
    root = write_federation(
        tmp_path / "fed", "  - id: sub\n    repo: ../repos/sub\n    ref: main\n"
    )
    federation = load_federation(root, today=TODAY)
    sub = member(federation, "sub")
    assert sub.status == "invalid"
    assert "ledgers/vendor is a submodule" in sub.reason
    assert codes(federation) == {("federation.yml", 9, "federation-member-invalid")}


def test_an_oversized_file_makes_a_git_member_invalid(tmp_path, monkeypatch):
    monkeypatch.setattr(federation_module, "MAX_FILE_BYTES", 100)
    rows = [f"2026-01-{day:02d},Dues,1.00,dues," for day in range(1, 11)]
    git_member(tmp_path / "repos/big", books("Big", {"dues": "income"}, rows))
    root = write_federation(tmp_path / "fed", "  - id: big\n    repo: ../repos/big\n")
    big = member(load_federation(root, today=TODAY), "big")
    assert big.status == "invalid"
    assert "ledgers/cash.csv is larger than 100 bytes" in big.reason


def test_too_many_bytes_in_all_make_a_git_member_invalid(tmp_path, monkeypatch):
    monkeypatch.setattr(federation_module, "MAX_MEMBER_BYTES", 150)
    files = books("Big", {"dues": "income"}, ["2026-01-05,Dues,1.00,dues,"])
    files["content/index.md"] = "# Big\n" + "words " * 20 + "\n"
    git_member(tmp_path / "repos/big", files)
    root = write_federation(tmp_path / "fed", "  - id: big\n    repo: ../repos/big\n")
    big = member(load_federation(root, today=TODAY), "big")
    assert big.status == "invalid" and "more than 150 bytes" in big.reason


def test_only_ledgers_content_and_federation_yml_are_taken_from_a_member(tmp_path):
    files = books("Tidy", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"])
    files |= {
        "content/index.md": "# Tidy\n",
        "mkdocs.yml": f"site_name: {SECRET}\n",
        "scripts/run.sh": f"echo {SECRET}\n",
    }
    git_member(tmp_path / "repos/tidy", files)
    root = write_federation(tmp_path / "fed", "  - id: tidy\n    repo: ../repos/tidy\n")
    federation = load_federation(root, today=TODAY)
    tidy = member(federation, "tidy")
    assert tidy.ok
    tree = root / CACHE_DIR / "trees" / "tidy" / tidy.commit
    # .git is the publisher's own: the tree borrows the cache's objects for the member's history
    written = sorted(
        p.relative_to(tree).as_posix()
        for p in tree.rglob("*")
        if p.is_file() and not p.relative_to(tree).as_posix().startswith(".git/")
    )
    assert written == [".complete", "content/index.md", "ledgers/accounts.yml", "ledgers/cash.csv"]
    assert SECRET not in tree_texts(root / CACHE_DIR / "trees")


@pytest.mark.parametrize("link", ["ledgers/extra.csv", "content", "ledgers"])
def test_a_local_directory_member_with_a_symlink_is_invalid(tmp_path, link):
    outside = write_files(
        tmp_path / "outside", {"extra.csv": HEADER + f"2026-02-01,{SECRET},999.00,dues,\n"}
    )
    southside = write_files(
        tmp_path / "fed/members/southside",
        books("Southside", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"]),
    )
    if link == "ledgers":
        write_files(
            outside, books("Elsewhere", {"dues": "income"}, [f"2026-02-01,{SECRET},999.00,dues,"])
        )
        for path in (southside / "ledgers").iterdir():
            path.unlink()
        (southside / "ledgers").rmdir()
        os.symlink(outside / "ledgers", southside / "ledgers")
    else:
        os.symlink(outside / "extra.csv" if link.endswith(".csv") else outside, southside / link)
    root = write_federation(tmp_path / "fed", "  - id: southside\n    path: members/southside\n")
    federation = load_federation(root, today=TODAY)
    south = member(federation, "southside")
    assert south.status == "invalid"
    assert "symbolic link" in south.reason
    assert codes(federation) == {("federation.yml", 9, "federation-member-invalid")}
    assert federation.consolidated() == {}
    assert SECRET not in tree_texts(root / CACHE_DIR)


def test_an_oversized_file_makes_a_local_directory_member_invalid(tmp_path, monkeypatch):
    monkeypatch.setattr(federation_module, "MAX_FILE_BYTES", 100)
    rows = [f"2026-01-{day:02d},Dues,1.00,dues," for day in range(1, 11)]
    write_files(tmp_path / "fed/south", books("South", {"dues": "income"}, rows))
    root = write_federation(tmp_path / "fed", "  - id: south\n    path: south\n")
    south = member(load_federation(root, today=TODAY), "south")
    assert south.status == "invalid" and "larger than 100 bytes" in south.reason


def test_a_directory_with_neither_books_nor_a_federation_is_invalid(tmp_path):
    (tmp_path / "fed/empty/content").mkdir(parents=True)
    root = write_federation(tmp_path / "fed", "  - id: empty\n    path: empty\n")
    empty = member(load_federation(root, today=TODAY), "empty")
    assert empty.status == "invalid" and "accounts.yml" in empty.reason


# -- Consolidated figures, mapping, currencies --------------------------------------------------

RIVERSIDE_CATEGORIES = {
    "dues": "income",
    "donations": "income",
    "tools": "expense",
    "rent": "expense",
    "party": "expense",
    "solidarity": "expense",
    "opening": "opening",
}
RIVERSIDE_ROWS = [
    "2025-01-01,Opening balance,1000.00,opening,",
    "2025-01-05,Dues,500.00,dues,",
    "2025-02-01,Table saw,-120.00,tools,",
    "2025-03-01,Rent,-200.00,rent,",
    "2025-04-01,Summer party,-15.50,party,",
    "2025-05-01,Donation,40.00,donations,",
    "2025-06-01,Help for Southside,-100.00,solidarity,@southside",
    "2026-01-05,Dues,300.00,dues,",
    "2026-02-01,Rent,-200.00,rent,",
]
SOUTHSIDE_CATEGORIES = {"grants": "income", "premises": "expense", "help": "income"}
SOUTHSIDE_ROWS = [
    "2025-02-10,Grant,1000.00,grants,City Council",
    "2025-03-10,Hall,-300.00,premises,",
    "2025-06-02,Help from Riverside,100.00,help,@riverside",
    "2026-03-01,Grant,50.00,grants,City Council",
]
CONSOLIDATED = {
    "2025": {
        "dues": 50000,
        "grants": 100000,
        "equipment": -12000,
        "premises": -20000 - 30000,
        "other-income": 4000,
        "other-expense": -1550,
    },
    "2026": {"dues": 30000, "premises": -20000, "grants": 5000},
}


def three_members(tmp_path: Path) -> Path:
    """Riverside (git, mapped), Southside (a local directory, equal names), Dollars (USD)."""
    git_member(
        tmp_path / "repos/riverside", books("Riverside", RIVERSIDE_CATEGORIES, RIVERSIDE_ROWS)
    )
    write_files(
        tmp_path / "fed/members/southside",
        books("Southside", SOUTHSIDE_CATEGORIES, SOUTHSIDE_ROWS, public=("City Council",)),
    )
    git_member(
        tmp_path / "repos/dollars",
        books("Dollars", {"dues": "income"}, ["2025-01-05,Dues,777.00,dues,"], currency="USD"),
    )
    return write_federation(
        tmp_path / "fed",
        """\
        - id: riverside
          repo: ../repos/riverside
          ref: main
          map: {tools: equipment, rent: premises}
        - id: southside
          path: members/southside
        - id: dollars
          repo: ../repos/dollars
        """,
    )


def test_consolidated_figures_match_hand_computed_ones(tmp_path):
    federation = load_federation(three_members(tmp_path), today=TODAY)
    assert [(m.id, m.status) for m in federation.members] == [
        ("riverside", "ok"),
        ("southside", "ok"),
        ("dollars", "invalid"),
    ]
    assert "USD" in member(federation, "dollars").reason
    assert federation.consolidated() == CONSOLIDATED
    assert federation.totals(CONSOLIDATED["2025"]) == (50000 + 100000 + 4000, 12000 + 50000 + 1550)
    assert member(federation, "riverside").years == {
        "2025": {
            "dues": 50000,
            "equipment": -12000,
            "premises": -20000,
            "other-income": 4000,
            "other-expense": -1550,
        },
        "2026": {"dues": 30000, "premises": -20000},
    }
    assert member(federation, "riverside").unmapped == ["donations", "party"]
    assert member(federation, "riverside").internal == {"2025": {"southside": -10000}}
    assert member(federation, "southside").internal == {"2025": {"riverside": 10000}}
    assert codes(federation) == {
        ("federation.yml", 9, "federation-category-unmapped"),
        ("federation.yml", 15, "federation-member-invalid"),
    }
    unmapped = sorted(
        p.message for p in federation.problems if p.code == "federation-category-unmapped"
    )
    assert len(unmapped) == 2 and '"donations"' in unmapped[0] and '"party"' in unmapped[1]
    assert federation.mismatches() == []
    data = federation_json(federation)
    assert data["years"] == {
        "2025": {
            "income": "1540.00",
            "expense": "635.50",
            "net": "904.50",
            "categories": {
                "dues": "500.00",
                "equipment": "-120.00",
                "grants": "1000.00",
                "other-expense": "-15.50",
                "other-income": "40.00",
                "premises": "-500.00",
            },
            "budget": {},
        },
        "2026": {
            "income": "350.00",
            "expense": "200.00",
            "net": "150.00",
            "categories": {"dues": "300.00", "grants": "50.00", "premises": "-200.00"},
            "budget": {},
        },
    }
    assert data["members"]["dollars"]["years"] == {}


def test_a_map_to_a_category_of_the_other_kind_counts_as_other(tmp_path):
    write_files(
        tmp_path / "fed/a",
        books(
            "A",
            {"tools": "expense", "dues": "income"},
            ["2026-01-01,Saw,-10.00,tools,", "2026-01-02,Dues,3.00,dues,"],
        ),
    )
    root = write_federation(
        tmp_path / "fed", "  - id: a\n    path: a\n    map: {tools: dues, dues: nowhere}\n"
    )
    federation = load_federation(root, today=TODAY)
    assert federation.consolidated() == {"2026": {"other-expense": -1000, "other-income": 300}}
    assert codes(federation) == {("federation.yml", 9, "federation-category-unmapped")}
    assert len(federation.problems) == 2


def test_a_warning_in_a_members_books_does_not_leave_it_out(tmp_path):
    write_files(
        tmp_path / "fed/a",
        books(
            "A",
            {"dues": "income"},
            ["2026-01-01,Dues,2.00,dues,", "2026-01-02,Nothing moved,0.00,dues,"],  # amount-zero
        ),
    )
    root = write_federation(tmp_path / "fed", "  - id: a\n    path: a\n")
    federation = load_federation(root, today=TODAY)
    a = member(federation, "a")
    assert a.ok and a.warnings >= 1 and a.errors == 0
    assert federation.consolidated() == {"2026": {"dues": 200}}


# -- Reconciliation -----------------------------------------------------------------------------


def pair(tmp_path: Path, a_rows: list[str], b_rows: list[str]) -> Path:
    categories = {"dues": "income", "help": "expense", "gifts": "income"}
    git_member(tmp_path / "repos/a", books("A", categories, a_rows))
    write_files(tmp_path / "fed/b", books("B", categories, b_rows))
    return write_federation(
        tmp_path / "fed",
        "  - id: a\n    repo: ../repos/a\n    map: {help: equipment, gifts: grants}\n  - id: b\n    path: b\n    map: {help: equipment, gifts: grants}\n",
    )


def test_a_matching_pair_is_reconciled_and_left_out_of_the_totals(tmp_path):
    root = pair(
        tmp_path,
        [
            "2025-03-01,Dues,10.00,dues,",
            "2025-06-01,To B,-100.00,help,@b",
            "2026-02-01,From B,20.00,gifts,@b",
        ],
        ["2025-06-01,From A,100.00,gifts,@a", "2026-02-01,To A,-20.00,help,@a"],
    )
    federation = load_federation(root, today=TODAY)
    assert federation.mismatches() == []
    assert federation_json(federation)["mismatches"] == []
    assert not any(p.code == "federation-reconciliation-mismatch" for p in federation.problems)
    assert federation.consolidated() == {"2025": {"dues": 1000}}
    assert federation.flows() == {("a", "b"): 10000, ("b", "a"): 2000}


def test_a_mismatch_is_listed_with_both_figures(tmp_path):
    root = pair(
        tmp_path,
        [
            "2025-06-01,To B,-100.00,help,@b",
            "2025-07-01,To B again,-5.00,help,@b",
            "2026-02-01,From B,20.00,gifts,@b",
        ],
        ["2025-06-01,From A,90.00,gifts,@a", "2026-02-01,To A,-20.00,help,@a"],
    )
    federation = load_federation(root, today=TODAY)
    assert federation.mismatches() == [
        {"year": "2025", "a": "a", "b": "b", "a_records": -10500, "b_records": 9000}
    ]
    assert federation_json(federation)["mismatches"] == [
        {"year": "2025", "members": ["a", "b"], "a": "-105.00", "b": "90.00"}
    ]
    warnings = [p for p in federation.problems if p.code == "federation-reconciliation-mismatch"]
    assert [(p.path, p.line) for p in warnings] == [("federation.yml", None)]
    assert (
        "-105.00" in warnings[0].message
        and "90.00" in warnings[0].message
        and "-15.00" in warnings[0].message
    )
    assert federation.flows() == {("a", "b"): 10500, ("b", "a"): 2000}
    assert federation.consolidated() == {}


def test_money_recorded_with_a_member_that_is_left_out_is_not_a_mismatch(tmp_path):
    root = pair(
        tmp_path, ["2025-06-01,To B,-100.00,help,@b"], ["2025-06-01,From A,broken,gifts,@a"]
    )
    federation = load_federation(root, today=TODAY)
    assert member(federation, "b").status == "invalid"
    assert federation.mismatches() == [] and federation.flows() == {}
    assert federation.consolidated() == {}


def test_a_counterparty_that_is_not_a_member_is_ordinary_money(tmp_path):
    root = pair(
        tmp_path,
        ["2025-06-01,To Z,-100.00,help,@z", "2025-06-02,To self,-1.00,help,@a"],
        ["2025-06-01,Dues,5.00,dues,"],
    )
    federation = load_federation(root, today=TODAY)
    assert federation.consolidated() == {"2025": {"equipment": -10100, "dues": 500}}
    assert federation.flows() == {} and federation.mismatches() == []


# -- The cache ----------------------------------------------------------------------------------


class _CallLog:
    """The names check_cooperative was called with, kept in a file: members are checked in
    child processes, whose lists the test would never see."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, name: str) -> None:
        with self.path.open("a", encoding="utf-8") as log:
            log.write(name + "\n")

    def names(self) -> list[str]:
        return self.path.read_text(encoding="utf-8").splitlines() if self.path.exists() else []

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)

    def __len__(self) -> int:
        return len(self.names())

    def __eq__(self, other: object) -> bool:
        return self.names() == other


@pytest.fixture
def count_checks(monkeypatch, tmp_path):
    calls = _CallLog(tmp_path / "checks.log")
    real = federation_module.check_cooperative

    def counting(directory, today=None, **options):
        calls.append(Path(directory).name)
        return real(directory, today, **options)

    monkeypatch.setattr(federation_module, "check_cooperative", counting)
    return calls


def test_an_unchanged_federation_is_answered_from_the_cache(tmp_path, count_checks):
    a = git_member(
        tmp_path / "repos/a", books("A", {"dues": "income"}, ["2026-01-05,Dues,1.00,dues,"])
    )
    git_member(tmp_path / "repos/b", books("B", {"dues": "income"}, ["2026-01-05,Dues,2.00,dues,"]))
    git_member(
        tmp_path / "repos/broken", books("Broken", {"dues": "income"}, ["2026-01-05,Dues,x,dues,"])
    )
    write_files(tmp_path / "fed/c", books("C", {"dues": "income"}, ["2026-01-05,Dues,4.00,dues,"]))
    root = write_federation(
        tmp_path / "fed",
        "  - id: a\n    repo: ../repos/a\n  - id: b\n    repo: ../repos/b\n  - id: broken\n    repo: ../repos/broken\n  - id: c\n    path: c\n",
    )
    first = load_federation(root, today=TODAY)
    assert len(count_checks) == 4
    assert not any(m.cached for m in first.members)
    assert first.consolidated() == {"2026": {"dues": 700}}
    cache = root / CACHE_DIR
    assert (cache / "repositories" / "a").is_dir() and (
        cache / "trees" / "a" / rev(a) / "ledgers" / "cash.csv"
    ).is_file()
    assert len(list((cache / "results").glob("*.json"))) == 4

    count_checks.clear()
    second = load_federation(root, today=TODAY)
    assert count_checks == []
    assert all(m.cached for m in second.members)
    assert [(m.id, m.status, m.commit, m.years, m.reason) for m in second.members] == [
        (m.id, m.status, m.commit, m.years, m.reason) for m in first.members
    ]
    assert second.problems == first.problems

    new = commit(
        a,
        "More dues",
        "2026-02-01",
        {"ledgers/cash.csv": HEADER + "2026-01-05,Dues,1.00,dues,\n2026-02-01,Dues,10.00,dues,\n"},
    )
    count_checks.clear()
    third = load_federation(root, today=TODAY)
    assert len(count_checks) == 1
    assert [(m.id, m.cached) for m in third.members] == [
        ("a", False),
        ("b", True),
        ("broken", True),
        ("c", True),
    ]
    assert member(third, "a").commit == new
    assert third.consolidated() == {"2026": {"dues": 1700}}
    # Only the new commit's tree is kept.
    assert [p.name for p in (cache / "trees" / "a").iterdir()] == [new]


def test_a_changed_local_directory_is_checked_again(tmp_path, count_checks):
    c = write_files(
        tmp_path / "fed/c", books("C", {"dues": "income"}, ["2026-01-05,Dues,4.00,dues,"])
    )
    root = write_federation(tmp_path / "fed", "  - id: c\n    path: c\n")
    load_federation(root, today=TODAY)
    write_files(
        c, {"ledgers/cash.csv": HEADER + "2026-01-05,Dues,4.00,dues,\n2026-01-06,Dues,1.00,dues,\n"}
    )
    count_checks.clear()
    federation = load_federation(root, today=TODAY)
    assert len(count_checks) == 1 and not member(federation, "c").cached
    assert federation.consolidated() == {"2026": {"dues": 500}}


def test_a_changed_map_is_not_answered_from_the_cache(tmp_path, count_checks):
    git_member(
        tmp_path / "repos/a", books("A", {"tools": "expense"}, ["2026-01-05,Saw,-1.00,tools,"])
    )
    root = write_federation(tmp_path / "fed", "  - id: a\n    repo: ../repos/a\n")
    assert load_federation(root, today=TODAY).consolidated() == {"2026": {"other-expense": -100}}
    write_federation(
        tmp_path / "fed", "  - id: a\n    repo: ../repos/a\n    map: {tools: equipment}\n"
    )
    federation = load_federation(root, today=TODAY)
    assert federation.consolidated() == {"2026": {"equipment": -100}}
    assert not member(federation, "a").cached


def test_adding_a_member_re_reads_the_money_recorded_with_it(tmp_path):
    git_member(
        tmp_path / "repos/a",
        books(
            "A",
            {"dues": "income", "help": "expense"},
            ["2026-01-01,Dues,100.00,dues,", "2026-01-02,To C,-30.00,help,@c"],
        ),
    )
    root = write_federation(
        tmp_path / "fed", "  - id: a\n    repo: ../repos/a\n    map: {help: equipment}\n"
    )
    assert load_federation(root, today=TODAY).consolidated() == {
        "2026": {"dues": 10000, "equipment": -3000}
    }
    write_files(
        tmp_path / "fed/c", books("C", {"gifts": "income"}, ["2026-01-02,From A,30.00,gifts,@a"])
    )
    write_federation(
        tmp_path / "fed",
        "  - id: a\n    repo: ../repos/a\n    map: {help: equipment}\n  - id: c\n    path: c\n",
    )
    federation = load_federation(root, today=TODAY)
    assert federation.consolidated() == {"2026": {"dues": 10000}}
    assert federation.mismatches() == []


# -- Federations of federations -----------------------------------------------------------------


def regional(directory: Path) -> Path:
    """A federation with two local members: dues 10.00 + 5.00, tools -4.00 (2026)."""
    write_files(
        directory / "x",
        books(
            "X",
            {"dues": "income", "tools": "expense"},
            ["2026-03-01,Dues,10.00,dues,", "2026-03-02,Saw,-4.00,tools,"],
        ),
    )
    write_files(directory / "y", books("Y", {"dues": "income"}, ["2026-03-01,Dues,5.00,dues,"]))
    return write_federation(
        directory,
        "  - id: x\n    path: x\n  - id: y\n    path: y\n",
        name="Regional",
        categories="categories:\n  dues: {kind: income}\n  tools: {kind: expense}\n",
    )


def test_a_federation_as_a_local_member_counts_with_its_consolidated_figures(tmp_path):
    regional(tmp_path / "fed/regional")
    write_files(tmp_path / "fed/z", books("Z", {"dues": "income"}, ["2026-01-01,Dues,1.00,dues,"]))
    root = write_federation(
        tmp_path / "fed",
        "  - id: regional\n    path: regional\n    map: {tools: equipment}\n  - id: z\n    path: z\n",
    )
    federation = load_federation(root, today=TODAY)
    nested = member(federation, "regional")
    assert nested.ok and nested.nested and nested.name == "Regional"
    assert nested.years == {"2026": {"dues": 1500, "equipment": -400}}
    assert federation.consolidated() == {"2026": {"dues": 1600, "equipment": -400}}
    assert federation.problems == []


def test_a_federation_in_a_git_member_reads_members_inside_its_own_tree(tmp_path):
    files = {
        "federation.yml": "name: Regional\ncurrency: EUR\ncategories:\n  dues: {kind: income}\nmembers:\n  - id: shop\n    path: content/shop\n",
        **{
            f"content/shop/{k}": v
            for k, v in books("Shop", {"dues": "income"}, ["2026-03-01,Dues,10.00,dues,"]).items()
        },
    }
    git_member(tmp_path / "repos/regional", files)
    root = write_federation(tmp_path / "fed", "  - id: regional\n    repo: ../repos/regional\n")
    federation = load_federation(root, today=TODAY)
    nested = member(federation, "regional")
    assert nested.ok and nested.nested, nested.reason
    assert federation.consolidated() == {"2026": {"dues": 1000}}


def test_a_nested_federation_in_another_currency_or_with_errors_is_invalid(tmp_path):
    write_files(
        tmp_path / "fed/usd",
        {
            "federation.yml": "name: U\ncurrency: USD\ncategories:\n  dues: {kind: income}\nmembers:\n  - id: q\n    path: q\n"
        },
    )
    write_files(tmp_path / "fed/bad", {"federation.yml": "name: B\ncurrency: EUR\nmembers: []\n"})
    root = write_federation(
        tmp_path / "fed", "  - id: usd\n    path: usd\n  - id: bad\n    path: bad\n"
    )
    federation = load_federation(root, today=TODAY)
    assert [(m.id, m.status) for m in federation.members] == [
        ("usd", "invalid"),
        ("bad", "invalid"),
    ]
    assert "USD" in member(federation, "usd").reason


def test_a_federation_that_contains_only_itself_stops_at_the_nesting_limit(tmp_path):
    root = write_federation(tmp_path / "fed", "  - id: me\n    path: .\n")
    federation = load_federation(root, today=TODAY)
    assert federation.consolidated() == {}


@pytest.mark.parametrize("cycle", ["self", "pair"])
def test_a_cycle_of_federations_counts_each_cooperative_once(tmp_path, cycle):
    write_files(tmp_path / "x", books("X", {"dues": "income"}, ["2026-01-01,Dues,10.00,dues,"]))
    write_files(tmp_path / "y", books("Y", {"dues": "income"}, ["2026-01-01,Dues,5.00,dues,"]))
    if cycle == "self":
        root = write_federation(
            tmp_path / "a", "  - id: me\n    path: .\n  - id: x\n    path: ../x\n"
        )
        expected = 1000
    else:
        root = write_federation(
            tmp_path / "a", "  - id: b\n    path: ../b\n  - id: x\n    path: ../x\n"
        )
        write_federation(tmp_path / "b", "  - id: a\n    path: ../a\n  - id: y\n    path: ../y\n")
        expected = 1500
    federation = load_federation(root, today=TODAY)
    assert federation.consolidated() == {"2026": {"dues": expected}}


def test_a_change_inside_a_nested_federations_member_is_seen(tmp_path):
    nested = regional(tmp_path / "fed/regional")
    root = write_federation(
        tmp_path / "fed", "  - id: regional\n    path: regional\n    map: {tools: equipment}\n"
    )
    assert load_federation(root, today=TODAY).consolidated() == {
        "2026": {"dues": 1500, "equipment": -400}
    }
    write_files(
        nested / "y",
        {"ledgers/cash.csv": HEADER + "2026-03-01,Dues,5.00,dues,\n2026-03-05,Dues,20.00,dues,\n"},
    )
    assert load_federation(root, today=TODAY).consolidated() == {
        "2026": {"dues": 3500, "equipment": -400}
    }


def test_a_federation_in_a_git_member_cannot_read_directories_outside_its_tree(tmp_path):
    write_files(
        tmp_path / "private",
        books("Private", {"dues": "income"}, ["2026-05-01,Private income,999.00,dues,"]),
    )
    # From fed/.cache/federation/trees/<id>/<commit>/, six levels up is tmp_path.
    escape = "../../../../../../private"
    git_member(
        tmp_path / "repos/sly",
        {
            "federation.yml": f"name: Sly\ncurrency: EUR\ncategories:\n  dues: {{kind: income}}\nmembers:\n  - id: p\n    path: {escape}\n"
        },
    )
    root = write_federation(tmp_path / "fed", "  - id: sly\n    repo: ../repos/sly\n")
    federation = load_federation(root, today=TODAY)
    assert federation.consolidated() == {}
    assert member(federation, "sly").status == "invalid"


# -- Progress ----------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def progress_federation(tmp_path: Path) -> Path:
    git_member(tmp_path / "repos/a", books("A", {"dues": "income"}, ["2026-01-05,Dues,1.00,dues,"]))
    write_files(tmp_path / "fed/b", books("B", {"dues": "income"}, ["2026-01-05,Dues,2.00,dues,"]))
    return write_federation(
        tmp_path / "fed",
        "  - id: a\n    repo: ../repos/a\n  - id: b\n    path: b\n  - id: gone\n    path: gone\n",
    )


def test_progress_prints_one_line_per_member_when_not_a_terminal(tmp_path):
    stream = io.StringIO()
    load_federation(progress_federation(tmp_path), today=TODAY, progress=Progress(stream))
    # Members are checked as soon as they are fetched: the lines come in the order they finish.
    assert sorted(stream.getvalue().splitlines()) == ["a: done", "b: done", "gone: failed"]


def _states(output: str) -> dict[str, list[str]]:
    """member -> the states the terminal line showed for it, in order."""
    states: dict[str, list[str]] = {}
    for segment in output.replace("\n", "").split("\r\033[K")[1:]:
        name, _, state = segment.partition(": ")
        states.setdefault(name, []).append(state)
    return states


def test_progress_rewrites_a_line_per_member_in_a_terminal(tmp_path):
    root = progress_federation(tmp_path)
    stream = FakeTerminal()
    load_federation(root, today=TODAY, progress=Progress(stream))
    assert _states(stream.getvalue()) == {
        "a": ["fetching", "checking", "done"],
        "b": ["checking", "done"],
        "gone": ["failed"],
    }
    assert stream.getvalue().count("\n") == 3  # one finished line per member
    again = FakeTerminal()
    load_federation(root, today=TODAY, progress=Progress(again))
    assert _states(again.getvalue()) == {
        "a": ["fetching", "done"],
        "b": ["done"],
        "gone": ["failed"],
    }


# -- The federation's site ----------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> Riverside & Co"


@pytest.fixture(scope="module")
def federation_site(tmp_path_factory):
    """A federation with every kind of member, built once with the real MkDocs."""
    tmp = tmp_path_factory.mktemp("federation")
    outside = write_files(
        tmp / "outside", {"extra.csv": HEADER + f"2026-02-01,{SECRET},999.00,dues,\n"}
    )
    git_member(tmp / "repos/riverside", books(HOSTILE, RIVERSIDE_CATEGORIES, RIVERSIDE_ROWS))
    write_files(
        tmp / "fed/members/southside",
        books("Southside", SOUTHSIDE_CATEGORIES, SOUTHSIDE_ROWS, public=("City Council",)),
    )
    git_member(
        tmp / "repos/dollars",
        books("Dollars", {"dues": "income"}, ["2025-01-05,Dues,777.00,dues,"], currency="USD"),
    )
    git_member(
        tmp / "repos/broken", books("Broken", {"dues": "income"}, ["2025-01-05,Dues,twelve,dues,"])
    )
    linked = init_repo(tmp / "repos/linked")
    write_files(linked, books("Linked", {"dues": "income"}, ["2025-01-05,Dues,1.00,dues,"]))
    os.symlink(outside / "extra.csv", linked / "ledgers/extra.csv")
    commit(linked, "A link", "2026-01-10")
    root = write_federation(
        tmp / "fed",
        f"""\
        - id: riverside
          repo: ../repos/riverside
          ref: main
          map: {{tools: equipment, rent: premises}}
        - id: southside
          path: members/southside
        - id: dollars
          repo: ../repos/dollars
        - id: broken
          repo: ../repos/broken
        - id: linked
          repo: ../repos/linked
        - id: faraway
          repo: {UNREACHABLE_HTTPS}
        - id: gone
          path: members/gone
        """,
        name="Eastside <em>Federation</em>",
    )
    result = build_site(root, today=TODAY)
    assert result.site_dir is not None
    return root, result


IDS = ["riverside", "southside", "dollars", "broken", "linked", "faraway", "gone"]
STATUSES = {
    "riverside": "ok",
    "southside": "ok",
    "dollars": "invalid",
    "broken": "invalid",
    "linked": "invalid",
    "faraway": "unreachable",
    "gone": "unreachable",
}


def test_the_federation_site_has_every_page(federation_site):
    _, result = federation_site
    site = result.site_dir
    for relative in [
        "index.html",
        "reconciliation/index.html",
        "warnings/index.html",
        "data/index.html",
        "data/federation.json",
        "data/consolidated.csv",
        "data/members.csv",
        "data/datapackage.json",
    ]:
        assert (site / relative).is_file(), relative
    for ident in IDS:
        assert (site / "members" / ident / "index.html").is_file(), ident


def test_the_home_page_lists_every_member_with_its_status_and_reason(federation_site):
    _, result = federation_site
    data = json.loads((result.site_dir / "data/federation.json").read_text(encoding="utf-8"))
    page = (result.site_dir / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL)
    for ident in IDS:
        row = next(r for r in rows if f">{ident}</a></td>" in r)
        assert f"<td>{STATUSES[ident]}" in row, ident
        reason = data["members"][ident]["reason"]
        if STATUSES[ident] != "ok":
            assert reason and reason in html.unescape(row), ident  # &#39; or &#x27;: one escaping
        member_page = (result.site_dir / "members" / ident / "index.html").read_text(
            encoding="utf-8"
        )
        assert f"status: {STATUSES[ident]}" in member_page
    assert "Eastside &lt;em&gt;Federation&lt;/em&gt;" in page and "<em>Federation</em>" not in page


def test_hostile_names_are_escaped_and_secrets_never_published(federation_site):
    root, result = federation_site
    escaped = html.escape(HOSTILE, quote=True)
    assert escaped in (result.site_dir / "index.html").read_text(encoding="utf-8")
    assert escaped in (result.site_dir / "members/riverside/index.html").read_text(encoding="utf-8")
    for path, text in site_text_files(result.site_dir):
        if path.suffix == ".html":
            assert "<script>alert(1)" not in text, path
            assert "<em>Federation" not in text, path
        assert SECRET not in text, path
    assert SECRET not in tree_texts(root / CACHE_DIR)
    assert not any(p.is_symlink() for p in (root / CACHE_DIR).rglob("*"))


def test_federation_json_has_the_shape_of_the_formats(federation_site):
    root, result = federation_site
    data = json.loads((result.site_dir / "data/federation.json").read_text(encoding="utf-8"))
    assert set(data) >= {"members", "years", "mismatches"}
    assert list(data["members"]) == IDS
    for ident, entry in data["members"].items():
        assert set(entry) >= {"commit", "status", "years"}
        assert entry["status"] == STATUSES[ident]
        assert entry["status"] in ("ok", "invalid", "unreachable")
    riverside = git(root.parent / "repos/riverside", "rev-parse", "HEAD").strip()
    assert data["members"]["riverside"]["commit"] == riverside
    assert data["members"]["southside"]["commit"] is None  # a local directory has no commit
    assert (
        data["members"]["faraway"]["commit"] is None and data["members"]["faraway"]["years"] == {}
    )
    for years in [data["years"]] + [m["years"] for m in data["members"].values()]:
        for year, figures in years.items():
            assert re.fullmatch(r"\d{4}", year)
            assert {"income", "expense", "net", "categories"} <= set(figures)
            for value in [
                figures["income"],
                figures["expense"],
                figures["net"],
                *figures["categories"].values(),
            ]:
                assert re.fullmatch(r"-?\d+\.\d{2}", value), value
    assert data["years"]["2025"]["income"] == "1540.00" and data["years"]["2025"]["net"] == "904.50"
    assert data["members"]["riverside"]["years"]["2026"] == {
        "income": "300.00",
        "expense": "200.00",
        "net": "100.00",
        "categories": {"dues": "300.00", "premises": "-200.00"},
        "budget": {},
    }
    assert data["mismatches"] == []


def test_federation_json_years_carry_every_key_of_summary_json(federation_site):
    _, result = federation_site
    data = json.loads((result.site_dir / "data/federation.json").read_text(encoding="utf-8"))
    shape = {"income", "expense", "net", "categories", "budget"}
    assert set(data["members"]["riverside"]["years"]["2025"]) == shape


def test_the_consolidated_csv_is_a_valid_data_package(federation_site):
    from frictionless import Package

    _, result = federation_site
    package = Package(str(result.site_dir / "data/datapackage.json"))
    report = package.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = (result.site_dir / "data/consolidated.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "year,category,kind,amount"
    assert set(rows[1:]) == {
        "2025,dues,income,500.00",
        "2025,equipment,expense,-120.00",
        "2025,grants,income,1000.00",
        "2025,other-expense,expense,-15.50",
        "2025,other-income,income,40.00",
        "2025,premises,expense,-500.00",
        "2026,dues,income,300.00",
        "2026,grants,income,50.00",
        "2026,premises,expense,-200.00",
    }


def test_the_reconciliation_page_shows_the_reconciled_pair(federation_site):
    _, result = federation_site
    page = (result.site_dir / "reconciliation/index.html").read_text(encoding="utf-8")
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL) if "riverside" in r)
    assert "<td>2025</td>" in row and "southside" in row and "reconciled" in row
    sankey = (result.site_dir / "data/charts/solidarity.csv").read_text(encoding="utf-8")
    assert sankey == "from,to,amount\nriverside,southside,100.00\n"


def test_the_build_reports_members_left_out_as_warnings(federation_site):
    _, result = federation_site
    found = {(p.code, p.line) for p in result.problems}
    assert ("federation-member-invalid", 15) in found  # dollars
    assert ("federation-member-unreachable", 21) in found  # faraway
    assert ("federation-category-unmapped", 9) in found
    assert not any(p.is_error for p in result.problems)


def test_publisher_check_on_a_federation_with_members_left_out_exits_0(tmp_path):
    write_files(tmp_path / "fed/a", books("A", {"dues": "income"}, ["2026-01-05,Dues,1.00,dues,"]))
    write_federation(
        tmp_path / "fed", f"  - id: a\n    path: a\n  - id: far\n    repo: {UNREACHABLE_HTTPS}\n"
    )
    result = CliRunner().invoke(main, ["check", str(tmp_path / "fed")])
    assert result.exit_code == 0, result.output
    assert "federation.yml:11: warning: [federation-member-unreachable]" in result.output


def test_publisher_build_on_a_federation_directory(tmp_path):
    write_files(tmp_path / "fed/a", books("A", {"dues": "income"}, ["2026-01-05,Dues,1.00,dues,"]))
    write_federation(tmp_path / "fed", "  - id: a\n    path: a\n  - id: gone\n    path: gone\n")
    result = CliRunner().invoke(
        main, ["build", str(tmp_path / "fed"), "--site-dir", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert "federation.yml:11: warning: [federation-member-unreachable]" in result.output
    data = json.loads((tmp_path / "out/data/federation.json").read_text(encoding="utf-8"))
    assert {k: v["status"] for k, v in data["members"].items()} == {
        "a": "ok",
        "gone": "unreachable",
    }
    assert data["years"] == {
        "2026": {
            "income": "1.00",
            "expense": "0.00",
            "net": "1.00",
            "categories": {"dues": "1.00"},
            "budget": {},
        }
    }
    assert (tmp_path / "out/members/gone/index.html").is_file()


def test_budgets_are_mapped_and_consolidated_like_the_rows(tmp_path):
    files = books("A", {"dues": "income", "tools": "expense"}, ["2026-01-01,Dues,10.00,dues,"])
    files["ledgers/budget.csv"] = "year,category,amount\n2026,dues,120.00\n2026,tools,45.50\n"
    write_files(tmp_path / "fed/a", files)
    files = books("B", {"dues": "income"}, ["2026-01-01,Dues,5.00,dues,"])
    files["ledgers/budget.csv"] = "year,category,amount\n2026,dues,80.00\n"
    write_files(tmp_path / "fed/b", files)
    root = write_federation(
        tmp_path / "fed",
        "  - id: a\n    path: a\n    map: {tools: equipment}\n  - id: b\n    path: b\n",
    )
    data = federation_json(load_federation(root, today=TODAY))
    assert data["members"]["a"]["years"]["2026"]["budget"] == {
        "dues": "120.00",
        "equipment": "45.50",
    }
    assert data["years"]["2026"]["budget"] == {"dues": "200.00", "equipment": "45.50"}


# -- Crafted member trees: the member is invalid, the build goes on -----------------------------


def _blob(repo: Path, text: str) -> str:
    return git(repo, "hash-object", "-w", "--stdin", stdin=text.encode()).strip()


def _raw_tree(repo: Path, entries: list[tuple[str, bytes, str]]) -> str:
    """A tree object written as raw bytes, so that git's own checks cannot tidy the names."""
    data = b"".join(
        mode.encode() + b" " + name + b"\0" + bytes.fromhex(sha) for mode, name, sha in entries
    )
    return git(
        repo, "hash-object", "-t", "tree", "-w", "--literally", "--stdin", stdin=data
    ).strip()


def crafted_member(
    root: Path, extra: list[tuple[str, bytes, str]] | None = None, build=None
) -> Path:
    """A member whose ledgers/ holds good books plus the crafted `extra` entries."""
    repo = init_repo(root)
    good = books("Crafted", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"])
    entries = [
        ("100644", b"accounts.yml", _blob(repo, good["ledgers/accounts.yml"])),
        ("100644", b"cash.csv", _blob(repo, good["ledgers/cash.csv"])),
    ]
    entries += build(repo) if build else extra or []
    ledgers = _raw_tree(repo, entries)
    top = _raw_tree(repo, [("40000", b"ledgers", ledgers)])
    sha = git(repo, "commit-tree", top, "-m", "Crafted", date=stamp("2026-01-10")).strip()
    git(repo, "update-ref", "refs/heads/main", sha)
    return repo


CRAFTED = {
    ".git folder": lambda repo: [
        ("40000", b".git", _raw_tree(repo, [("100644", b"config", _blob(repo, "[core]\n"))]))
    ],
    "300-byte name": lambda repo: [("100644", b"a" * 296 + b".csv", _blob(repo, HEADER))],
    "a blob and a tree of one name": lambda repo: [
        ("100644", b"x", _blob(repo, HEADER)),
        ("40000", b"x", _raw_tree(repo, [("100644", b"y.csv", _blob(repo, HEADER))])),
    ],
    "..": lambda repo: [
        ("40000", b"..", _raw_tree(repo, [("100644", b"x.csv", _blob(repo, HEADER))]))
    ],
    "a/../../x": lambda repo: [("100644", b"a/../../x", _blob(repo, HEADER))],
    "a newline in a name": lambda repo: [("100644", b"ev\nil.csv", _blob(repo, HEADER))],
    "a control character": lambda repo: [("100644", b"\x01.csv", _blob(repo, HEADER))],
    "not UTF-8": lambda repo: [("100644", b"caf\xe9.csv", _blob(repo, HEADER))],
}


@pytest.mark.parametrize("craft", sorted(CRAFTED))
def test_a_crafted_member_tree_makes_the_member_invalid_not_a_traceback(tmp_path, craft):
    crafted_member(tmp_path / "repos/crafted", build=CRAFTED[craft])
    git_member(
        tmp_path / "repos/good", books("Good", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"])
    )
    root = write_federation(
        tmp_path / "fed",
        "  - id: crafted\n    repo: ../repos/crafted\n    ref: main\n  - id: good\n    repo: ../repos/good\n",
    )
    federation = load_federation(root, today=TODAY)
    crafted = member(federation, "crafted")
    assert crafted.status == "invalid" and crafted.reason, crafted
    assert ("federation.yml", 9, "federation-member-invalid") in codes(federation)
    assert member(federation, "good").ok
    assert not (tmp_path / "x").exists() and not (root / CACHE_DIR / "x").exists()


def test_a_crafted_tree_does_not_stop_the_federation_build(tmp_path):
    crafted_member(tmp_path / "repos/crafted", build=CRAFTED["a blob and a tree of one name"])
    root = write_federation(
        tmp_path / "fed", "  - id: crafted\n    repo: ../repos/crafted\n    ref: main\n"
    )
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / "site" / "index.html").is_file()


def test_a_latin_1_authors_file_in_a_member_is_reported_not_a_traceback(tmp_path):
    files = books("Latin", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"])
    repo = git_member(tmp_path / "repos/latin", files)
    (repo / "content/stories").mkdir(parents=True)
    (repo / "content/stories/.authors.yml").write_bytes(
        "authors:\n  a:\n    name: Caf\u00e9\n".encode("latin-1")
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Authors", date=stamp("2026-01-11"))
    root = write_federation(
        tmp_path / "fed", "  - id: latin\n    repo: ../repos/latin\n    ref: main\n"
    )
    latin = member(load_federation(root, today=TODAY), "latin")
    assert latin.status == "invalid" and "file-not-utf8" in latin.reason


# -- Deadlines: a member that never answers cannot stall the build ----------------------------


@pytest.fixture
def silent_https():
    """An https address on 127.0.0.1 that accepts connections and never says a word."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)  # the kernel completes every handshake; nobody ever reads or writes
    yield f"https://127.0.0.1:{server.getsockname()[1]}/silent.git"
    server.close()


def test_members_that_never_answer_are_unreachable_at_the_deadline(tmp_path, silent_https):
    git_member(
        tmp_path / "repos/good", books("Good", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"])
    )
    silent = "".join(
        f"  - id: silent-{n}\n    repo: {silent_https}\n    ref: main\n" for n in range(8)
    )
    root = write_federation(tmp_path / "fed", "  - id: good\n    repo: ../repos/good\n" + silent)
    text = (root / "federation.yml").read_text(encoding="utf-8")
    (root / "federation.yml").write_text("deadline: 2\n" + text, encoding="utf-8")
    federation = load_federation(root, today=TODAY)
    assert member(federation, "good").ok
    for n in range(8):
        result = member(federation, f"silent-{n}")
        assert result.status == "unreachable" and "deadline" in result.reason, result
    assert sum(p.code == "federation-member-unreachable" for p in federation.problems) == 8
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 0, result.output


def test_a_nested_federation_shares_the_parents_remaining_deadline(tmp_path, silent_https):
    inner = write_federation(
        tmp_path / "inner", f"  - id: silent\n    repo: {silent_https}\n    ref: main\n"
    )
    federation = load_federation(inner, today=TODAY, deadline=time.monotonic() + 1)
    silent = member(federation, "silent")
    assert silent.status == "unreachable" and "deadline" in silent.reason
    # A parent whose deadline has passed fetches nothing more, nested federations included.
    federation = load_federation(inner, today=TODAY, deadline=time.monotonic() - 1)
    assert "before it could be fetched" in member(federation, "silent").reason


@pytest.mark.parametrize("value", ["0", "-5", "1.5", "soon", "true", "100000"])
def test_a_deadline_that_is_not_a_number_of_seconds_is_refused(value):
    text = f"name: F\ncurrency: EUR\ndeadline: {value}\ncategories:\n  dues: {{kind: income}}\nmembers:\n  - id: a\n    path: a\n"
    config, problems = parse_federation(text)
    assert config is None and codes_at(problems) == {
        ("federation.yml", 3, "federation-value-invalid")
    }
    config, problems = parse_federation(text.replace(f"deadline: {value}\n", "deadline: 90\n"))
    assert problems == [] and config.deadline == 90


def test_a_site_dir_over_a_members_directory_is_refused(tmp_path):
    write_files(
        tmp_path / "fed/members/b", books("B", {"dues": "income"}, ["2026-01-05,Dues,2.00,dues,"])
    )
    root = write_federation(tmp_path / "fed", "  - id: b\n    path: members/b\n")
    for site_dir in ("members", "members/b", "members/b/ledgers", ".", "federation.yml"):
        result = CliRunner().invoke(main, ["build", str(root), "--site-dir", str(root / site_dir)])
        assert result.exit_code == 2, (site_dir, result.output)
    assert (root / "members/b/ledgers/accounts.yml").is_file() and (
        root / "federation.yml"
    ).is_file()
    assert not (root / CACHE_DIR).exists()  # refused before any member was read


def test_a_federation_inside_its_members_repository_builds_into_its_own_site(tmp_path):
    # As the example federation does: a member is the repository the federation lies in.
    outer = git_member(
        tmp_path / "coop", books("Coop", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"])
    )
    root = write_federation(outer / "federation", "  - id: coop\n    repo: ..\n    ref: main\n")
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 0, result.output
    assert (root / "site" / "index.html").is_file()
    result = CliRunner().invoke(
        main, ["build", str(root), "--site-dir", str(outer / "ledgers" / "site")]
    )
    assert result.exit_code == 2 and (outer / "ledgers" / "accounts.yml").is_file()


# -- Checking a member is bounded: a slow check is cut off, the build goes on -----------------

_real_summarize_member = federation_module.summarize_member


def _summarize_slowly_when_named_slow(member_config, *arguments):
    """Runs in the checking child (pickled by name): the member "slow" never finishes."""
    if member_config.id == "slow":
        time.sleep(120)
    return _real_summarize_member(member_config, *arguments)


def test_a_member_whose_check_is_too_slow_is_cut_off_and_the_others_are_not(tmp_path, monkeypatch):
    monkeypatch.setattr(federation_module, "summarize_member", _summarize_slowly_when_named_slow)
    monkeypatch.setattr(federation_module, "CHECK_SECONDS", 2)
    row = ["2026-01-05,Dues,12.50,dues,"]
    git_member(tmp_path / "repos/good", books("Good", {"dues": "income"}, row))
    git_member(tmp_path / "repos/slow", books("Slow", {"dues": "income"}, row))
    root = write_federation(
        tmp_path / "fed",
        "  - id: good\n    repo: ../repos/good\n  - id: slow\n    repo: ../repos/slow\n",
    )
    started = time.monotonic()
    federation = load_federation(root, today=TODAY)
    assert time.monotonic() - started < 60  # not the 120 s the slow check would take
    good, slow = member(federation, "good"), member(federation, "slow")
    assert good.ok and good.years == {"2026": {"dues": 1250}}
    assert slow.status == "unreachable" and "took longer than 2 seconds" in slow.reason, slow
    assert [(p.path, p.line, p.code) for p in federation.problems] == [
        ("federation.yml", 11, "federation-member-unreachable")
    ]
    result = CliRunner().invoke(main, ["build", str(root)])
    assert result.exit_code == 0, result.output
    # Being cut off is not remembered: once checking is quick again, the member counts.
    monkeypatch.setattr(federation_module, "summarize_member", _real_summarize_member)
    assert member(load_federation(root, today=TODAY), "slow").ok


def test_a_check_cut_off_by_the_deadline_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(federation_module, "summarize_member", _summarize_slowly_when_named_slow)
    git_member(
        tmp_path / "repos/slow", books("Slow", {"dues": "income"}, ["2026-01-05,Dues,12.50,dues,"])
    )
    root = write_federation(tmp_path / "fed", "  - id: slow\n    repo: ../repos/slow\n")
    federation = load_federation(root, today=TODAY, deadline=time.monotonic() + 2)
    slow = member(federation, "slow")
    assert (
        slow.status == "unreachable"
        and "deadline" in slow.reason
        and "while it was checked" in slow.reason
    )
