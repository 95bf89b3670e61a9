"""Federations: many member cooperatives, read from their own repositories, checked with the same
rules, mapped to a common chart of accounts, with the money between members reconciled.

A member's repository is untrusted. It is fetched into the federation's cache (see
`gitrepo.fetch_member`), read from git objects only (never checked out), and only the files
under ledgers/ and content/ are taken, into a fresh directory; a symlink, a submodule or an
oversized file makes the member invalid. Each member's results are cached by its commit, so an
unchanged member is neither checked nor summarized again.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
import multiprocessing
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, cast

from babel import Locale, UnknownLocaleError

from publisher.accounts import KINDS, did_you_mean, minor_units_of
from publisher.cooperative import (
    NotACooperative,
    check_cooperative,
    other_pages_problems,
    read_content,
    read_text_file,
)
from publisher.reading import bidi_closed
from publisher.i18n import N_, LaterMessage, _, english, later, translated
from publisher.links import safe_link
from publisher.gitrepo import MemberFetchError, fetch_member, top_commit, valid_ref
from publisher.money import format_minor
from publisher.problems import Problem, count, problem
from publisher.yamlfile import key_line, load_yaml, mapping_line, value_line

FEDERATION_PATH = "federation.yml"
CACHE_DIR = ".cache/federation"
MEMBER_ID = re.compile(r"[a-z0-9-]+")
_FULL_COMMIT = re.compile(r"[0-9a-f]{40}")
OUTSIDE = "lies outside the repository that names it"
DEADLINE_PASSED_BEFORE_FETCHING = N_(
    "the federation's build deadline (deadline: in federation.yml) passed before it could be "
    "fetched"
)
DEADLINE_PASSED_BEFORE_CHECKING = N_(
    "the federation's build deadline (deadline: in federation.yml) passed before it could be "
    "checked"
)
MEMBER_DIRS = ("ledgers", "content")
MAX_FILE_BYTES = 64 << 20
MAX_MEMBER_BYTES = 256 << 20
FETCH_SECONDS = 120
#: Checking one member (not a nested federation, which has only the deadline) takes at most this.
CHECK_SECONDS = 300
#: The whole build of a federation, its nested federations included, unless federation.yml
#: says otherwise (`deadline: seconds`); members not read by then are shown as unreachable.
DEFAULT_DEADLINE_SECONDS = 600
MAX_DEADLINE_SECONDS = 6 * 3600
FETCH_WORKERS = 4
MAX_NESTING = 3
OTHER_INCOME, OTHER_EXPENSE = "other-income", "other-expense"
#: Bump when the cached results' shape changes, so that old caches are not trusted.
CACHE_VERSION = 5
#: Why a member's measure is left out of the federation's measures: the `reason` of each entry
#: of `unmatched_measures` (docs/formats-notes.md). Stable codes: the pages say them in words.
NO_FEDERATION_MEASURE = "no-federation-measure"
MAPPED_TO_UNDECLARED = "mapped-to-undeclared"
UNIT_DIFFERS = "unit-differs"


_TOP_KEYS = ("name", "currency", "categories", "members", "deadline", "measures", "language")
_REQUIRED_KEYS = ("name", "currency", "categories", "members")
_MEMBER_KEYS = ("id", "repo", "ref", "path", "map", "name", "site", "measures")


@dataclass(frozen=True)
class MemberConfig:
    id: str
    repo: str | None
    ref: str
    path: str | None
    map: dict[str, str]
    line: int | None
    name: str | None = None
    site: str | None = None
    #: member measure key -> federation measure key (a key not listed maps to itself)
    measures: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FederationMeasure:
    key: str
    label: str
    unit: str


@dataclass(frozen=True)
class FederationConfig:
    name: str
    currency: str
    units: int
    categories: dict[str, str]  # key -> kind (income | expense)
    members: tuple[MemberConfig, ...]
    #: seconds the whole build may take (fetching and checking every member)
    deadline: int = DEFAULT_DEADLINE_SECONDS
    #: the measures the federation sums across its members, where the units match
    measures: dict[str, FederationMeasure] = field(default_factory=dict)
    #: category key -> the label readers see (`label:` in federation.yml; the key when absent)
    labels: dict[str, str] = field(default_factory=dict)
    #: the language of the federation's site (a BCP 47 tag, `language:`), whatever its members'
    language: str = "en"

    def label(self, category: str) -> str:
        """The name a reader sees for a category of the federation's chart."""
        if category in self.labels:
            return self.labels[category]
        return {OTHER_INCOME: "Other income", OTHER_EXPENSE: "Other expense"}.get(
            category, category
        )


#: A member read and summed up, one whose data cannot be used, or one that could not be read.
MemberStatus = Literal["ok", "invalid", "unreachable"]


@dataclass
class MemberResult:
    """What the federation knows of one member; JSON-serializable, cached by commit."""

    id: str
    status: MemberStatus
    #: why it is left out, in English (the cache, federation.json and the site keep this)
    reason: str = ""
    #: the same, as a message to translate for the treasurer (None in an older cache entry)
    reason_message: LaterMessage | None = None
    commit: str | None = None
    date: str | None = None  # of the commit
    name: str | None = None
    currency: str | None = None
    #: year -> federation category -> signed minor units (internal movements left out)
    years: dict[str, dict[str, int]] = field(default_factory=dict)
    #: year -> other member id -> signed minor units this member recorded with it
    internal: dict[str, dict[str, int]] = field(default_factory=dict)
    #: year -> federation category -> planned amount (positive), from the member's budgets
    budget: dict[str, dict[str, int]] = field(default_factory=dict)
    #: member category keys that mapped to nothing of the federation's chart
    unmapped: list[str] = field(default_factory=list)
    #: year -> federation measure -> {"quantity", "cost", "cost_per_unit", "saved"} as text
    #: (money as minor-unit integers; None where the member states no cost or reference price)
    measures: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    #: member measures left out, and why, as records: `measure` (the member's key), `label` and
    #: `unit` (from its accounts.yml), `reason` (NO_FEDERATION_MEASURE, MAPPED_TO_UNDECLARED,
    #: UNIT_DIFFERS) and, where the reason names one, `federation_measure` (the key it maps to)
    #: and `federation_unit`; the pages say them in the federation's language
    unmatched_measures: list[dict[str, str]] = field(default_factory=list)
    #: year -> {"created": number of collective assets acquired, "cost": minor units}
    assets: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: int = 0
    warnings: int = 0
    nested: bool = False
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def reason_for_the_treasurer(self) -> str:
        """Why it is left out, in the treasurer's language."""
        return translated(self.reason_message) if self.reason_message else self.reason

    def reason_in(self, language: str | None) -> str:
        """Why it is left out, in `language` (the federation site's)."""
        return translated(self.reason_message, language) if self.reason_message else self.reason


def _left_out(
    member_id: str, status: MemberStatus, reason: LaterMessage, **kwargs: Any
) -> MemberResult:
    """A member left out of the totals, and why (a message marked N_, translated where shown)."""
    return MemberResult(member_id, status, english(reason), reason_message=reason, **kwargs)


@dataclass
class Federation:
    root: Path
    config: FederationConfig
    members: list[MemberResult]
    problems: list[Problem]
    today: dt.date
    #: True when this federation was reached from inside itself
    cycle: bool = False

    def ok_members(self) -> list[MemberResult]:
        return [m for m in self.members if m.ok]

    def consolidated(self) -> dict[str, dict[str, int]]:
        """year -> federation category -> sum over the members that are ok."""
        years: dict[str, dict[str, int]] = {}
        for member in self.ok_members():
            for year, categories in member.years.items():
                target = years.setdefault(year, {})
                for category, value in categories.items():
                    target[category] = target.get(category, 0) + value
        return dict(sorted(years.items()))

    def consolidated_measures(self) -> dict[str, dict[str, Decimal]]:
        """year -> federation measure -> the quantities of the members that are ok, summed."""
        years: dict[str, dict[str, Decimal]] = {}
        for member in self.ok_members():
            for year, measures in member.measures.items():
                target = years.setdefault(year, {})
                for key, figures in measures.items():
                    target[key] = target.get(key, Decimal(0)) + Decimal(figures["quantity"])
        return dict(sorted(years.items()))

    def consolidated_assets(self) -> dict[str, dict[str, int]]:
        """year -> {"created", "cost"}: the collective assets of the members that are ok."""
        years: dict[str, dict[str, int]] = {}
        for member in self.ok_members():
            for year, figures in member.assets.items():
                target = years.setdefault(year, {"created": 0, "cost": 0})
                target["created"] += figures["created"]
                target["cost"] += figures["cost"]
        return dict(sorted(years.items()))

    def consolidated_budget(self) -> dict[str, dict[str, int]]:
        years: dict[str, dict[str, int]] = {}
        for member in self.ok_members():
            for year, categories in member.budget.items():
                target = years.setdefault(year, {})
                for category, value in categories.items():
                    target[category] = target.get(category, 0) + value
        return years

    def kind(self, category: str) -> str:
        if category == OTHER_INCOME:
            return "income"
        if category == OTHER_EXPENSE:
            return "expense"
        return self.config.categories.get(category, "expense")

    def totals(self, categories: dict[str, int]) -> tuple[int, int]:
        """(income, expense) of a year's categories."""
        income = sum(v for k, v in categories.items() if self.kind(k) == "income")
        expense = -sum(v for k, v in categories.items() if self.kind(k) == "expense")
        return income, expense

    def mismatches(self) -> list[dict[str, Any]]:
        """Pairs of members whose records of the money between them are not opposite."""
        ok = {m.id: m for m in self.ok_members()}
        found = []
        for a in sorted(ok):
            for b in sorted(ok):
                if a >= b:
                    continue
                years = set(ok[a].internal) | set(ok[b].internal)
                for year in sorted(years):
                    a_side = ok[a].internal.get(year, {}).get(b, 0)
                    b_side = ok[b].internal.get(year, {}).get(a, 0)
                    if a_side + b_side != 0:
                        found.append(
                            {"year": year, "a": a, "b": b, "a_records": a_side, "b_records": b_side}
                        )
        return found

    def flows(self) -> dict[tuple[str, str], int]:
        """(payer, payee) -> money paid between members that are ok, as the payer records it."""
        ok = {m.id for m in self.ok_members()}
        flows: dict[tuple[str, str], int] = {}
        for member in self.ok_members():
            for year_flows in member.internal.values():
                for other, value in year_flows.items():
                    if other in ok and value < 0:
                        flows[(member.id, other)] = flows.get((member.id, other), 0) - value
        return flows


def is_federation(root: Path | str) -> bool:
    """A federation's repository has federation.yml and no books of its own."""
    root = Path(root)
    return (root / FEDERATION_PATH).is_file() and not (root / "ledgers" / "accounts.yml").is_file()


# -- federation.yml ---------------------------------------------------------------------------


def _parse_language(data: dict, report: Callable[[str, int | None, str], None]) -> str:
    """`language:` of federation.yml, a BCP 47 tag as in accounts.yml ("fr-ca" -> "fr-CA")."""
    if "language" not in data:
        return "en"
    value = data.get("language")
    try:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(value)
        return str(Locale.parse(value.strip().replace("_", "-"), sep="-")).replace("_", "-")
    except (UnknownLocaleError, ValueError, TypeError):
        report(
            "language-unknown",
            value_line(data, "language"),
            f'The language "{value}" is not one the publisher can write the site in; write a '
            'BCP 47 language tag such as "en", "de", "fr-CA" or "pt-BR".',
        )
        return "en"


def parse_federation(
    text: str, path: str = FEDERATION_PATH
) -> tuple[FederationConfig | None, list[Problem]]:
    loaded = load_yaml(text, path)
    if loaded.problems:
        return None, loaded.problems
    data = loaded.data
    problems: list[Problem] = []

    def report(code: str, line: int | None, message: str) -> None:
        problems.append(problem(code, path, line, message))

    if not isinstance(data, dict):
        report(
            "yaml-not-a-mapping",
            mapping_line(data),
            _("federation.yml must be a mapping (name, currency, categories, members)."),
        )
        return None, problems
    for key in data:
        if key not in _TOP_KEYS:
            report(
                "federation-key-unknown",
                key_line(data, key),
                _('"{key}" is not a key of federation.yml.{suggestion}').format(
                    key=key, suggestion=did_you_mean(str(key), _TOP_KEYS)
                ),
            )
    for key in _REQUIRED_KEYS:
        if key not in data:
            report("federation-key-missing", 1, _('federation.yml needs "{key}".').format(key=key))
    deadline = data.get("deadline", DEFAULT_DEADLINE_SECONDS)
    if (
        isinstance(deadline, bool)
        or not isinstance(deadline, int)
        or not 1 <= deadline <= MAX_DEADLINE_SECONDS
    ):
        report(
            "federation-value-invalid",
            value_line(data, "deadline"),
            _(
                '"deadline" is the number of seconds the whole build may take, a whole number from 1 to '
                "{max_deadline_seconds} (default {default_deadline_seconds})."
            ).format(
                max_deadline_seconds=MAX_DEADLINE_SECONDS,
                default_deadline_seconds=DEFAULT_DEADLINE_SECONDS,
            ),
        )
        deadline = DEFAULT_DEADLINE_SECONDS
    name = data.get("name")
    if "name" in data and (not isinstance(name, str) or not name.strip()):
        report(
            "federation-value-invalid",
            value_line(data, "name"),
            '"name" must be a non-empty text.',
        )
    currency = data.get("currency")
    units = minor_units_of(currency) if isinstance(currency, str) else None
    if "currency" in data and units is None:
        report(
            "currency-unknown",
            value_line(data, "currency"),
            _('"{currency}" is not an ISO 4217 currency code such as EUR.').format(
                currency=currency
            ),
        )
    categories: dict[str, str] = {}
    labels: dict[str, str] = {}
    raw_categories = data.get("categories")
    if "categories" in data:
        if not isinstance(raw_categories, dict) or not raw_categories:
            report(
                "federation-value-invalid",
                value_line(data, "categories"),
                _('"categories" must map each category to {kind: income} or {kind: expense}.'),
            )
        else:
            for key, spec in raw_categories.items():
                kind = spec.get("kind") if isinstance(spec, dict) else None
                if not isinstance(key, str) or kind not in ("income", "expense"):
                    report(
                        "federation-value-invalid",
                        key_line(raw_categories, key),
                        _(
                            'The category "{key}" needs a kind, income or expense (the federation consolidates '
                            "only those; transfers and openings stay inside each member). Kinds: {kinds}."
                        ).format(key=key, kinds=", ".join(KINDS)),
                    )
                    continue
                categories[key] = kind
                label = spec.get("label")
                if "label" in spec and (not isinstance(label, str) or not label.strip()):
                    report(
                        "federation-value-invalid",
                        value_line(spec, "label"),
                        _('The label of "{key}" must be a non-empty text.').format(key=key),
                    )
                elif isinstance(label, str):
                    # Read into the charts' sentences and hovers, as a member's labels are.
                    labels[key] = bidi_closed(label.strip())
    members: list[MemberConfig] = []
    raw_members = data.get("members")
    if "members" in data:
        if not isinstance(raw_members, list) or not raw_members:
            report(
                "federation-value-invalid",
                value_line(data, "members"),
                _('"members" must be a list, each item starting with "- id:".'),
            )
        else:
            seen: set[str] = set()
            for index, item in enumerate(raw_members):
                member = _parse_member(item, _item_line(raw_members, index), report)
                if member is None:
                    continue
                if member.id in seen:
                    report(
                        "federation-value-invalid",
                        member.line,
                        _('The member id "{id}" is used twice.').format(id=member.id),
                    )
                    continue
                seen.add(member.id)
                members.append(member)
    measures = _parse_measures(data, report)
    language = _parse_language(data, report)
    if problems:
        return None, problems
    # (each one missing or invalid was reported above)
    assert isinstance(name, str) and isinstance(currency, str) and units is not None
    return (
        FederationConfig(
            name.strip(),
            currency.strip().upper(),
            units,
            categories,
            tuple(members),
            int(deadline),
            measures,
            labels,
            language,
        ),
        problems,
    )


def _parse_measures(
    data: Any, report: Callable[[str, int | None, str], None]
) -> dict[str, FederationMeasure]:
    raw = data.get("measures")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        report(
            "federation-value-invalid",
            value_line(data, "measures"),
            _(
                '"measures" must map each measure to its unit, e.g. "energy: {label: Electricity produced, unit: kWh}".'
            ),
        )
        return {}
    measures: dict[str, FederationMeasure] = {}
    for key, spec in raw.items():
        unit = spec.get("unit") if isinstance(spec, dict) else None
        label = spec.get("label", key) if isinstance(spec, dict) else None
        unknown = [k for k in spec if k not in ("label", "unit")] if isinstance(spec, dict) else []
        if (
            not isinstance(key, str)
            or not isinstance(unit, str)
            or not unit.strip()
            or not isinstance(label, str)
            or unknown
        ):
            report(
                "federation-value-invalid",
                key_line(raw, key),
                _(
                    'The measure "{key}" needs a unit and may have a label, nothing else: '
                    '"{key}: {{label: Electricity produced, unit: kWh}}".'
                ).format(key=key),
            )
            continue
        measures[key] = FederationMeasure(key, bidi_closed(label), bidi_closed(unit.strip()))
    return measures


def _item_line(items: Any, index: int) -> int | None:
    try:
        return items.lc.item(index)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return None


def _parse_member(
    item: Any, line: int | None, report: Callable[[str, int | None, str], None]
) -> MemberConfig | None:
    if not isinstance(item, dict):
        report(
            "federation-value-invalid",
            line,
            'Each member must be a mapping starting with "- id:".',
        )
        return None
    bad = False

    def invalid(key: str, message: str) -> None:
        nonlocal bad
        bad = True
        report("federation-value-invalid", value_line(item, key) or line, message)

    for key in item:
        if key not in _MEMBER_KEYS:
            bad = True
            report(
                "federation-key-unknown",
                key_line(item, key),
                _('"{key}" is not a key of a member.{suggestion}').format(
                    key=key, suggestion=did_you_mean(str(key), _MEMBER_KEYS)
                ),
            )
    ident = item.get("id")
    if not isinstance(ident, str) or not MEMBER_ID.fullmatch(ident):
        invalid(
            "id",
            _(
                'The member id "{ident}" must be lower-case letters, digits and dashes ([a-z0-9-]+).'
            ).format(ident=ident),
        )
    repo, path = item.get("repo"), item.get("path")
    if (repo is None) == (path is None):
        invalid(
            "id",
            _(
                "A member needs exactly one of repo (a git repository) and path (a local directory)."
            ),
        )
    if repo is not None:
        reason = unsafe_repo_reason(repo)
        if reason:
            invalid(
                "repo",
                _('The repository "{repo}" is refused: {reason}.').format(repo=repo, reason=reason),
            )
    if path is not None and (not isinstance(path, str) or not path.strip() or path.startswith("-")):
        invalid(
            "path",
            _('The path "{path}" must be a directory relative to federation.yml.').format(
                path=path
            ),
        )
    ref = item.get("ref", "HEAD")
    if repo is not None and (not isinstance(ref, str) or not valid_ref(ref)):
        invalid(
            "ref",
            _(
                'The ref "{ref}" is refused: give a branch or tag name, or a full 40-character commit.'
            ).format(ref=ref),
        )
    site = item.get("site")
    if site is not None and not _safe_link(site):
        invalid(
            "site",
            _('The site "{site}" must be an https:// address (or a path on this site).').format(
                site=site
            ),
        )
    mapping = item.get("map") or {}
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
    ):
        invalid(
            "map",
            _(
                '"map" must map member categories to federation categories, e.g. {tools: equipment}.'
            ),
        )
        mapping = {}
    measures = item.get("measures") or {}
    if not isinstance(measures, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in measures.items()
    ):
        invalid(
            "measures",
            _(
                '"measures" must map member measures to federation measures, e.g. {solar-kwh: energy}.'
            ),
        )
        measures = {}
    if bad:
        return None
    assert isinstance(ident, str)  # reported as invalid otherwise
    return MemberConfig(
        ident,
        repo,
        ref,
        path,
        dict(mapping),
        line,
        name=str(item["name"]) if item.get("name") else None,
        site=safe_link(item["site"]) if item.get("site") else None,
        measures=dict(measures),
    )


def _safe_link(url: Any) -> bool:
    """An https address, or a path on the same site: no javascript:, data: or other scheme."""
    return safe_link(url) is not None


def unsafe_repo_reason(url: Any) -> str | None:
    """Why a member's repository address is refused, or None: https URLs and local paths only."""
    if not isinstance(url, str) or not url.strip():
        return _("it must be a text")
    if url.startswith("-"):
        return _("it starts with a dash and could be read as an option")
    if "::" in url:
        return _("it names a git transport helper (such as ext::), which could run commands")
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", url):
        if not url.startswith("https://"):
            return _("only https:// addresses and local repositories are allowed")
        if "@" in url.split("/", 3)[2]:
            return _("it carries credentials")
        return None
    # user@host:path before any slash; found by string operations, as the pattern
    # `^[^/]+@[^/]+:` took quadratic time on an address of many "@".
    head = url.split("/", 1)[0]
    at = head.find("@", 1)
    if at != -1 and head.rfind(":") >= at + 2:
        return _("ssh addresses are not allowed; use https://")
    return None


# -- Members ----------------------------------------------------------------------------------


def _config_hash(config: FederationConfig, member: MemberConfig) -> str:
    # The member list is part of the key: whether "@x" is a member changes the results.
    material = json.dumps(
        {
            "v": CACHE_VERSION,
            "categories": config.categories,
            "currency": config.currency,
            "map": member.map,
            "measures": {k: [m.label, m.unit] for k, m in config.measures.items()},
            "measure_map": member.measures,
            "members": sorted(m.id for m in config.members),
        },
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _safe_tree(directory: Path) -> LaterMessage | None:
    """Why a local member directory is unsafe (a symlink, an oversized file), or None."""
    total = 0
    for name in MEMBER_DIRS:
        top = directory / name
        if top.is_symlink():
            return later(N_("{path}/ is a symbolic link"), path=name)
        if not top.exists():
            continue
        for path in top.rglob("*"):
            if path.is_symlink():
                return later(
                    N_("{path} is a symbolic link"), path=path.relative_to(directory).as_posix()
                )
            if path.is_file():
                size = path.stat().st_size
                total += size
                if size > MAX_FILE_BYTES:
                    return later(
                        N_("{path} is larger than {max_bytes:,} bytes"),
                        path=path.relative_to(directory).as_posix(),
                        max_bytes=MAX_FILE_BYTES,
                    )
    if total > MAX_MEMBER_BYTES:
        return later(
            N_("its ledgers and pages hold more than {max_bytes:,} bytes"),
            max_bytes=MAX_MEMBER_BYTES,
        )
    return None


def _directory_fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in MEMBER_DIRS + (FEDERATION_PATH,):
        top = directory / name
        paths = (
            [top]
            if top.is_file()
            else sorted(p for p in top.rglob("*") if p.is_file())
            if top.is_dir()
            else []
        )
        for path in paths:
            stat = path.stat()
            digest.update(
                f"{path.relative_to(directory).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode()
            )
    return "dir-" + digest.hexdigest()[:20]


def summarize_member(
    member: MemberConfig,
    config: FederationConfig,
    directory: Path,
    today: dt.date,
    ids: set[str],
    ancestors: frozenset[str],
    trusted: bool = True,
    deadline: float | None = None,
) -> MemberResult:
    """Check a member's books with the same rules as a single cooperative, and map its figures.

    `trusted` is False for files that came from a member's git repository; `deadline` (a
    time.monotonic() value) bounds a nested federation's own fetching."""
    if is_federation(directory):
        return _nested_member(member, config, directory, today, ancestors, trusted, deadline)
    try:
        # The federation publishes no member's history: it is read only where a closed
        # period needs it for the checks, as `publisher check` does.
        cooperative, problems = check_cooperative(directory, today, history="if-closed")
    except NotACooperative:
        return _left_out(
            member.id,
            "invalid",
            later(N_("it has no ledgers/accounts.yml (neither books nor a federation.yml)")),
        )
    errors, warnings = count(problems)
    if cooperative is None or errors:
        first = next((p for p in problems if p.is_error), None)
        reason = (
            later(
                N_("its books have errors: {count:,} (the first: {path}:{line} [{code}])"),
                count=errors,
                path=first.path,
                line=first.line or "",
                code=first.code,
            )
            if first
            else later(N_("its books have errors: {count:,}"), count=errors)
        )
        return _left_out(member.id, "invalid", reason, errors=errors, warnings=warnings)
    accounts = cooperative.accounts
    if accounts.currency != config.currency:
        return _left_out(
            member.id,
            "invalid",
            later(
                N_("its books are in {currency}, the federation's in {federation_currency}"),
                currency=accounts.currency,
                federation_currency=config.currency,
            ),
            name=accounts.name,
            currency=accounts.currency,
        )
    ledger = cooperative.ledger
    result = MemberResult(
        member.id,
        "ok",
        name=accounts.name,
        currency=accounts.currency,
        errors=errors,
        warnings=warnings,
    )
    if not len(ledger):
        return result
    kinds = accounts.counted_kinds()  # placeholder rows are never income or expense
    unmapped: set[str] = set()
    year = ledger["date"].dt.year.astype("int64").to_numpy()
    amounts = ledger["amount"].astype("int64").to_numpy()
    counterparty = ledger["counterparty"].to_numpy(dtype=object)
    categories = ledger["category"].to_numpy(dtype=object)
    for y, value, other, category in zip(year, amounts, counterparty, categories):
        kind = kinds.get(category)
        if (
            isinstance(other, str)
            and other.startswith("@")
            and other[1:] in ids
            and other[1:] != member.id
        ):
            # Money between members: reconciled, and left out of the consolidated totals.
            internal = result.internal.setdefault(str(y), {})
            internal[other[1:]] = internal.get(other[1:], 0) + int(value)
            continue
        if kind not in ("income", "expense"):
            continue
        target = member.map.get(category, category)
        if target not in config.categories or config.categories[target] != kind:
            unmapped.add(category)
            target = OTHER_INCOME if kind == "income" else OTHER_EXPENSE
        bucket = result.years.setdefault(str(y), {})
        bucket[target] = bucket.get(target, 0) + int(value)
    budget = cooperative.budget
    if len(budget) and "year" in budget.columns:
        for year, category, value in zip(budget["year"], budget["category"], budget["amount"]):
            kind = kinds.get(category)
            if kind not in ("income", "expense"):
                continue
            target = member.map.get(category, category)
            if target not in config.categories or config.categories[target] != kind:
                target = OTHER_INCOME if kind == "income" else OTHER_EXPENSE
            bucket = result.budget.setdefault(str(int(year)), {})
            bucket[target] = bucket.get(target, 0) + int(value)
    result.unmapped = sorted(unmapped)
    _member_measures(result, cooperative, member, config)
    return result


def _member_measures(
    result: MemberResult, cooperative: Any, member: MemberConfig, config: FederationConfig
) -> None:
    """The member's measures in the federation's terms (where the units match) and the
    collective assets it created per year."""
    from publisher.assets import collective_assets
    from publisher.measures import measure_years

    declared = cooperative.accounts.measures
    for key, years in measure_years(cooperative).items():
        target = member.measures.get(key, key)
        wanted = config.measures.get(target)
        unit = declared[key].unit
        left_out = {"measure": key, "label": declared[key].label, "unit": unit}
        if wanted is None:
            result.unmatched_measures.append(
                {**left_out, "reason": MAPPED_TO_UNDECLARED, "federation_measure": target}
                if key in member.measures
                else {**left_out, "reason": NO_FEDERATION_MEASURE}
            )
            continue
        if unit.strip().lower() != wanted.unit.lower():
            result.unmatched_measures.append(
                {
                    **left_out,
                    "reason": UNIT_DIFFERS,
                    "federation_measure": target,
                    "federation_unit": wanted.unit,
                }
            )
            continue
        for year, figures in years.items():
            bucket = result.measures.setdefault(str(year), {})
            if target in bucket:  # two member measures mapped to one: add them up
                previous = bucket[target]
                bucket[target] = {
                    "quantity": str(Decimal(previous["quantity"]) + figures.quantity),
                    "cost": None,
                    "cost_per_unit": None,
                    "saved": None,
                }
                continue
            bucket[target] = {
                "quantity": str(figures.quantity),
                "cost": figures.cost,
                "cost_per_unit": str(figures.cost_per_unit)
                if figures.cost_per_unit is not None
                else None,
                "saved": figures.saved,
            }
    for asset in collective_assets(cooperative):
        acquired = result.assets.setdefault(asset.acquired[:4], {"created": 0, "cost": 0})
        acquired["created"] += 1
        acquired["cost"] += asset.cost or 0


def _nested_member(
    member: MemberConfig,
    config: FederationConfig,
    directory: Path,
    today: dt.date,
    ancestors: frozenset[str],
    trusted: bool,
    deadline: float | None = None,
) -> MemberResult:
    """A member that is itself a federation: its consolidated figures count as its own. It
    shares what is left of this federation's deadline."""
    if len([a for a in ancestors if not _FULL_COMMIT.fullmatch(a)]) > MAX_NESTING:
        return _left_out(
            member.id,
            "invalid",
            later(N_("federations nest deeper than {levels} levels"), levels=MAX_NESTING),
        )
    inner = load_federation(
        directory,
        today=today,
        progress=None,
        ancestors=ancestors,
        trusted=trusted,
        deadline=deadline,
    )
    if inner.cycle:
        return _left_out(
            member.id,
            "invalid",
            later(N_("it contains a federation that contains it: members would count twice")),
        )
    escaping = [m for m in inner.members if m.reason.endswith(OUTSIDE)]
    if escaping:
        return _left_out(
            member.id,
            "invalid",
            later(
                N_(
                    "its federation.yml names a member that lies outside the repository that "
                    "names it"
                )
            ),
        )
    if inner.config is None:
        return _left_out(member.id, "invalid", later(N_("its federation.yml has errors")))
    if inner.config.currency != config.currency:
        return _left_out(
            member.id,
            "invalid",
            later(
                N_("its federation counts in {currency}, this one in {federation_currency}"),
                currency=inner.config.currency,
                federation_currency=config.currency,
            ),
        )
    result = MemberResult(
        member.id, "ok", name=inner.config.name, currency=inner.config.currency, nested=True
    )
    unmapped: set[str] = set()
    for year, categories in inner.consolidated().items():
        for category, value in categories.items():
            kind = inner.kind(category)
            target = member.map.get(category, category)
            if target not in config.categories or config.categories[target] != kind:
                unmapped.add(category)
                target = OTHER_INCOME if kind == "income" else OTHER_EXPENSE
            bucket = result.years.setdefault(year, {})
            bucket[target] = bucket.get(target, 0) + value
    result.unmapped = sorted(unmapped)
    return result


def _cached(cache: Path, key: str) -> MemberResult | None:
    path = cache / "results" / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        result = MemberResult(**data)
    except (OSError, ValueError, TypeError):
        return None
    result.cached = True
    return result


def _store(cache: Path, key: str, result: MemberResult) -> None:
    target = cache / "results" / f"{key}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    data = asdict(result)
    data.pop("cached", None)
    temporary = target.with_suffix(".tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    temporary.replace(target)


@dataclass(frozen=True)
class _Source:
    """Where a member's files are, and the key its results are cached under."""

    key: str
    directory: Path
    commit: str | None
    date: str | None


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def locate_member(
    member: MemberConfig,
    config: FederationConfig,
    root: Path,
    cache: Path,
    progress: Callable[[str, str], None],
    confined: bool,
    deadline: float | None = None,
) -> _Source | MemberResult:
    """Fetch a member (git) or look at its directory; a MemberResult when it cannot be read.

    `confined`: the federation itself came from a member's repository, so its members' local
    paths must stay inside it (an untrusted federation.yml must not read the build machine)."""
    local = (
        member.path
        if member.path is not None
        else (None if (member.repo or "").startswith("https://") else member.repo)
    )
    if confined and local is not None and not _inside((root / local).resolve(), root.resolve()):
        return _left_out(
            member.id,
            "invalid",
            later(N_("{path}: lies outside the repository that names it"), path=local),
        )
    if member.path is not None:
        directory = (root / member.path).resolve()
        if not directory.is_dir():
            return _left_out(
                member.id,
                "unreachable",
                later(N_("the directory {path} does not exist"), path=member.path),
            )
        reason = _safe_tree(directory)
        if reason:
            return _left_out(
                member.id,
                "invalid",
                later(
                    N_("{reason}; members may not hold symbolic links or oversized files"),
                    reason=reason,
                ),
            )
        return _Source(
            f"{member.id}-{_directory_fingerprint(directory)}-{_config_hash(config, member)}",
            directory,
            None,
            None,
        )
    assert member.repo is not None  # a member has a path or a repo (parse_federation)
    progress(member.id, "fetching")
    timeout = FETCH_SECONDS if deadline is None else min(FETCH_SECONDS, deadline - time.monotonic())
    if timeout <= 0:
        return _left_out(member.id, "unreachable", later(DEADLINE_PASSED_BEFORE_FETCHING))
    try:
        fetched = fetch_member(
            member.repo,
            member.ref,
            cache / "repositories" / member.id,
            cache / "trees" / member.id,
            root,
            MEMBER_DIRS + (FEDERATION_PATH,),
            MAX_FILE_BYTES,
            MAX_MEMBER_BYTES,
            timeout,
        )
    except MemberFetchError as error:
        if error.status == "unreachable" and deadline is not None and time.monotonic() >= deadline:
            return _left_out(
                member.id,
                "unreachable",
                later(
                    N_(
                        "the federation's build deadline (deadline: in federation.yml) passed "
                        "while it was fetched ({reason})"
                    ),
                    reason=error.message,
                ),
            )
        return _left_out(member.id, error.status, error.message)
    key = f"{member.id}-{fetched.commit}-{_config_hash(config, member)}"
    return _Source(key, fetched.directory, fetched.commit, fetched.date)


#: True in the child process that checks a member: a nested federation's own members are then
#: checked in that child, bounded by the limit the parent set on it.
_IN_CHECK_CHILD = False


def _check_context() -> multiprocessing.context.ForkContext:
    """Children are forked: a fork costs milliseconds where "spawn" or "forkserver" start an
    interpreter and import pandas. The fetch threads may hold locks at the fork; the child
    takes none of theirs: it checks files (pandas, yaml, no progress output), sends its result
    through its own pipe and leaves with os._exit, flushing no stream a thread may have held.
    Were it ever stuck, it is killed at its limit like a slow check."""
    return multiprocessing.get_context("fork")


def _check_child(sending: Any, check: Callable[..., MemberResult], arguments: tuple) -> None:
    global _IN_CHECK_CHILD
    _IN_CHECK_CHILD = True
    code = 0
    try:
        try:
            outcome: tuple[str, Any] = ("result", check(*arguments))
        except BaseException as error:  # noqa: BLE001 - handed to the parent, which raises it
            outcome = ("error", f"{type(error).__name__}: {error}")
        sending.send(outcome)
        sending.close()
    except BaseException:  # noqa: BLE001 - the parent sees the pipe close without an answer
        code = 1
    finally:
        os._exit(code)


def check_member_bounded(
    member: MemberConfig,
    config: FederationConfig,
    directory: Path,
    today: dt.date,
    ids: set[str],
    ancestors: frozenset[str],
    trusted: bool = True,
    deadline: float | None = None,
) -> MemberResult:
    """`summarize_member` in a child process, killed after CHECK_SECONDS or at the deadline,
    whichever comes first (a nested federation has only the deadline); a member cut off is
    unreachable, with the reason."""
    arguments = (member, config, directory, today, ids, ancestors, trusted, deadline)
    if _IN_CHECK_CHILD:  # inside a nested federation's check: already bounded by its parent
        return summarize_member(*arguments)
    nested = is_federation(directory)
    remaining = None if deadline is None else deadline - time.monotonic()
    limit = (
        remaining
        if nested
        else CHECK_SECONDS
        if remaining is None
        else min(CHECK_SECONDS, remaining)
    )
    if limit is not None and limit <= 0:
        return _left_out(member.id, "unreachable", later(DEADLINE_PASSED_BEFORE_CHECKING))
    context = _check_context()
    receiving, sending = context.Pipe(duplex=False)
    # summarize_member is looked up now, so that a replacement (in a test) reaches the child.
    process = context.Process(
        target=_check_child, args=(sending, summarize_member, arguments), daemon=True
    )
    process.start()
    sending.close()
    outcome: tuple[str, Any] | None = None
    try:
        outcome = receiving.recv() if receiving.poll(limit) else None
    except EOFError:  # the child died without answering (killed, out of memory)
        outcome = ("error", f"the check stopped with exit code {process.exitcode}")
    finally:
        if outcome is None:
            process.kill()
        process.join()
        receiving.close()
    if outcome is None:
        if limit == remaining:
            return _left_out(
                member.id,
                "unreachable",
                later(
                    N_(
                        "the federation's build deadline (deadline: in federation.yml) passed "
                        "while it was checked"
                    )
                ),
            )
        return _left_out(
            member.id,
            "unreachable",
            later(N_("checking it took longer than {seconds} seconds"), seconds=CHECK_SECONDS),
        )
    kind, value = outcome
    if kind == "error":
        raise RuntimeError(f"checking the member {member.id} failed: {value}")
    return cast(MemberResult, value)


def read_member(
    member: MemberConfig,
    source: _Source | MemberResult,
    config: FederationConfig,
    cache: Path,
    today: dt.date,
    ids: set[str],
    ancestors: frozenset[str],
    progress: Callable[[str, str], None],
    trusted: bool = True,
    deadline: float | None = None,
) -> MemberResult:
    """The member's results: from the cache when its commit (or directory) has not changed.

    A member not yet checked when the deadline passes is not checked; one being checked is cut
    off at CHECK_SECONDS or the deadline (see `check_member_bounded`)."""
    if isinstance(source, MemberResult):
        return source
    cached = _cached(cache, source.key)
    if cached is not None:
        return cached
    if deadline is not None and time.monotonic() >= deadline:
        return _left_out(member.id, "unreachable", later(DEADLINE_PASSED_BEFORE_CHECKING))
    progress(member.id, "checking")
    result = check_member_bounded(
        member,
        config,
        source.directory,
        today,
        ids,
        ancestors,
        trusted and source.commit is None,
        deadline,
    )
    result.commit, result.date = source.commit, source.date
    # A nested federation's own members change under it, and a check cut off may finish next
    # time: neither is cached.
    if not result.nested and result.status != "unreachable":
        _store(cache, source.key, result)
    return result


def publication_stopped(federation: Federation) -> bool:
    """Whether the federation's site may not be built: federation.yml cannot be used, or its own
    pages (content/) have an error. Members' problems only leave those members out."""
    # Its pages: content/, or another docs_dir of mkdocs.yml (checked by other_pages_problems).
    own_pages = [p for p in federation.problems if p.path != FEDERATION_PATH]
    return federation.config is None or any(p.is_error for p in own_pages)


def load_federation(
    root: Path | str,
    today: dt.date | None = None,
    progress: Callable[[str, str], None] | None = None,
    ancestors: frozenset[str] = frozenset(),
    trusted: bool = True,
    deadline: float | None = None,
) -> Federation:
    """Read federation.yml, fetch and check every member, and collect what the site shows.

    `ancestors` identify the federations this one is read for (their directories or commits):
    a member found among them would be counted twice, and is refused. A federation that is not
    `trusted` came from a member's repository: its members must lie inside it. `deadline` is
    the time.monotonic() by which a parent federation must be done; this one ends by the
    earlier of it and its own `deadline` from federation.yml."""
    root = Path(root)
    today = today or dt.date.today()
    # A federation is known by its directory and, at the top of a repository, by its commit
    # (a member fetched from git is a new directory each time, at the same commit).
    identities = {str(root.resolve())} | ({commit} if (commit := top_commit(root)) else set())
    if identities & ancestors:
        return Federation(root, None, [], [], today, cycle=True)  # type: ignore[arg-type]
    ancestors = ancestors | identities
    text, problems = read_text_file(root, FEDERATION_PATH)
    if text is None:
        return Federation(root, None, [], problems, today)  # type: ignore[arg-type]
    config, problems = parse_federation(text)
    if config is None:
        return Federation(root, None, [], problems, today)  # type: ignore[arg-type]
    # The federation's own pages are published as a cooperative's are: checked alike (links,
    # named pipes, sizes, live markup), before either engine reads them.
    from publisher.pages import content_page_problems

    content, content_problems = read_content(root)
    problems += content_problems + content_page_problems(content) + other_pages_problems(root)
    own_deadline = time.monotonic() + config.deadline
    deadline = own_deadline if deadline is None else min(deadline, own_deadline)
    cache = root / CACHE_DIR
    ids = {m.id for m in config.members}
    say = progress or (lambda member, state: None)
    # Fetching waits on git and the network: members are fetched a few at a time. Checking is
    # Python's work and runs one member after the other.
    # Each member is checked as soon as it is fetched, so that one that never answers does not
    # hold back the checking of the others until the deadline.
    by_member: dict[int, MemberResult] = {}
    with ThreadPoolExecutor(max_workers=FETCH_WORKERS) as pool:
        # Each fetch runs in a copy of this thread's context, so that what it says is in the
        # treasurer's language (`--lang`): a worker thread starts with an empty context.
        fetching = {
            pool.submit(
                contextvars.copy_context().run,
                locate_member,
                m,
                config,
                root,
                cache,
                say,
                not trusted,
                deadline,
            ): index
            for index, m in enumerate(config.members)
        }
        for future in as_completed(fetching):
            member = config.members[fetching[future]]
            result = read_member(
                member,
                future.result(),
                config,
                cache,
                today,
                ids,
                ancestors,
                say,
                trusted,
                deadline,
            )
            say(member.id, "done" if result.ok else "failed")
            by_member[fetching[future]] = result
    results = [by_member[index] for index in range(len(config.members))]
    for member, result in zip(config.members, results):
        line = member.line
        if result.status == "invalid":
            problems.append(
                problem(
                    "federation-member-invalid",
                    FEDERATION_PATH,
                    line,
                    _('The member "{id}" is left out of the totals: {reason}.').format(
                        id=member.id, reason=result.reason_for_the_treasurer()
                    ),
                )
            )
        elif result.status == "unreachable":
            problems.append(
                problem(
                    "federation-member-unreachable",
                    FEDERATION_PATH,
                    line,
                    _('The member "{id}" is left out of the totals: {reason}.').format(
                        id=member.id, reason=result.reason_for_the_treasurer()
                    ),
                )
            )
        for category in result.unmapped:
            problems.append(
                problem(
                    "federation-category-unmapped",
                    FEDERATION_PATH,
                    line,
                    _(
                        'The category "{category}" of member "{id}" matches no category of the federation '
                        "and counts as other income or other expense. Map it with map: {{{category}: …}}."
                    ).format(category=category, id=member.id),
                )
            )
    federation = Federation(root, config, results, problems, today)
    units = config.units
    for mismatch in federation.mismatches():
        problems.append(
            problem(
                "federation-reconciliation-mismatch",
                FEDERATION_PATH,
                None,
                _(
                    "In {year}, {member} records {member_records} with "
                    "@{other_member}, and {other_member} records {other_records} with "
                    "@{member}: the two should be opposite (a difference of "
                    "{imbalance})."
                ).format(
                    year=mismatch["year"],
                    member=mismatch["a"],
                    member_records=format_minor(mismatch["a_records"], units),
                    other_member=mismatch["b"],
                    other_records=format_minor(mismatch["b_records"], units),
                    imbalance=format_minor(mismatch["a_records"] + mismatch["b_records"], units),
                ),
            )
        )
    return federation


#: The fields of a measure left out that federation.json carries: keys, units and the reason's
#: code, the same in every language (the label is the member's to show, on its own pages).
_UNMATCHED_FIELDS = ("measure", "unit", "reason", "federation_measure", "federation_unit")


def _unmatched_shape(record: dict[str, str]) -> dict[str, str]:
    return {k: record[k] for k in _UNMATCHED_FIELDS if record.get(k) is not None}


def federation_json(federation: Federation) -> dict:
    """site/data/federation.json, in the shape of the formats specification."""
    config = federation.config
    units = config.units

    def year_shape(categories: dict[str, int], budget: dict[str, int]) -> dict:
        income, expense = federation.totals(categories)
        return {
            "income": format_minor(income, units),
            "expense": format_minor(expense, units),
            "net": format_minor(income - expense, units),
            "categories": {k: format_minor(v, units) for k, v in sorted(categories.items())},
            "budget": {k: format_minor(v, units) for k, v in sorted(budget.items())},
        }

    def years_shape(years: dict[str, dict[str, int]], budgets: dict[str, dict[str, int]]) -> dict:
        return {
            y: year_shape(years.get(y, {}), budgets.get(y, {}))
            for y in sorted(set(years) | set(budgets))
        }

    return {
        "name": config.name,
        "currency": config.currency,
        "members": {
            m.id: {
                "commit": m.commit,
                "status": m.status,
                "reason": m.reason or None,
                "years": years_shape(m.years, m.budget),
                # Additions to FORMATS (docs/formats-notes.md), only where there are some.
                **(
                    {"unmatched_measures": [_unmatched_shape(u) for u in m.unmatched_measures]}
                    if m.unmatched_measures
                    else {}
                ),
                **(
                    {
                        "assets": {
                            y: {"created": f["created"], "cost": format_minor(f["cost"], units)}
                            for y, f in sorted(m.assets.items())
                        }
                    }
                    if m.assets
                    else {}
                ),
            }
            for m in federation.members
        },
        "years": years_shape(federation.consolidated(), federation.consolidated_budget()),
        "mismatches": [
            {
                "year": m["year"],
                "members": [m["a"], m["b"]],
                m["a"]: format_minor(m["a_records"], units),
                m["b"]: format_minor(m["b_records"], units),
            }
            for m in federation.mismatches()
        ],
        # Additions to FORMATS (docs/formats-notes.md), only where measures or assets are kept.
        **({"measures": _measures_shape(federation)} if config.measures else {}),
        **(
            {
                "assets": {
                    y: {"created": f["created"], "cost": format_minor(f["cost"], units)}
                    for y, f in assets.items()
                }
            }
            if (assets := federation.consolidated_assets())
            else {}
        ),
    }


def _measures_shape(federation: Federation) -> dict:
    """Per federation measure: its label and unit, the sum per year, and each member's
    quantity and cost per unit beside it."""
    units = federation.config.units
    consolidated = federation.consolidated_measures()
    money = lambda v: format_minor(v, units) if v is not None else None
    return {
        key: {
            "label": measure.label,
            "unit": measure.unit,
            "years": {
                year: {
                    "quantity": str(figures[key]),
                    "members": {
                        m.id: {
                            "quantity": m.measures[year][key]["quantity"],
                            "cost": money(m.measures[year][key]["cost"]),
                            "cost_per_unit": m.measures[year][key]["cost_per_unit"],
                            "saved": money(m.measures[year][key]["saved"]),
                        }
                        for m in federation.ok_members()
                        if key in m.measures.get(year, {})
                    },
                }
                for year, figures in consolidated.items()
                if key in figures
            },
        }
        for key, measure in federation.config.measures.items()
    }


class Progress:
    """Per member: a line that changes in a terminal (fetching, checking, done, failed); one
    plain line per member when the output is not a terminal (CI)."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.terminal = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.lock = threading.Lock()  # members are fetched from several threads

    def __call__(self, member: str, state: str) -> None:
        with self.lock:
            self._show(member, state)

    def _show(self, member: str, state: str) -> None:
        if self.terminal:
            end = "\n" if state in ("done", "failed") else ""
            self.stream.write(f"\r\033[K{member}: {state}{end}")
            self.stream.flush()
        elif state in ("done", "failed"):
            self.stream.write(f"{member}: {state}\n")
            self.stream.flush()
