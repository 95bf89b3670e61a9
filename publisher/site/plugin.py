"""The thin MkDocs plugin: checks the books, generates the pages, hands them to MkDocs.

Registered as `publisher` in the `mkdocs.plugins` entry points, so plain `mkdocs build` and
`mkdocs serve` in a cooperative's repository produce the same site as `publisher build`. It
uses only MkDocs' public plugin events; all the work is in the core, in `generate.py` and in
`tree.py`, whose functions (fragments merged into pages, links resolved, feeds, the privacy
guard) it applies page by page, as the Zensical build applies them to the whole tree.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from publisher.cooperative import NotACooperative, check_cooperative
from publisher.gitrepo import head_commit
from publisher.i18n import _
from publisher.problems import format_text, has_errors
from publisher.site.feed import FEED_PATH, FeedEntry, entry_from_page
from publisher.federation import (
    Federation,
    Progress,
    is_federation,
    load_federation,
    publication_stopped,
)
from publisher.site.federation_pages import generate_federation_site
from publisher.site.generate import POSTS_DIR, SiteContent, generate_site
from publisher.site.tree import (
    PUBLISHER_CSS,
    PUBLISHER_JS,
    chart_preload,
    clean_meta,
    feed_links,
    footer_line,
    merge_fragment,
    merged_nav,
    page_date_note,
    private_name_refusal,
    repo_url_refusal,
    resolve_links,
    search_and_xml_refusal,
    set_theme_language,
    stories_feed,
)

log = logging.getLogger("mkdocs.plugins.publisher")

#: Said once per build, as information (a strict build fails on warnings, not on this).
INSTANT_NAVIGATION_OFF = (
    "Instant navigation is off: the site's address is not known, and Material's "
    "navigation.instant follows only the links listed in sitemap.xml, which MkDocs leaves "
    "without addresses when site_url is not set. Every page then loads in full, and the chart "
    "code is read again on every page with a chart. To switch it on, pass the address the site "
    "will be published at: publisher build --site-url https://example.org/books/ (or set "
    "site_url: in mkdocs.yml)."
)


class PublisherConfig(base.Config):
    #: The cooperative's directory; by default the directory of mkdocs.yml.
    root = c.Optional(c.Type(str))


class PublisherPlugin(BasePlugin[PublisherConfig]):
    def __init__(self) -> None:
        #: Set by `publisher build`, which has already checked the books (or loaded the
        #: federation): not checked twice.
        self.preloaded: tuple[Any, list] | Federation | None = None
        self.content: SiteContent | None = None
        self.staging: Path | None = None
        self.feed_entries: list[FeedEntry] = []
        self.generate_seconds = 0.0
        #: Why the build was refused, for `publisher build` to say (MkDocs says only that it
        #: aborted).
        self.refusal: str | None = None

    def on_config(self, config: Any) -> Any:
        from publisher.site.build import SiteError, refuse_docs_dir_outside

        root = Path(self.config.root) if self.config.root else Path(config.config_file_path).parent
        try:  # plain `mkdocs build` too: MkDocs would publish a docs_dir anywhere
            refuse_docs_dir_outside(root)
        except SiteError as error:
            raise PluginError(str(error)) from None
        self._clean_staging()
        self.refusal = None
        self.staging = staging = Path(tempfile.mkdtemp(prefix="publisher-"))
        if is_federation(root):
            self.content = self._generate_federation(root, config, staging)
        else:
            self.content = self._generate_cooperative(root, config, staging)
        self.feed_entries = []

        self.refusal = repo_url_refusal(config.repo_url)
        if self.refusal:
            raise PluginError(self.refusal)
        if "navigation.instant" in (config.theme.get("features") or []) and not config.site_url:
            log.info(INSTANT_NAVIGATION_OFF)
        # Fonts from Google would make every visit call a third-party server.
        config.theme["font"] = False
        config.extra_css.append(PUBLISHER_CSS)
        config.extra_javascript.append(PUBLISHER_JS)
        config.nav = merged_nav(config.nav, self.content)
        set_theme_language(config.theme, self.content.language)
        config.copyright = footer_line(config.copyright, self.content)
        watched = root / ("federation.yml" if is_federation(root) else "ledgers")
        if str(watched) not in config.watch:
            config.watch.append(str(watched))
        return config

    def _generate_cooperative(self, root: Path, config: Any, staging: Path) -> SiteContent:
        if isinstance(self.preloaded, tuple):
            cooperative, problems = self.preloaded
            self.preloaded = None
        else:
            try:
                cooperative, problems = check_cooperative(root)
            except NotACooperative as error:
                raise PluginError(str(error)) from None
        if cooperative is None or has_errors(problems):
            raise PluginError(
                _("The books have errors, so nothing was published:") + "\n" + format_text(problems)
            )
        started = time.perf_counter()
        commit = head_commit(root)
        content = generate_site(
            cooperative, problems, commit, Path(config.docs_dir), staging, config.site_url
        )
        self.generate_seconds = time.perf_counter() - started
        return content

    def _generate_federation(self, root: Path, config: Any, staging: Path) -> SiteContent:
        federation = (
            self.preloaded
            if isinstance(self.preloaded, Federation)
            else load_federation(root, progress=Progress())
        )
        self.preloaded = None
        if publication_stopped(federation):
            raise PluginError(
                _("federation.yml or the federation's pages have errors, so nothing was published:")
                + "\n"
                + format_text(federation.problems)
            )
        started = time.perf_counter()
        content = generate_federation_site(
            federation, head_commit(root), Path(config.docs_dir), staging
        )
        self.generate_seconds = time.perf_counter() - started
        return content

    def on_files(self, files: Files, config: Any) -> Files:
        assert self.content is not None
        for relative in self.content.files:
            if files.get_file_from_path(relative) is not None:
                log.warning(
                    _("content/{path} replaces the page the publisher generates there").format(
                        path=relative
                    )
                )
                continue
            files.append(
                File.generated(
                    config, relative, abs_src_path=str(self.content.directory / relative)
                )
            )
        return files

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Files) -> str:
        # Front-matter strings are escaped like CSV text: MkDocs and Material print a page's
        # title as it is, in <title>, the heading and the navigation. A meeting's title is
        # published with names replaced, like its motions. The prose of hand-written pages is
        # not rewritten: a name there is an error of the checks (private-name-in-page), and
        # `on_post_page` refuses any that rendering reveals.
        clean_meta(page.meta, self.content)
        if self.content is None:
            return markdown
        markdown = merge_fragment(markdown, page.file.src_uri, self.content)
        return markdown + page_date_note(page.file.src_uri, self.content, config.repo_url)

    def on_page_content(self, html_text: str, page: Any, config: Any, files: Files) -> str:
        def url_of(path: str) -> str | None:
            target = files.get_file_from_path(path)
            return target.url if target is not None else None

        # (a federation's site has no summary, and no feed of stories)
        summary = self.content.summary if self.content is not None else None
        if summary is not None and page.file.src_uri.startswith(POSTS_DIR + "/"):
            entry = entry_from_page(page, html_text, summary.name)
            if entry is not None:
                self.feed_entries.append(entry)
        return resolve_links(html_text, page.url, url_of)

    def on_post_page(self, output: str, page: Any, config: Any) -> str:
        if self.content is not None:
            self._refuse_private_names(output, page.file.src_uri)
        if self.content is None:
            return output
        tags = feed_links(self.content, page.url) + chart_preload(output, page.url)
        return output.replace("</head>", tags + "</head>", 1) if tags else output

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, config: Any) -> None:
        if self.content is not None and self.content.summary is not None and self.content.stories:
            target = Path(config.site_dir) / FEED_PATH
            target.parent.mkdir(parents=True, exist_ok=True)
            feed = stories_feed(self.content, config.site_url, self.feed_entries)
            target.write_text(feed, encoding="utf-8")
        if self.content is not None:
            refusal = search_and_xml_refusal(
                Path(config.site_dir), self.content, ["search/search_index.json"]
            )
            if refusal:
                self.refusal = refusal
                raise PluginError(refusal)
        self._clean_staging()

    def _refuse_private_names(self, text: str, where: str) -> None:
        """The last guard (see tree.private_name_refusal): the build stops if a private name
        can be read in what reaches the site."""
        refusal = private_name_refusal(text, where, self.content)
        if refusal:
            self.refusal = refusal
            raise PluginError(refusal)

    def on_build_error(self, error: Exception) -> None:
        self._clean_staging()

    def _clean_staging(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
