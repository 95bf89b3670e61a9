"""The thin MkDocs plugin: checks the books, generates the pages, hands them to MkDocs.

Registered as `publisher` in the `mkdocs.plugins` entry points, so plain `mkdocs build` and
`mkdocs serve` in a cooperative's repository produce the same site as `publisher build`. It
uses only MkDocs' public plugin events; all the work is in the core and in `generate.py`.
"""

from __future__ import annotations

import html
import json
import logging
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

from publisher.cooperative import NotACooperative, check_cooperative
from publisher.gitrepo import head_commit
from publisher.i18n import is_right_to_left, site_words
from publisher.links import safe_link
from publisher.problems import format_text, has_errors
from publisher.reading import html_readings
from publisher.site.feed import (
    DECISIONS_FEED_PATH,
    FEED_PATH,
    FeedEntry,
    atom_feed,
    entry_from_page,
    entry_id,
)
from publisher.federation import Progress, is_federation, load_federation
from publisher.site.federation_pages import OVERVIEW_MARKER, generate_federation_site
from publisher.site.generate import POSTS_DIR, SiteContent, esc, generate_site
from publisher.site.templating import reader_date

log = logging.getLogger("mkdocs.plugins.publisher")

HOME_MARKER = "<!-- publisher:key-figures -->"
#: Said once per build, as information (a strict build fails on warnings, not on this).
INSTANT_NAVIGATION_OFF = (
    "Instant navigation is off: the site's address is not known, and Material's "
    "navigation.instant follows only the links listed in sitemap.xml, which MkDocs leaves "
    "without addresses when site_url is not set. Every page then loads in full, and the chart "
    "code is read again on every page with a chart. To switch it on, pass the address the site "
    "will be published at: publisher build --site-url https://example.org/books/ (or set "
    "site_url: in mkdocs.yml)."
)
_LINK = re.compile(r'(href|data-src|data-decisions)="publisher:([^"#?]*)([?#][^"]*)?"')


class PublisherConfig(base.Config):
    #: The cooperative's directory; by default the directory of mkdocs.yml.
    root = c.Optional(c.Type(str))


class PublisherPlugin(BasePlugin[PublisherConfig]):
    def __init__(self) -> None:
        #: Set by `publisher build`, which has already checked the books: not checked twice.
        self.preloaded: tuple[Any, list] | None = None
        self.content: SiteContent | None = None
        self.staging: Path | None = None
        self.feed_entries: list[FeedEntry] = []
        self.generate_seconds = 0.0
        #: Why the build was refused after rendering, for `publisher build` to say.
        self.refusal: str | None = None

    def on_config(self, config: Any) -> Any:
        root = Path(self.config.root) if self.config.root else Path(config.config_file_path).parent
        self._clean_staging()
        self.refusal = None
        self.staging = Path(tempfile.mkdtemp(prefix="publisher-"))
        if is_federation(root):
            self._generate_federation(root, config)
        else:
            self._generate_cooperative(root, config)
        self.feed_entries = []

        if config.repo_url:
            # The theme links it on every page as it is written.
            if safe_link(config.repo_url, allow_relative=False) != config.repo_url:
                raise PluginError(
                    f"mkdocs.yml: repo_url {config.repo_url!r} must be an https:// address without spaces or control characters."
                )
        if "navigation.instant" in (config.theme.get("features") or []) and not config.site_url:
            log.info(INSTANT_NAVIGATION_OFF)
        # Fonts from Google would make every visit call a third-party server.
        config.theme["font"] = False
        config.extra_css.append("assets/publisher/publisher.css")
        config.extra_javascript.append("assets/publisher/publisher.js")
        if config.nav is None:
            config.nav = self.content.nav
        else:
            present = {str(item) for item in _flatten(config.nav)}
            for section in self.content.nav:
                targets = {str(t) for t in _flatten(list(section.values()))}
                if not targets & present:
                    config.nav.append(section)
        _theme_language(config, self.content.language)
        words = site_words(self.content.language)
        commit = self.content.commit
        provenance = (
            words.gettext("Books at commit %(commit)s of %(date)s")
            % {
                "commit": f"<code>{esc(commit.short)}</code>",
                "date": esc(reader_date(commit.date, self.content.language)),
            }
            + (words.gettext(" (with uncommitted changes)") if commit.dirty else "")
            if commit
            else words.gettext("Books not in a git repository: commit unknown")
        )
        config.copyright = f"{config.copyright} · {provenance}" if config.copyright else provenance
        watched = root / ("federation.yml" if is_federation(root) else "ledgers")
        if str(watched) not in config.watch:
            config.watch.append(str(watched))
        return config

    def _generate_cooperative(self, root: Path, config: Any) -> None:
        if self.preloaded is not None:
            cooperative, problems = self.preloaded
            self.preloaded = None
        else:
            try:
                cooperative, problems = check_cooperative(root)
            except NotACooperative as error:
                raise PluginError(str(error)) from None
        if cooperative is None or has_errors(problems):
            raise PluginError(
                "The books have errors, so nothing was published:\n" + format_text(problems)
            )
        started = time.perf_counter()
        commit = head_commit(root)
        self.content = generate_site(
            cooperative, problems, commit, Path(config.docs_dir), self.staging, config.site_url
        )
        self.generate_seconds = time.perf_counter() - started

    def _generate_federation(self, root: Path, config: Any) -> None:
        federation = (
            self.preloaded
            if self.preloaded is not None
            else load_federation(root, progress=Progress())
        )
        self.preloaded = None
        if federation.config is None:
            raise PluginError(
                "federation.yml has errors, so nothing was published:\n"
                + format_text(federation.problems)
            )
        started = time.perf_counter()
        self.content = generate_federation_site(
            federation, head_commit(root), Path(config.docs_dir), self.staging
        )
        self.generate_seconds = time.perf_counter() - started

    def on_files(self, files: Files, config: Any) -> Files:
        assert self.content is not None
        for relative in self.content.files:
            if files.get_file_from_path(relative) is not None:
                log.warning("content/%s replaces the page the publisher generates there", relative)
                continue
            files.append(
                File.generated(
                    config, relative, abs_src_path=str(self.content.directory / relative)
                )
            )
        return files

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Files) -> str:
        # Front-matter strings are escaped like CSV text: MkDocs and Material print a page's
        # title as it is, in <title>, the heading and the navigation.
        for key in ("title", "description"):
            if isinstance(page.meta.get(key), str):
                page.meta[key] = html.escape(page.meta[key])
        if self.content is None:
            return markdown
        if self.content.finder is not None:
            # A meeting's title is published with names replaced, like its motions. The prose of
            # hand-written pages is not rewritten: a name there is an error of the checks
            # (private-name-in-page), and `on_post_page` refuses any that rendering reveals.
            for key in ("title", "description"):
                if isinstance(page.meta.get(key), str):
                    page.meta[key] = self.content.finder.redact_text(page.meta[key])
        markdown = self._add_fragment(markdown, page.file.src_uri)
        commit = self.content.page_dates.get(page.file.src_uri)
        if commit is not None:
            words = site_words(self.content.language)
            history = ""
            repository = safe_link(
                config.repo_url or self.content.repository_url, allow_relative=False
            )
            if repository:
                url = f"{repository.rstrip('/')}/commits/HEAD/content/{page.file.src_uri}"
                history = (
                    f' · <a href="{html.escape(url)}">{words.gettext("history of this page")}</a>'
                )
            changed = words.gettext("Last changed on %(date)s in commit %(commit)s") % {
                "date": esc(reader_date(commit.date, self.content.language)),
                "commit": f"<code>{esc(commit.short)}</code>",
            }
            markdown += f'\n\n<p class="publisher-page-date">{changed}{history}</p>\n'
        return markdown

    def _add_fragment(self, markdown: str, src_uri: str) -> str:
        if src_uri not in self.content.fragments:
            return markdown
        where, fragment = self.content.fragments[src_uri]
        fragment = "\n\n" + fragment + "\n\n"
        if where == "marker":
            for marker in (HOME_MARKER, OVERVIEW_MARKER):
                if marker in markdown:
                    return markdown.replace(marker, fragment, 1)
        if where == "top":
            # After the page's title, when it starts with one; else first thing on the page.
            title = re.match(r"\s*#\s[^\n]*\n", markdown)
            if title:
                return markdown[: title.end()] + fragment + markdown[title.end() :]
            return fragment + markdown
        return markdown + fragment

    def on_page_content(self, html_text: str, page: Any, config: Any, files: Files) -> str:
        def resolve(match: re.Match) -> str:
            attribute, path, anchor = match.group(1), unquote(match.group(2)), match.group(3) or ""
            target = files.get_file_from_path(path)
            url = target.url if target is not None else path
            return f'{attribute}="{html.escape(get_relative_url(url, page.url))}{anchor}"'

        if page.file.src_uri.startswith(POSTS_DIR + "/"):
            entry = entry_from_page(page, html_text, self.content.summary.name)
            if entry is not None:
                self.feed_entries.append(entry)
        return _LINK.sub(resolve, html_text)

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        if self.content is not None:
            self._refuse_private_names(output, page.file.src_uri)
        if self.content is None:
            return output
        # The feeds are advertised in the head of every page, by text and not through a theme
        # override, so that any MkDocs theme carries them.
        words = site_words(self.content.language)
        feeds = [(words.gettext("Stories"), FEED_PATH)] if self.content.stories else []
        if DECISIONS_FEED_PATH in self.content.files:
            feeds.append((words.gettext("Decisions"), DECISIONS_FEED_PATH))
        tags = "".join(
            f'<link rel="alternate" type="application/atom+xml" title="{html.escape(title)}" '
            f'href="{html.escape(get_relative_url(path, page.url))}">'
            for title, path in feeds
        )
        return output.replace("</head>", tags + "</head>", 1) if tags else output

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, config: Any) -> None:
        if self.content is not None and self.content.stories:
            target = Path(config.site_dir) / FEED_PATH
            target.parent.mkdir(parents=True, exist_ok=True)
            name = self.content.summary.name
            feed = atom_feed(
                site_words(self.content.language).gettext("%(name)s: stories") % {"name": name},
                config.site_url,
                self.feed_entries,
                feed_id=entry_id(name, "feed", FEED_PATH),
            )
            target.write_text(feed, encoding="utf-8")
        if self.content is not None:
            site = Path(config.site_dir)
            for path in [site / "search" / "search_index.json", *sorted(site.glob("*.xml"))]:
                if path.is_file():
                    text = path.read_text(encoding="utf-8", errors="replace")
                    if (
                        path.suffix == ".json"
                    ):  # its strings as they are, not escaped ("\n", "\u00e9")
                        text = "\n".join(_strings(json.loads(text)))
                    self._refuse_private_names(text, path.relative_to(site).as_posix())
        self._clean_staging()

    def _refuse_private_names(self, text: str, where: str) -> None:
        """The last guard: what reaches the site is read as a person reads it (entities decoded,
        tags inside words removed), and the build stops if a private name can be read there."""
        finder = self.content.finder if self.content is not None else None
        if finder is None:
            return
        if any(finder.names_in(reading) for reading in html_readings(text)):
            self.refusal = (
                f"{where}: once built, this names a private counterparty (someone not listed in "
                "public_counterparties), so nothing was published. Find the name in the page's "
                "source (also in its file name and title) and write it without the name."
            )
            raise PluginError(self.refusal)

    def on_build_error(self, error: Exception) -> None:
        self._clean_staging()

    def _clean_staging(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


def _theme_language(config: Any, language: str) -> None:
    """Material's own words (search box, buttons) in the site's language, written right to left
    where the language is, unless mkdocs.yml sets `theme.language` (to another language than
    Material's default, English) or `theme.direction` itself."""
    if config.theme.get("language", "en") == "en":
        config.theme["language"] = theme_language(language)
    if not config.theme.get("direction") and is_right_to_left(language):
        config.theme["direction"] = "rtl"


def theme_language(language: str) -> str:
    """The name Material gives `language`'s interface translation: "pt-BR", "zh-Hant" or the
    language alone ("fr" for "fr-CA"), "en" where Material has none."""
    from material import templates

    available = {
        path.stem
        for path in (Path(templates.__file__).parent / "partials" / "languages").glob("*.html")
    }
    for candidate in (language, language.split("-")[0]):
        if candidate in available:
            return candidate
    return "en"


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _flatten(nav: Any) -> list[Any]:
    if isinstance(nav, dict):
        return [x for value in nav.values() for x in _flatten(value)]
    if isinstance(nav, list):
        return [x for item in nav for x in _flatten(item)]
    return [nav]
