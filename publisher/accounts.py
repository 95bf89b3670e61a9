"""ledgers/accounts.yml: the cooperative's name, currency, funds, categories and dialect."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from babel import Locale, UnknownLocaleError
from babel.localedata import locale_identifiers
from babel.numbers import get_currency_precision, list_currencies

from publisher.i18n import _
from publisher.problems import Problem, did_you_mean
from publisher.reading import bidi_closed
from publisher.yamlfile import YamlChecker, describe, key_line, load_yaml, mapping_line, value_line

ACCOUNTS_PATH = "ledgers/accounts.yml"
#: What a category's rows are: money in, money out, between funds, or a fund's opening balance.
CategoryKind = Literal["income", "expense", "transfer", "opening"]
KINDS: tuple[CategoryKind, ...] = ("income", "expense", "transfer", "opening")
DEFAULT_FUND = "general"
DELIMITERS = (",", ";", "\t", "|")
DECIMAL_MARKS = (".", ",")

_TOP_KEYS = (
    "name",
    "currency",
    "funds",
    "categories",
    "public_counterparties",
    "closed_through",
    "csv",
    "language",
    "licence",
    "measures",
)
_REQUIRED_KEYS = ("name", "currency", "categories")
_CATEGORY_KEYS = ("kind", "label", "capital", "placeholder")

#: The bank importers' category for rows still to be categorized: a placeholder by its key.
PLACEHOLDER_KEY = "uncategorized"
_CSV_KEYS = ("delimiter", "decimal")
_FUND_KEYS = ("label", "description")
_LICENCE_KEYS = ("id", "title", "path")

#: The language the site is written for when accounts.yml names none (a BCP 47 tag).
DEFAULT_LANGUAGE = "en"

#: An SPDX-like licence id: letters, digits, ".", "+" and "-" (what frictionless accepts as a
#: licence name, and every SPDX and Open Definition id).
_LICENCE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]{0,63}")


@dataclass(frozen=True)
class Licence:
    """The licence the published data are offered under (`licence:` in accounts.yml)."""

    id: str
    title: str
    #: where its text is (a web address), or "" when unknown
    path: str = ""


#: Licences the publisher knows by their id: their title and text, so that `licence: CC-BY-4.0`
#: is enough. Another licence can be used by giving its title and path.
KNOWN_LICENCES: dict[str, Licence] = {
    licence.id: licence
    for licence in (
        Licence(
            "CC-BY-4.0",
            "Creative Commons Attribution 4.0",
            "https://creativecommons.org/licenses/by/4.0/",
        ),
        Licence(
            "CC-BY-SA-4.0",
            "Creative Commons Attribution-ShareAlike 4.0",
            "https://creativecommons.org/licenses/by-sa/4.0/",
        ),
        Licence(
            "CC0-1.0",
            "Creative Commons Zero v1.0 Universal",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        ),
        Licence(
            "ODC-PDDL-1.0",
            "Open Data Commons Public Domain Dedication and License v1.0",
            "https://opendatacommons.org/licenses/pddl/1-0/",
        ),
        Licence(
            "ODC-BY-1.0",
            "Open Data Commons Attribution License v1.0",
            "https://opendatacommons.org/licenses/by/1-0/",
        ),
        Licence(
            "ODbL-1.0",
            "Open Data Commons Open Database License v1.0",
            "https://opendatacommons.org/licenses/odbl/1-0/",
        ),
    )
}

#: The licence of books whose accounts.yml names none: attribution only, the usual licence of
#: public open data, so that anyone may reuse the books as long as they say where they come from.
DEFAULT_LICENCE = KNOWN_LICENCES["CC-BY-4.0"]
_MEASURE_KEYS = ("label", "unit", "kind", "negative", "cost", "reference_price", "reference_source")
#: "total": the quantities of a period add up (kWh produced, tools lent); "level": each row is
#: a reading on its day and the last one of a period stands (members, tools in the library).
MEASURE_KINDS = ("total", "level")
#: Quantities and reference prices carry at most this many decimals (0.000001 kWh is enough).
MAX_QUANTITY_DECIMALS = 6
#: ... and at most this many digits before the point: more is a typo, not a count.
MAX_QUANTITY_DIGITS = 15


@dataclass(frozen=True)
class Category:
    key: str
    kind: CategoryKind
    label: str
    capital: bool = False
    #: an importer's holding place for rows still to be categorized (`placeholder: true`)
    placeholder: bool = False

    @property
    def is_placeholder(self) -> bool:
        """Rows here are not yet categorized: never counted as income or expense."""
        return self.placeholder or self.key == PLACEHOLDER_KEY


@dataclass(frozen=True)
class Measure:
    """Something the cooperative does or has, counted in `unit` (ledgers/measures.csv)."""

    key: str
    label: str
    unit: str
    kind: str = "total"
    #: whether a quantity may be below zero (energy bought back from the grid, say)
    negative: bool = False
    #: the expense categories whose spending is the cost of this measure
    cost: tuple[str, ...] = ()
    #: what members would pay elsewhere for one unit, in the books' currency, and who says so
    reference_price: Decimal | None = None
    reference_source: str = ""


@dataclass(frozen=True)
class Dialect:
    delimiter: str = ","
    decimal: str = "."


@dataclass(frozen=True)
class Accounts:
    name: str
    currency: str
    minor_units: int
    #: fund key -> description, in the order written; the first is the default fund.
    funds: dict[str, str]
    categories: dict[str, Category]
    public_counterparties: frozenset[str] = frozenset()
    closed_through: dt.date | None = None
    dialect: Dialect = field(default_factory=Dialect)
    #: fund key -> the name readers see (`{label: ...}`, else the plain description)
    fund_labels: dict[str, str] = field(default_factory=dict)
    #: the site's language as a BCP 47 tag ("en", "fr-CA"): how money is written for people
    language: str = DEFAULT_LANGUAGE
    licence: Licence = DEFAULT_LICENCE
    #: measure key -> its declaration, in the order written
    measures: dict[str, Measure] = field(default_factory=dict)

    @property
    def default_fund(self) -> str:
        return next(iter(self.funds))

    def fund_label(self, key: str) -> str:
        """What readers see for a fund: its label, else its description, else its key."""
        return self.fund_labels.get(key) or self.funds.get(key) or key

    def kinds(self) -> dict[str, str]:
        return {key: c.kind for key, c in self.categories.items()}

    @property
    def placeholders(self) -> frozenset[str]:
        """The categories that hold rows still to be categorized."""
        return frozenset(key for key, c in self.categories.items() if c.is_placeholder)

    def counted_kinds(self) -> dict[str, str]:
        """The kinds of the categories whose rows count in totals: placeholders left out."""
        return {key: c.kind for key, c in self.categories.items() if not c.is_placeholder}


def minor_units(currency: str) -> int:
    return int(get_currency_precision(currency))


def minor_units_of(currency: str) -> int | None:
    """The minor units of an ISO 4217 code, or None when it is not one."""
    code = currency.strip().upper()
    return minor_units(code) if code in list_currencies() else None


class _Reader(YamlChecker):
    unknown_code = "accounts-key-unknown"

    def text(self, mapping: Any, key: str, what: str) -> str | None:
        value = mapping.get(key)
        if not isinstance(value, str) or not value.strip():
            self.report(
                "accounts-value-invalid",
                value_line(mapping, key),
                _("{what} must be a non-empty text, not {describe}.").format(
                    what=what, describe=describe(value)
                ),
            )
            return None
        return value.strip()


def parse_accounts(text: str, path: str = ACCOUNTS_PATH) -> tuple[Accounts | None, list[Problem]]:
    """Validate accounts.yml. Returns None for the accounts when the books cannot be read."""
    loaded = load_yaml(text, path)
    if loaded.problems:
        return None, loaded.problems
    data = loaded.data
    reader = _Reader(path)
    if not isinstance(data, dict):
        reader.report(
            "yaml-not-a-mapping",
            mapping_line(data),
            _("accounts.yml must be a mapping of keys (name, currency, categories, …) to values."),
        )
        return None, reader.problems

    reader.unknown_keys(data, _TOP_KEYS, "accounts.yml")
    for key in _REQUIRED_KEYS:
        if key not in data:
            reader.report(
                "accounts-key-missing",
                1,
                _(
                    'accounts.yml needs a "{key}" key; see the example in the formats documentation.'
                ).format(key=key),
            )

    name = reader.text(data, "name", '"name"') if "name" in data else None
    currency, units = _read_currency(reader, data)
    funds, fund_labels = _read_funds(reader, data)
    categories = _read_categories(reader, data)
    public = _read_public(reader, data)
    closed = _read_closed_through(reader, data)
    dialect = _read_dialect(reader, data)
    language = _read_language(reader, data)
    licence = _read_licence(reader, data)
    measures = _read_measures(reader, data, categories or {})

    if reader.problems or name is None or currency is None or categories is None:
        # Any problem here makes the books unreadable as a whole: without a sound chart of
        # accounts the ledgers cannot be checked, so say so now rather than report noise.
        return None, reader.problems
    return (
        Accounts(
            name=name,
            currency=currency,
            minor_units=units,
            funds=funds,
            categories=categories,
            public_counterparties=public,
            closed_through=closed,
            dialect=dialect,
            fund_labels=fund_labels,
            language=language,
            licence=licence,
            measures=measures,
        ),
        reader.problems,
    )


def _read_currency(reader: _Reader, data: Any) -> tuple[str | None, int]:
    if "currency" not in data:
        return None, 0
    value = data.get("currency")
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in list_currencies():
        reader.report(
            "currency-unknown",
            value_line(data, "currency"),
            _(
                "The currency {describe} is not an ISO 4217 code; write the three letters "
                'your bank uses, such as "EUR", "USD" or "GBP".'
            ).format(describe=describe(value)),
        )
        return None, 0
    return code, minor_units(code)


def _read_funds(reader: _Reader, data: Any) -> tuple[dict[str, str], dict[str, str]]:
    """(key -> description, key -> label). A fund is `key: description` (the description is
    also its label) or `key: {label: ..., description: ...}`."""
    default = ({DEFAULT_FUND: "General fund"}, {DEFAULT_FUND: "General fund"})
    value = data.get("funds")
    if value is None:
        if "funds" in data:
            reader.report(
                "accounts-value-invalid",
                value_line(data, "funds"),
                _(
                    '"funds" is empty: list at least one fund, or remove the key to use the '
                    'single fund "{default_fund}".'
                ).format(default_fund=DEFAULT_FUND),
            )
        return default
    if not isinstance(value, dict) or not value:
        reader.report(
            "accounts-value-invalid",
            value_line(data, "funds"),
            _(
                '"funds" must map each fund\'s key to a description, e.g. "general: Day-to-day costs".'
            ),
        )
        return default
    funds: dict[str, str] = {}
    labels: dict[str, str] = {}
    for key, spec in value.items():
        if not isinstance(key, str) or not key.strip() or key != key.strip():
            reader.report(
                "accounts-value-invalid",
                key_line(value, key),
                _("The fund key {describe} must be a word without surrounding spaces.").format(
                    describe=describe(key)
                ),
            )
            continue
        if isinstance(spec, dict):
            reader.unknown_keys(spec, _FUND_KEYS, _('the fund "{key}"').format(key=key))
            label, description = spec.get("label"), spec.get("description", "")
            if not isinstance(label, str) or not label.strip():
                reader.report(
                    "accounts-value-invalid",
                    value_line(spec, "label") if "label" in spec else key_line(value, key),
                    _(
                        'The fund "{key}" needs a label, the name readers see: '
                        '"{key}: {{label: General fund, description: Day-to-day costs}}".'
                    ).format(key=key),
                )
                label = key
            if not isinstance(description, str):
                reader.report(
                    "accounts-value-invalid",
                    value_line(spec, "description"),
                    _('The description of the fund "{key}" must be text.').format(key=key),
                )
                description = ""
            funds[key] = bidi_closed(description.strip() or label.strip())
            labels[key] = bidi_closed(label.strip())
        else:
            funds[key] = bidi_closed(str(spec) if spec is not None else key)
            labels[key] = funds[key]
    return (funds, labels) if funds else default


def _read_categories(reader: _Reader, data: Any) -> dict[str, Category] | None:
    if "categories" not in data:
        return None
    value = data.get("categories")
    if not isinstance(value, dict) or not value:
        reader.report(
            "accounts-value-invalid",
            value_line(data, "categories"),
            _('"categories" must map each category to its kind, e.g. "rent: {kind: expense}".'),
        )
        return None
    categories: dict[str, Category] = {}
    for key, spec in value.items():
        line = key_line(value, key)
        if not isinstance(key, str) or not key.strip() or key != key.strip():
            reader.report(
                "accounts-value-invalid",
                line,
                _("The category key {describe} must be a word without surrounding spaces.").format(
                    describe=describe(key)
                ),
            )
            continue
        if not isinstance(spec, dict):
            reader.report(
                "accounts-value-invalid",
                line,
                _(
                    'The category "{key}" must be a mapping with a kind, e.g. "{key}: {{kind: expense}}".'
                ).format(key=key),
            )
            continue
        reader.unknown_keys(spec, _CATEGORY_KEYS, _('the category "{key}"').format(key=key))
        kind = spec.get("kind")
        if kind not in KINDS:
            reader.report(
                "category-kind-invalid",
                value_line(spec, "kind") if "kind" in spec else line,
                _(
                    'The category "{key}" has kind {describe}; the kind must be one of '
                    "{kinds}.{suggestion}"
                ).format(
                    key=key,
                    describe=describe(kind),
                    kinds=", ".join(KINDS),
                    suggestion=did_you_mean(str(kind), KINDS) if kind else "",
                ),
            )
            continue
        label = spec.get("label", key)
        if not isinstance(label, str):
            reader.report(
                "accounts-value-invalid",
                value_line(spec, "label"),
                _('The label of "{key}" must be text.').format(key=key),
            )
            label = key
        flags = {}
        for flag in ("capital", "placeholder"):
            value = spec.get(flag, False)
            if not isinstance(value, bool):
                reader.report(
                    "accounts-value-invalid",
                    value_line(spec, flag),
                    _('"{flag}" of "{key}" must be true or false, not {describe}.').format(
                        flag=flag, key=key, describe=describe(value)
                    ),
                )
                value = False
            flags[flag] = value
        # Labels go into the charts' sentences and hovers ("Rent: €1,200 in 2026"): an override
        # they leave open would turn around the amount and year written after them.
        categories[key] = Category(key=key, kind=kind, label=bidi_closed(label), **flags)
    return categories


def _read_public(reader: _Reader, data: Any) -> frozenset[str]:
    value = data.get("public_counterparties")
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        reader.report(
            "accounts-value-invalid",
            value_line(data, "public_counterparties"),
            _('"public_counterparties" must be a list of names, one per line starting with "- ".'),
        )
        return frozenset()
    return frozenset(v.strip() for v in value)


def _read_closed_through(reader: _Reader, data: Any) -> dt.date | None:
    if "closed_through" not in data:
        return None
    value = data.get("closed_through")
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    reader.report(
        "accounts-value-invalid",
        value_line(data, "closed_through"),
        _('"closed_through" must be a date written YYYY-MM-DD, not {describe}.').format(
            describe=describe(value)
        ),
    )
    return None


def _read_dialect(reader: _Reader, data: Any) -> Dialect:
    value = data.get("csv")
    if value is None:
        return Dialect()
    line = value_line(data, "csv")
    if not isinstance(value, dict):
        reader.report(
            "csv-dialect-invalid",
            line,
            _('"csv" must be a mapping such as {delimiter: ",", decimal: "."}.'),
        )
        return Dialect()
    reader.unknown_keys(value, _CSV_KEYS, '"csv"')
    delimiter = value.get("delimiter", ",")
    decimal = value.get("decimal", ".")
    if delimiter not in DELIMITERS:
        reader.report(
            "csv-dialect-invalid",
            value_line(value, "delimiter") or line,
            _(
                "The delimiter {describe} is not supported; use one of "
                '",", ";", "|" or a tab ("\\t").'
            ).format(describe=describe(delimiter)),
        )
        return Dialect()
    if decimal not in DECIMAL_MARKS:
        reader.report(
            "csv-dialect-invalid",
            value_line(value, "decimal") or line,
            _('The decimal mark {describe} is not supported; use "." or ",".').format(
                describe=describe(decimal)
            ),
        )
        return Dialect()
    if decimal == delimiter:
        reader.report(
            "csv-dialect-invalid",
            line,
            _(
                'The decimal mark and the delimiter are both ","; with a decimal comma, separate '
                'cells with ";" (delimiter: ";").'
            ),
        )
        return Dialect()
    return Dialect(delimiter=delimiter, decimal=decimal)


def _read_language(reader: _Reader, data: Any) -> str:
    """The BCP 47 tag of `language:`, in its canonical spelling ("fr-ca" -> "fr-CA")."""
    if "language" not in data:
        return DEFAULT_LANGUAGE
    value = data.get("language")
    if not isinstance(value, str) or not value.strip():
        reader.report(
            "accounts-value-invalid",
            value_line(data, "language"),
            _(
                '"language" must be a language tag such as "en", "fr-CA" or "pt-BR", not {describe}.'
            ).format(describe=describe(value)),
        )
        return DEFAULT_LANGUAGE
    tag = value.strip()
    try:
        locale = Locale.parse(tag.replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        known = [identifier.replace("_", "-") for identifier in locale_identifiers()]
        reader.report(
            "language-unknown",
            value_line(data, "language"),
            _(
                "The language {describe} is not one the publisher can write money in; write a "
                'BCP 47 language tag such as "en", "de", "fr-CA" or "pt-BR".{suggestion}'
            ).format(describe=describe(value), suggestion=did_you_mean(tag, known)),
        )
        return DEFAULT_LANGUAGE
    return str(locale).replace("_", "-")


def _read_licence(reader: _Reader, data: Any) -> Licence:
    """`licence: CC-BY-4.0`, or `licence: {id: ..., title: ..., path: ...}`."""
    if "licence" not in data:
        return DEFAULT_LICENCE
    value = data.get("licence")
    line = value_line(data, "licence")
    spec: dict[str, Any] = {}
    if isinstance(value, dict):
        reader.unknown_keys(value, _LICENCE_KEYS, '"licence"')
        spec = value
        ident = value.get("id")
    else:
        ident = value
    title, path = spec.get("title", ""), spec.get("path", "")
    if (
        not isinstance(ident, str)
        or not _LICENCE_ID.fullmatch(ident.strip())
        or not isinstance(title, str)
        or not isinstance(path, str)
    ):
        reader.report(
            "accounts-value-invalid",
            line,
            _(
                '"licence" must be a licence id such as "CC-BY-4.0" or "ODC-PDDL-1.0", or a mapping '
                "{id: ..., title: ..., path: https://...}."
            ),
        )
        return DEFAULT_LICENCE
    ident = ident.strip()
    if path.strip() and not re.fullmatch(r"https?://[^\s\"'<>]+", path.strip()):
        reader.report(
            "accounts-value-invalid",
            value_line(spec, "path"),
            _(
                "The path of the licence must be the web address of its text (https://...), not {describe}."
            ).format(describe=describe(path)),
        )
        return DEFAULT_LICENCE
    by_lower = {key.lower(): known for key, known in KNOWN_LICENCES.items()}
    known = by_lower.get(ident.lower())
    if known is None and not (title.strip() and path.strip()):
        reader.report(
            "licence-unknown",
            line,
            _(
                'The licence "{ident}" is not one the publisher knows ({known_licences}); '
                "for another licence give its title and where its text is: "
                "{{id: {ident}, title: ..., path: https://...}}.{suggestion}"
            ).format(
                ident=ident,
                known_licences=", ".join(KNOWN_LICENCES),
                suggestion=did_you_mean(ident, KNOWN_LICENCES),
            ),
        )
        return DEFAULT_LICENCE
    return Licence(
        id=known.id if known else ident,
        title=title.strip() or (known.title if known else ident),
        path=path.strip() or (known.path if known else ""),
    )


def _read_measures(
    reader: _Reader, data: Any, categories: dict[str, Category]
) -> dict[str, Measure]:
    value = data.get("measures")
    if value is None:
        return {}
    if not isinstance(value, dict):
        reader.report(
            "accounts-value-invalid",
            value_line(data, "measures"),
            _(
                '"measures" must map each measure to its unit, e.g. "tool-loans: {label: Tools lent, unit: loans}".'
            ),
        )
        return {}
    measures: dict[str, Measure] = {}
    for key, spec in value.items():
        line = key_line(value, key)
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", key):
            reader.report(
                "accounts-value-invalid",
                line,
                _(
                    "The measure key {describe} must be one word of letters, digits, - and _."
                ).format(describe=describe(key)),
            )
            continue
        if not isinstance(spec, dict):
            reader.report(
                "accounts-value-invalid",
                line,
                _(
                    'The measure "{key}" must be a mapping with a unit, e.g. "{key}: {{label: Tools lent, unit: loans}}".'
                ).format(key=key),
            )
            continue
        reader.unknown_keys(spec, _MEASURE_KEYS, _('the measure "{key}"').format(key=key))
        found = len(reader.problems)
        unit = (
            reader.text(spec, "unit", _('The unit of the measure "{key}"').format(key=key))
            if "unit" in spec
            else None
        )
        if "unit" not in spec:
            reader.report(
                "accounts-value-invalid",
                line,
                _(
                    'The measure "{key}" needs a unit (what one is counted in: kWh, loans, hours, members).'
                ).format(key=key),
            )
        label = (
            reader.text(spec, "label", _('The label of the measure "{key}"').format(key=key))
            if "label" in spec
            else key
        )
        kind = spec.get("kind", "total")
        if kind not in MEASURE_KINDS:
            reader.report(
                "accounts-value-invalid",
                value_line(spec, "kind"),
                _(
                    'The kind of the measure "{key}" is {describe}; it must be "total" (the '
                    'quantities of a year add up) or "level" (each row is a reading on its day, such as a '
                    "number of members)."
                ).format(key=key, describe=describe(kind)),
            )
        elif key == "members" and kind != "level":
            # The key that counts the members (publisher.measures.MEMBERS_MEASURE): as a total,
            # its readings would add up on the pages.
            reader.report(
                "accounts-value-invalid",
                value_line(spec, "kind") if "kind" in spec else line,
                _(
                    'The measure "members" counts the members: each row is a count on its day, '
                    "not a quantity that adds up (four quarterly counts of 20 members would be "
                    'published as 80). Add "kind: level" to it; for the members who joined, use '
                    'another key, such as "new-members".'
                ),
            )
        negative = spec.get("negative", False)
        if not isinstance(negative, bool):
            reader.report(
                "accounts-value-invalid",
                value_line(spec, "negative"),
                _(
                    '"negative" of the measure "{key}" must be true or false, not {describe}.'
                ).format(key=key, describe=describe(negative)),
            )
        cost = _measure_cost(reader, spec, key, categories)
        price = _reference_price(reader, spec, key)
        source = ""
        if "reference_source" in spec:
            source = (
                reader.text(
                    spec,
                    "reference_source",
                    _('The reference_source of the measure "{key}"').format(key=key),
                )
                or ""
            )
        if price is not None and not source:
            reader.report(
                "accounts-value-invalid",
                value_line(spec, "reference_price"),
                _(
                    'The measure "{key}" has a reference_price but no reference_source: say where the '
                    'price comes from (reference_source: "Regulated tariff 2026, city energy office"), so '
                    "that readers can check the comparison."
                ).format(key=key),
            )
        if len(reader.problems) == found and unit:
            # The treasurer's words are shown beside the publisher's own ("631 loans in 2026"):
            # a bidirectional override they leave open would turn those around too.
            measures[key] = Measure(
                key,
                bidi_closed(label or key),
                bidi_closed(unit),
                kind,
                negative,
                cost,
                price,
                bidi_closed(source),
            )
    return measures


def _measure_cost(
    reader: _Reader, spec: Any, key: str, categories: dict[str, Category]
) -> tuple[str, ...]:
    value = spec.get("cost", [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        reader.report(
            "accounts-value-invalid",
            value_line(spec, "cost"),
            _(
                '"cost" of the measure "{key}" must list expense categories, e.g. "cost: [energy-maintenance]".'
            ).format(key=key),
        )
        return ()
    for category in value:
        known = categories.get(category)
        if known is None:
            reader.report(
                "accounts-value-invalid",
                value_line(spec, "cost"),
                _(
                    'The cost of the measure "{key}" names the category "{category}", which '
                    "accounts.yml does not declare.{suggestion}"
                ).format(key=key, category=category, suggestion=did_you_mean(category, categories)),
            )
        elif known.kind != "expense":
            reader.report(
                "accounts-value-invalid",
                value_line(spec, "cost"),
                _(
                    'The cost of the measure "{key}" names "{category}", a category of kind '
                    "{kind}: only expense categories make up a cost."
                ).format(key=key, category=category, kind=known.kind),
            )
    return tuple(value)


def _reference_price(reader: _Reader, spec: Any, key: str) -> Decimal | None:
    if "reference_price" not in spec:
        return None
    value = spec.get("reference_price")
    # load_yaml reads a YAML number as a Decimal, digit for digit as written.
    text = str(value) if isinstance(value, (int, str, Decimal)) else ""
    text = text.strip()
    pattern = rf"[0-9]{{1,{MAX_QUANTITY_DIGITS}}}(\.[0-9]{{1,{MAX_QUANTITY_DECIMALS}}})?"
    if isinstance(value, bool) or not re.fullmatch(pattern, text):
        reader.report(
            "accounts-value-invalid",
            value_line(spec, "reference_price"),
            _(
                'The reference_price of the measure "{key}" must be a price per unit in the books\' '
                "currency, written with a point and at most {max_quantity_decimals} decimals, such as "
                '"0.28", not {describe}.'
            ).format(
                key=key, max_quantity_decimals=MAX_QUANTITY_DECIMALS, describe=describe(value)
            ),
        )
        return None
    return Decimal(text)
