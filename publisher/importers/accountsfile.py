"""Declaring the categories an import needs in ledgers/accounts.yml, and the organizations it
makes public, keeping everything else.

accounts.yml is written by people, with comments, aligned columns and sections. A YAML dump
would keep the comments but not the layout, so the new categories are inserted as lines of
text after the last category, at the place ruamel.yaml's round-trip loader gives for it, aligned
like the entry above them. Only where `categories` is not a block mapping (written as one
`{…}` flow mapping) is the file dumped again through ruamel.yaml's round-trip, which keeps
comments and order. Either way the result is read back and must declare exactly the old
categories plus the new ones, with everything else unchanged; otherwise nothing is written.
Public counterparties are added the same way, as `- Name` lines after the last one (or a new
`public_counterparties:` list at the end of the file).
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from publisher.accounts import ACCOUNTS_PATH, Accounts, Category, CategoryKind, parse_accounts
from publisher.i18n import _


@dataclass(frozen=True)
class CategorySpec:
    """A category an importer may need, with what to declare when accounts.yml lacks it."""

    key: str
    kind: CategoryKind
    label: str
    placeholder: bool = False  # declared with `placeholder: true`: its rows block publishing


class AccountsEditError(Exception):
    """The categories could not be added without changing something else."""


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ()'./_-]*")


def _scalar(text: str) -> str:
    """A YAML scalar for a flow mapping: plain where that is safe, else double-quoted."""
    return (
        text
        if _PLAIN.fullmatch(text) and not text.endswith(" ")
        else json.dumps(text, ensure_ascii=False)
    )


def _value(spec: CategorySpec) -> str:
    placeholder = ", placeholder: true" if spec.placeholder else ""
    return f"{{kind: {spec.kind}, label: {_scalar(spec.label)}{placeholder}}}"


def declaration(spec: CategorySpec) -> str:
    """The line that declares `spec` under categories:, without its indentation."""
    return f"{_scalar(spec.key)}: {_value(spec)}"


def add_categories(
    text: str, additions: list[CategorySpec], public: list[str] | tuple[str, ...] = ()
) -> str:
    """accounts.yml `text` with `additions` declared at the end of `categories`, and the
    names of `public` added to `public_counterparties`."""
    new_text = text
    if additions:
        yaml = YAML(typ="rt")
        data = yaml.load(text)
        categories = data["categories"]
        inserted = _insert_lines(text, categories, additions)
        new_text = _round_trip(yaml, data, additions) if inserted is None else inserted
    if public:
        new_text = _add_public(new_text, list(public))
    _verify(text, new_text, additions, public)
    return new_text


def public_line(name: str) -> str:
    """The list item that makes `name` public, without its indentation."""
    return f"- {_scalar(name)}"


def _add_public(text: str, names: list[str]) -> str:
    yaml = YAML(typ="rt")
    data = yaml.load(text)
    listed = data.get("public_counterparties")
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if listed is None and "public_counterparties" not in data:
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        added = [f"public_counterparties:{newline}"] + [
            f"  {public_line(n)}{newline}" for n in names
        ]
        return "".join(lines + added)
    if isinstance(listed, CommentedSeq) and listed and not listed.fa.flow_style():
        last_line, column = listed.lc.item(len(listed) - 1)
        # The item's value column is after "- "; the dash stands two columns before it.
        indent = column - 2
        if indent >= 0 and lines[last_line][indent : indent + 2] == "- ":
            if not lines[last_line].endswith(("\n", "\r")):
                lines[last_line] += newline
            added = [f"{' ' * indent}{public_line(n)}{newline}" for n in names]
            return "".join(lines[: last_line + 1] + added + lines[last_line + 1 :])
    if listed is None:
        data["public_counterparties"] = CommentedSeq(names)
    elif isinstance(listed, list):
        listed.extend(names)
    else:
        raise AccountsEditError(_('"public_counterparties" is not a list'))
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _insert_lines(text: str, categories: CommentedMap, additions: list[CategorySpec]) -> str | None:
    if not isinstance(categories, CommentedMap) or not categories or categories.fa.flow_style():
        return None
    keys = list(categories)
    _first_line, indent = categories.lc.key(keys[0])
    last_line, _ = categories.lc.key(keys[-1])
    lines = text.splitlines(keepends=True)
    if any(_indent(lines[categories.lc.key(k)[0]]) != indent for k in keys):
        return None
    # The last entry runs on over the lines indented deeper than the keys (a block value, or a
    # flow mapping broken over lines); comments and blank lines after it stay after the insert.
    end = last_line
    for number in range(last_line + 1, len(lines)):
        stripped = lines[number].strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _indent(lines[number]) <= indent:
            break
        end = number
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    value_column = None
    value_line, column = categories.lc.value(keys[-1])
    if value_line == last_line:
        value_column = column
    new_lines = []
    for spec in additions:
        key = f"{' ' * indent}{_scalar(spec.key)}:"
        padding = max(1, value_column - len(key)) if value_column else 1
        new_lines.append(f"{key}{' ' * padding}{_value(spec)}{newline}")
    if not lines[end].endswith(("\n", "\r")):
        lines[end] += newline
    return "".join(lines[: end + 1] + new_lines + lines[end + 1 :])


def _round_trip(yaml: YAML, data: CommentedMap, additions: list[CategorySpec]) -> str:
    categories = data["categories"]
    for spec in additions:
        value = CommentedMap([("kind", spec.kind), ("label", spec.label)])
        if spec.placeholder:
            value["placeholder"] = True
        value.fa.set_flow_style()
        categories[spec.key] = value
    yaml.width = 4096
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _verify(
    old_text: str,
    new_text: str,
    additions: list[CategorySpec],
    public: list[str] | tuple[str, ...] = (),
) -> None:
    old, _old_problems = parse_accounts(old_text, ACCOUNTS_PATH)
    new, problems = parse_accounts(new_text, ACCOUNTS_PATH)
    if old is None or new is None or problems:
        raise AccountsEditError(_("accounts.yml would no longer be readable"))
    expected: dict[str, Category] = dict(old.categories)
    for spec in additions:
        expected[spec.key] = Category(
            key=spec.key, kind=spec.kind, label=spec.label, placeholder=spec.placeholder
        )
    if new.categories != expected:
        raise AccountsEditError(
            _("the categories would not be exactly the old ones plus the new ones")
        )
    if new.public_counterparties != old.public_counterparties | {n.strip() for n in public}:
        raise AccountsEditError(
            _("the public counterparties would not be the old ones plus the new ones")
        )
    unchanged: Accounts = dataclasses.replace(
        new, categories=old.categories, public_counterparties=old.public_counterparties
    )
    if unchanged != old:
        raise AccountsEditError(_("something other than the categories would change"))
