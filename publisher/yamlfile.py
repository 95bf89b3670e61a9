"""Reading YAML written by people (accounts.yml, front matter, federation.yml) safely.

Every YAML file is untrusted. Before anything is built from it, the event stream is scanned
with bounds on nesting and on the size that aliases expand to, so that an alias bomb or a
deeply nested document is refused in milliseconds instead of hanging the build. The loader
builds only plain mappings, lists and scalars (unknown tags stay inert text), keeps the line
of every key for problem reports, refuses duplicate keys, and reads every non-integer number
as an exact `Decimal` from its source text.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    NodeEvent,
    ScalarEvent,
)

from publisher.i18n import _
from publisher.problems import Problem, did_you_mean, problem

MAX_YAML_BYTES = 1 << 20
MAX_DEPTH = 20
#: How many values a document may hold once every alias is expanded.
MAX_EXPANDED_NODES = 50_000


class _ExactConstructor(RoundTripConstructor):
    """Round-trip constructor that reads floats as Decimal, from the text as written."""


def _construct_decimal(constructor: RoundTripConstructor, node: Any) -> Decimal | str:
    text = constructor.construct_scalar(node)
    try:
        return Decimal(str(text))  # 1_000.5 stays text: amounts are written without separators
    except InvalidOperation:  # .inf, .nan: keep the text, let the caller reject it
        return str(text)


def _construct_timestamp(constructor: RoundTripConstructor, node: Any) -> Any:
    try:
        return RoundTripConstructor.construct_yaml_timestamp(constructor, node)
    except (ValueError, TypeError, OverflowError):
        # 2025-02-30: keep the text, so that the caller reports the key with its line
        return str(constructor.construct_scalar(node))


_ExactConstructor.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_ExactConstructor.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _new_loader() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _ExactConstructor
    yaml.allow_duplicate_keys = False
    return yaml


@dataclass(frozen=True)
class YamlResult:
    data: Any
    problems: list[Problem]


def _mark_line(error: MarkedYAMLError, line_offset: int) -> int | None:
    mark = error.problem_mark or error.context_mark
    return None if mark is None else mark.line + 1 + line_offset


def _scan_bounds(yaml: YAML, text: str, path: str, line_offset: int) -> Problem | None:
    """Refuse documents nested too deep or that expand too far through aliases."""
    sizes: dict[str, int] = {}
    # One frame per open collection: [anchor, values inside so far]
    stack: list[list[Any]] = [[None, 0]]
    for event in yaml.parse(text):
        line = event.start_mark.line + 1 + line_offset if event.start_mark else None
        if isinstance(event, CollectionStartEvent):
            stack.append([event.anchor, 1])
            if len(stack) - 1 > MAX_DEPTH:
                return problem(
                    "yaml-too-deep",
                    path,
                    line,
                    _(
                        "This YAML is nested more than {max_depth} levels deep; none of the "
                        "formats needs that. Flatten the structure."
                    ).format(max_depth=MAX_DEPTH),
                )
        elif isinstance(event, CollectionEndEvent):
            anchor, size = stack.pop()
            stack[-1][1] += size
            if anchor:
                sizes[anchor] = size
        elif isinstance(event, AliasEvent):
            stack[-1][1] += sizes.get(event.anchor, 1)
        elif isinstance(event, ScalarEvent):
            stack[-1][1] += 1
            if event.anchor:
                sizes[event.anchor] = 1
        if isinstance(event, NodeEvent) and sum(frame[1] for frame in stack) > MAX_EXPANDED_NODES:
            return problem(
                "yaml-too-many-aliases",
                path,
                line,
                _(
                    "Through its aliases (*name) this YAML expands to more than "
                    "{max_expanded_nodes:,} values. Write the values out instead of repeating aliases."
                ).format(max_expanded_nodes=MAX_EXPANDED_NODES),
            )
    return None


def load_yaml(text: str, path: str, line_offset: int = 0) -> YamlResult:
    """Parse YAML text from `path`; problems instead of exceptions.

    `line_offset` is added to every line, for YAML that starts further down a file (front
    matter starts on line 2 of a Markdown file).
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        return YamlResult(
            None,
            [
                problem(
                    "file-too-large",
                    path,
                    None,
                    _("This YAML is larger than {max_yaml_bytes:,} bytes.").format(
                        max_yaml_bytes=MAX_YAML_BYTES
                    ),
                )
            ],
        )
    yaml = _new_loader()
    try:
        bound = _scan_bounds(yaml, text, path, line_offset)
        if bound is not None:
            return YamlResult(None, [bound])
        data = _new_loader().load(text)
    except DuplicateKeyError as error:
        line = _mark_line(error, line_offset)
        key = str(error.problem).split('"')[1] if '"' in str(error.problem) else "a key"
        return YamlResult(
            None,
            [
                problem(
                    "yaml-duplicate-key",
                    path,
                    line,
                    _(
                        'The key "{key}" appears twice in the same mapping; keep one of them.'
                    ).format(key=key),
                )
            ],
        )
    except MarkedYAMLError as error:
        line = _mark_line(error, line_offset)
        what = _excerpt((error.problem or error.context or _("invalid YAML")).strip())
        return YamlResult(
            None,
            [
                problem(
                    "yaml-syntax",
                    path,
                    line,
                    _(
                        "This YAML cannot be read ({what}). Check the indentation and the "
                        "quoting on this line."
                    ).format(what=what),
                )
            ],
        )
    except Exception as error:  # noqa: BLE001
        # ruamel raises a variety of exceptions (IndexError, KeyError, AssertionError…) for
        # values it cannot build, such as "0x_" or "!!bool maybe"; all mean the same here.
        line = _unbuildable_line(text)
        return YamlResult(
            None,
            [
                problem(
                    "yaml-syntax",
                    path,
                    None if line is None else line + line_offset,
                    _(
                        "This YAML cannot be read ({name}: {excerpt}). Check the "
                        "values written with a special form (numbers with 0x, tags with !!)."
                    ).format(name=type(error).__name__, excerpt=_excerpt(str(error))),
                )
            ],
        )
    return YamlResult(data, [])


#: What a message quotes of a parser's explanation: a file's lines are never echoed at length.
MAX_EXCERPT = 80


def _excerpt(text: str) -> str:
    """A parser's explanation, cut short and on one line: it may quote the file."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_EXCERPT else text[: MAX_EXCERPT - 1] + "…"


def _unbuildable_line(text: str) -> int | None:
    """The line of the first value the constructor cannot build, found node by node."""
    loader = _new_loader()
    try:
        root = loader.compose(text)
    except Exception:  # noqa: BLE001
        return None
    pending = [root]
    while pending:
        node = pending.pop(0)
        if node is None:
            continue
        if isinstance(node.value, list):
            for item in node.value:
                pending.extend(item if isinstance(item, tuple) else [item])
            continue
        try:
            loader.constructor.construct_object(node, deep=True)
        except Exception:  # noqa: BLE001
            return node.start_mark.line + 1
    return None


def key_line(mapping: Any, key: Any, line_offset: int = 0) -> int | None:
    """1-based line of `key` in a loaded mapping, or None where it is not known."""
    try:
        return mapping.lc.key(key)[0] + 1 + line_offset
    except (AttributeError, KeyError, TypeError):
        return None


def value_line(mapping: Any, key: Any, line_offset: int = 0) -> int | None:
    if mapping.get(key) is None:
        # An empty value has no position of its own (ruamel gives the next token's).
        return key_line(mapping, key, line_offset)
    try:
        return mapping.lc.value(key)[0] + 1 + line_offset
    except (AttributeError, KeyError, TypeError):
        return key_line(mapping, key, line_offset)


def mapping_line(node: Any, line_offset: int = 0) -> int | None:
    line = getattr(getattr(node, "lc", None), "line", None)
    return None if line is None else line + 1 + line_offset


def describe(value: Any) -> str:
    """A YAML value as a message names it: empty, a mapping, a list, or "the value"."""
    if value is None:
        return _("empty")
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    return f'"{value}"'


class YamlChecker:
    """Collects problems while validating a loaded YAML file; one per bad key or value.

    Subclasses name the code of an unknown key (`unknown_code`) and add their own readers."""

    unknown_code = ""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def report(self, code: str, line: int | None, message: str) -> None:
        self.problems.append(problem(code, self.path, line, message))

    def unknown_keys(self, mapping: Any, allowed: tuple[str, ...], where: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.report(
                    self.unknown_code,
                    key_line(mapping, key),
                    _(
                        '"{key}" is not a key of {where}.{suggestion} The keys are: {allowed}.'
                    ).format(
                        key=key,
                        where=where,
                        suggestion=did_you_mean(str(key), allowed),
                        allowed=", ".join(allowed),
                    ),
                )
