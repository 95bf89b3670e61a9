"""The files an import writes: categories added to accounts.yml without disturbing it, rows
appended to a ledger byte for byte, the atomic write."""

from __future__ import annotations

import os

import pytest

from publisher.accounts import parse_accounts
from publisher.importers.accountsfile import AccountsEditError, CategorySpec, add_categories
from publisher.importers.ledgerfile import write_atomic

NEW = [
    CategorySpec("contributions", "income", "Contributions and other income (Open Collective)"),
    CategorySpec("host-fees", "expense", "Fiscal host fees"),
]


def added_lines(before: str, after: str) -> list[str]:
    """The lines of `after` that are not in `before`, asserting nothing else changed."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert [line for line in new if line in old] == old
    return [line for line in new if line not in old]


def test_new_categories_follow_the_last_one_aligned_like_it():
    text = (
        "name: X\ncurrency: EUR\n# chart\ncategories:\n"
        "  dues:        {kind: income}   # members\n"
        "  rent:        {kind: expense}\n"
        "\n# who is public\npublic_counterparties:\n  - City Council\n"
    )
    after = add_categories(text, NEW)
    assert added_lines(text, after) == [
        "  contributions: {kind: income, label: Contributions and other income (Open Collective)}\n",
        "  host-fees:   {kind: expense, label: Fiscal host fees}\n",
    ]
    assert after.index("host-fees") < after.index("\n\n# who is public")


def test_a_last_category_written_as_a_block_keeps_its_lines():
    text = "name: X\ncurrency: EUR\ncategories:\n  rent:\n    kind: expense\n    # a comment inside\n    label: Rent\nfunds: {general: G}\n"
    after = add_categories(text, NEW[:1])
    assert (
        after.splitlines()[7]
        == "  contributions: {kind: income, label: Contributions and other income (Open Collective)}"
    )
    accounts, problems = parse_accounts(after)
    assert not problems and list(accounts.categories) == ["rent", "contributions"]


def test_crlf_and_a_missing_final_newline_are_kept():
    text = "name: X\r\ncurrency: EUR\r\ncategories:\r\n  dues: {kind: income}"
    after = add_categories(text, NEW[:1])
    assert after.startswith(text + "\r\n  contributions:")
    assert "\n" not in after.replace("\r\n", "")


def test_categories_as_one_flow_mapping_go_through_the_round_trip_keeping_comments():
    text = "# our books\nname: X  # the name\ncurrency: EUR\ncategories: {dues: {kind: income}}\n"
    after = add_categories(text, NEW)
    assert "# our books" in after and "# the name" in after
    accounts, problems = parse_accounts(after)
    assert not problems
    assert [c.kind for c in accounts.categories.values()] == ["income", "income", "expense"]


def test_labels_and_keys_that_need_quotes_are_quoted():
    after = add_categories(
        "name: X\ncurrency: EUR\ncategories:\n  dues: {kind: income}\n",
        [CategorySpec("frais: bancaires", "expense", "Frais, commissions {banque}")],
    )
    accounts, problems = parse_accounts(after)
    assert not problems
    assert accounts.categories["frais: bancaires"].label == "Frais, commissions {banque}"


def test_an_edit_that_would_change_anything_else_is_refused(monkeypatch):
    from publisher.importers import accountsfile

    monkeypatch.setattr(accountsfile, "_insert_lines", lambda text, *_: text.replace("EUR", "USD"))
    with pytest.raises(AccountsEditError):
        add_categories("name: X\ncurrency: EUR\ncategories:\n  dues: {kind: income}\n", NEW)


def test_write_atomic_replaces_the_file_and_keeps_its_permissions(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert (path.stat().st_mode & 0o777) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.csv"]


def test_write_atomic_leaves_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "ledger.csv"
    path.write_bytes(b"old")

    def full_disk(descriptor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        write_atomic(path, b"new")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.csv"]
