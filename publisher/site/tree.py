"""The engine-neutral site: the complete documentation tree, the engine's configuration, and
the steps that need the built HTML.

The publisher owns everything that makes the site: hand-written pages with their generated
parts merged (the home page's key figures, a meeting's motions), the generated pages, the data
and assets, `publisher:PATH` links resolved to relative URLs, the footer's provenance, the feeds
and the privacy refusal. The engine (MkDocs or Zensical) only turns Markdown into themed HTML.

Both engines go through the functions here: the MkDocs plugin calls them page by page from its
events (so plain `mkdocs build` keeps working), and the Zensical build calls `write_tree`, which
applies the same functions to every file, writes a configuration Zensical reads, and then
`finish_site` on the HTML Zensical wrote.
"""

from __future__ import annotations

import html
import json
import os
import posixpath
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

import yaml as pyyaml

from publisher.i18n import N_, _, _n, is_right_to_left, site_words
from publisher.links import safe_link
from publisher.reading import html_readings
from publisher.site.feed import DECISIONS_FEED_PATH, FEED_PATH, FeedEntry, atom_feed, entry_id
from publisher.site.feed import entry_from_page
from publisher.site.federation_pages import OVERVIEW_MARKER
from publisher.site.generate import PLOTLY_FILE, POSTS_DIR, SiteContent, esc
from publisher.site.templating import reader_date

ENGINES = ("mkdocs", "zensical")
DEFAULT_ENGINE = "mkdocs"
HOME_MARKER = "<!-- publisher:key-figures -->"
PUBLISHER_CSS = "assets/publisher/publisher.css"
PUBLISHER_JS = "assets/publisher/publisher.js"
#: Said by a Zensical build of a site with stories: Zensical 0.0.x has no blog.
NO_BLOG = N_(
    "Zensical has no blog yet: the stories are published as plain pages under stories/posts/, "
    "listed newest first on the stories page, without the archive, category and author pages "
    "of Material's blog. The stories feed is still written."
)
#: MkDocs plugins Zensical carries out itself; every other one is left out of its configuration.
_ZENSICAL_PLUGINS = ("search",)
_LINK = re.compile(r'(href|data-src|data-decisions)="publisher:([^"#?]*)([?#][^"]*)?"')
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)


class TreeError(Exception):
    """The tree or the built site cannot be published (the message says why)."""


# -- One page, for both engines ----------------------------------------------------------------


def page_url(src: str) -> str:
    """The URL of a page (relative to the site's root) with directory URLs, as both engines
    write them: `finances/2025.md` -> `finances/2025/`, `stories/index.md` -> `stories/`."""
    stem = src.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")]
    elif src.endswith(".md"):
        stem += "/"
    return stem


def relative_url(url: str, from_url: str) -> str:
    """`url` (from the site's root) relative to the page at `from_url`, as MkDocs writes it."""
    if from_url != ".":
        head, tail = posixpath.split(from_url)
        from_url = head if "." in tail else from_url  # a file's URL: relative to its directory
    relative = posixpath.relpath("/" + url, "/" + from_url)
    return relative + "/" if url.endswith("/") else relative


def clean_meta(meta: dict[str, Any], content: SiteContent | None) -> None:
    """Front-matter title and description escaped like CSV text (the themes print a page's title
    as it is) and, in a cooperative with private counterparties, with their names replaced."""
    for key in ("title", "description"):
        if isinstance(meta.get(key), str):
            meta[key] = html.escape(meta[key])
            if content is not None and content.finder is not None:
                meta[key] = content.finder.redact_text(meta[key])


def merge_fragment(markdown: str, src: str, content: SiteContent) -> str:
    """A hand-written page with the part the publisher generates for it merged in: at its
    marker, after its title ("top") or at its end."""
    if src not in content.fragments:
        return markdown
    where, fragment = content.fragments[src]
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


def page_date_note(src: str, content: SiteContent, repo_url: str | None) -> str:
    """The line that says when a hand-written page last changed, in the site's language (empty
    when not known)."""
    commit = content.page_dates.get(src)
    if commit is None:
        return ""
    words = site_words(content.language)
    history = ""
    repository = safe_link(repo_url or content.repository_url, allow_relative=False)
    if repository:
        url = f"{repository.rstrip('/')}/commits/HEAD/content/{src}"
        history = f' · <a href="{html.escape(url)}">{words.gettext("history of this page")}</a>'
    changed = words.gettext("Last changed on %(date)s in commit %(commit)s") % {
        "date": esc(reader_date(commit.date, content.language)),
        "commit": f"<code>{esc(commit.short)}</code>",
    }
    return f'\n\n<p class="publisher-page-date">{changed}{history}</p>\n'


def resolve_links(text: str, url: str, url_of: Callable[[str], str | None]) -> str:
    """Every `publisher:PATH` link of a page at `url` made relative; `url_of` gives a docs
    path's URL from the site's root (None: not a file of the site, kept as the path)."""

    def resolve(match: re.Match) -> str:
        attribute, path, anchor = match.group(1), unquote(match.group(2)), match.group(3) or ""
        target = url_of(path)
        return f'{attribute}="{html.escape(relative_url(target if target is not None else path, url))}{anchor}"'

    return _LINK.sub(resolve, text)


def provenance(content: SiteContent) -> str:
    """The footer's line, in the site's language: which commit of the books the site shows."""
    words = site_words(content.language)
    commit = content.commit
    if commit is None:
        return words.gettext("Books not in a git repository: commit unknown")
    return words.gettext("Books at commit %(commit)s of %(date)s") % {
        "commit": f"<code>{esc(commit.short)}</code>",
        "date": esc(reader_date(commit.date, content.language)),
    } + (words.gettext(" (with uncommitted changes)") if commit.dirty else "")


def footer_line(own: str | None, content: SiteContent) -> str:
    """The footer's copyright line: the cooperative's own (mkdocs.yml's `copyright`), then which
    commit of the books the site shows."""
    footer = provenance(content)
    return f"{own} · {footer}" if own else footer


def repo_url_refusal(repo_url: str | None) -> str | None:
    """Why mkdocs.yml's `repo_url` cannot be published (the theme links it on every page), or
    None when it is absent or a safe https:// address."""
    if repo_url and safe_link(repo_url, allow_relative=False) != repo_url:
        return _(
            "mkdocs.yml: repo_url {repo_url!r} must be an https:// address without spaces "
            "or control characters."
        ).format(repo_url=repo_url)
    return None


def merged_nav(nav: list[Any] | None, content: SiteContent) -> list[Any]:
    """The site's navigation: the generated one when mkdocs.yml has none; else mkdocs.yml's,
    followed by each generated section none of whose pages it already lists."""
    if not nav:
        return list(content.nav)
    present = {str(item) for item in _flatten(nav)}
    return list(nav) + [
        section
        for section in content.nav
        if not {str(t) for t in _flatten(list(section.values()))} & present
    ]


def stories_feed(content: SiteContent, site_url: str | None, entries: list[FeedEntry]) -> str:
    """The Atom feed of the stories (`entries`, taken from the built story pages)."""
    # (a federation's site has no summary, and no stories)
    name = content.summary.name if content.summary is not None else ""
    return atom_feed(
        site_words(content.language).gettext("%(name)s: stories") % {"name": name},
        site_url,
        entries,
        feed_id=entry_id(name, "feed", FEED_PATH),
    )


def theme_language(language: str, engine: str = "mkdocs") -> str:
    """The name the theme (Material for MkDocs, or Zensical's own) gives `language`'s interface
    translation: "pt-BR", "zh-Hant" or the language alone ("fr" for "fr-CA"), "en" where the
    theme has none."""
    # Each theme keeps one template per translation in partials/languages/.
    if engine == "zensical":
        import zensical

        languages = Path(zensical.__file__).parent / "templates"
    else:
        from material import templates  # type: ignore[import-untyped]

        languages = Path(templates.__file__).parent
    available = {path.stem for path in (languages / "partials" / "languages").glob("*.html")}
    for candidate in (language, language.split("-")[0]):
        if candidate in available:
            return candidate
    return "en"


def set_theme_language(theme: dict[str, Any], language: str, engine: str = "mkdocs") -> None:
    """The theme's own words (search box, buttons) in the site's language, written right to left
    where the language is, unless mkdocs.yml sets `theme.language` (to another language than the
    theme's default, English) or `theme.direction` itself."""
    if theme.get("language", "en") == "en":
        theme["language"] = theme_language(language, engine)
    if not theme.get("direction") and is_right_to_left(language):
        theme["direction"] = "rtl"


def feed_links(content: SiteContent, url: str) -> str:
    """The `<link rel="alternate">` tags of the feeds for the head of the page at `url`. They are
    added to the HTML as text, not through a theme override, so that any theme carries them."""
    words = site_words(content.language)
    feeds = [(words.gettext("Stories"), FEED_PATH)] if content.stories else []
    if DECISIONS_FEED_PATH in content.files:
        feeds.append((words.gettext("Decisions"), DECISIONS_FEED_PATH))
    return "".join(
        f'<link rel="alternate" type="application/atom+xml" title="{html.escape(title)}" '
        f'href="{html.escape(relative_url(path, url))}">'
        for title, path in feeds
    )


def private_name_refusal(text: str, where: str, content: SiteContent | None) -> str | None:
    """The last guard: what reaches the site is read as a person reads it (entities decoded,
    tags inside words removed). Why the build must stop, or None when no private name shows."""
    finder = content.finder if content is not None else None
    if finder is None:
        return None
    if any(finder.names_in(reading) for reading in html_readings(text)):
        return _(
            "{where}: once built, this names a private counterparty (someone not listed in "
            "public_counterparties), so nothing was published. Find the name in the page's "
            "source (also in its file name and title) and write it without the name."
        ).format(where=where)
    return None


def search_and_xml_refusal(site: Path, content: SiteContent, indexes: list[str]) -> str | None:
    """The privacy guard over the search index (`indexes`, relative to the site) and the XML
    files at the site's root (sitemap, feeds): their strings as a reader gets them."""
    for path in [site / index for index in indexes] + sorted(site.glob("*.xml")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".json":  # its strings as they are, not escaped ("\n", "\u00e9")
            try:
                text = "\n".join(json_strings(json.loads(text)))
            except ValueError:
                pass
        refusal = private_name_refusal(text, path.relative_to(site).as_posix(), content)
        if refusal:
            return refusal
    return None


def json_strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_strings(item)


# -- The whole tree, for an engine that runs no plugin (Zensical) -------------------------------


@dataclass
class Tree:
    """A documentation tree written by `write_tree`, ready for an engine."""

    project: Path  # holds the configuration, docs/ and (once built) site/
    config_file: Path
    docs: Path
    site: Path
    content: SiteContent
    site_url: str | None
    #: docs path of each story -> (its front matter, its URL)
    stories: dict[str, tuple[dict[str, Any], str]] = field(default_factory=dict)
    #: every docs path of the tree (pages, data, assets)
    files: set[str] = field(default_factory=set)
    #: what the site lacks with this engine, said once per build
    notes: list[str] = field(default_factory=list)


def split_front_matter(text: str) -> tuple[dict[str, Any], str, bool]:
    """A page's front matter (a mapping, empty when there is none or it is not one), the rest of
    the page, and whether it had front matter."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, False
    try:
        meta = pyyaml.safe_load(match.group(1) or "") or {}
    except pyyaml.YAMLError:
        meta = {}
    return (meta if isinstance(meta, dict) else {}), text[match.end() :], True


def _page_text(src: str, text: str, content: SiteContent, repo_url: str | None) -> str:
    """A page as the tree holds it: what the MkDocs plugin does to it in on_page_markdown."""
    meta, body, had_meta = split_front_matter(text)
    clean_meta(meta, content)
    body = merge_fragment(body, src, content) + page_date_note(src, content, repo_url)
    if had_meta or meta:
        # Dates stay dates (a story's date), strings are quoted as YAML needs.
        head = pyyaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000)
        return f"---\n{head}---\n\n{body}"
    return body


def _hand_written(docs_dir: Path | None) -> list[str]:
    if docs_dir is None or not docs_dir.is_dir():
        return []
    found = []
    for directory, subdirectories, files in os.walk(docs_dir, followlinks=False):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        for name in sorted(files):
            found.append((Path(directory) / name).relative_to(docs_dir).as_posix())
    return found


def write_tree(
    project: Path,
    content: SiteContent,
    docs_dir: Path | None,
    config: dict[str, Any],
    site_url: str | None,
    warn: Callable[[str], None],
) -> Tree:
    """Write into `project` the complete docs tree (hand-written files from `docs_dir` with
    their generated parts, generated pages, data and assets) and a `mkdocs.yml` as Zensical
    reads it, from `config` (the cooperative's own configuration or the built-in one).
    `project/site` is where the engine writes.

    The `publisher:PATH` links stay as they are until `finish_site`: Zensical rewrites every
    relative link of raw HTML as if written relative to the page's source file, and leaves a
    link with a scheme alone, so they are resolved on the HTML it wrote, as the MkDocs plugin
    resolves them on the HTML MkDocs wrote."""
    docs = project / "docs"
    docs.mkdir(parents=True)
    hand = _hand_written(docs_dir)
    hand_set = set(hand)
    # Dotted files (.authors.yml) are configuration of the blog, not pages: kept for reading.
    sources: dict[str, Path] = {rel: docs_dir / rel for rel in hand}  # type: ignore[operator]
    for relative in content.files:
        if relative in hand_set:
            warn(
                _("content/{path} replaces the page the publisher generates there").format(
                    path=relative
                )
            )
            continue
        sources[relative] = content.directory / relative
    repo_url = config.get("repo_url") if isinstance(config.get("repo_url"), str) else None
    tree = Tree(project, project / "mkdocs.yml", docs, project / "site", content, site_url)
    tree.files = set(sources)
    story_paths = {story.path for story in content.stories}
    for relative, source in sorted(sources.items()):
        target = docs / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not relative.endswith(".md"):
            shutil.copyfile(source, target)
            continue
        text = source.read_text(encoding="utf-8-sig")
        text = _page_text(relative, text, content, repo_url)
        if relative == "stories/index.md" and content.stories:
            text += _stories_list(content, relative)
        target.write_text(text, encoding="utf-8")
        if relative in story_paths or relative.startswith(POSTS_DIR + "/"):
            meta, _body, _end = split_front_matter(text)
            tree.stories[relative] = (meta, page_url(relative))
    if content.stories:
        tree.notes.append(_(NO_BLOG))
    tree.config_file.write_text(
        pyyaml.safe_dump(zensical_config(config, content, site_url, tree), allow_unicode=True),
        encoding="utf-8",
    )
    return tree


def _stories_list(content: SiteContent, src: str) -> str:
    """The stories, newest first, for the stories page of an engine without a blog."""
    items = "".join(
        f'<li><a href="publisher:{html.escape(story.path)}">{esc(story.title)}</a> · '
        f"{esc(story.date)}</li>"
        for story in sorted(content.stories, key=lambda s: s.date, reverse=True)
    )
    return f'\n\n<ul class="publisher-stories">{items}</ul>\n'


def zensical_config(
    config: dict[str, Any], content: SiteContent, site_url: str | None, tree: Tree
) -> dict[str, Any]:
    """The configuration Zensical reads (MkDocs' format) for the tree: the cooperative's own
    settings, with the docs and site directories of the tree, the plugins Zensical carries out
    itself, the publisher's stylesheet and script, the footer's provenance and the navigation."""
    result = {key: value for key, value in config.items() if key not in ("plugins", "watch")}
    result["docs_dir"] = "docs"
    result["site_dir"] = "site"
    if site_url:
        result["site_url"] = site_url
    plugins, left_out = [], []
    for plugin in config.get("plugins") or []:
        name = next(iter(plugin)) if isinstance(plugin, dict) else plugin
        if name in _ZENSICAL_PLUGINS:
            plugins.append(plugin)
        elif name not in ("publisher", "blog"):  # the publisher does their work itself
            left_out.append(str(name))
    result["plugins"] = plugins
    if left_out:
        tree.notes.append(
            _n(
                "Zensical runs no MkDocs plugin: {plugins} of mkdocs.yml is left out of the "
                "site it builds.",
                "Zensical runs no MkDocs plugin: {plugins} of mkdocs.yml are left out of the "
                "site it builds.",
                len(left_out),
            ).format(plugins=_(", ").join(left_out))
        )
    refusal = repo_url_refusal(config.get("repo_url"))
    if refusal:
        raise TreeError(refusal)
    theme = dict(config.get("theme") or {"name": "material"})
    theme["font"] = False  # fonts from Google would make every visit call a third-party server
    # Zensical's own look is "modern"; the publisher's stylesheet is written for Material's.
    theme.setdefault("variant", "classic")
    if theme.pop("custom_dir", None):  # Material's overrides are MkDocs templates
        tree.notes.append(
            _(
                "The theme overrides of mkdocs.yml (theme.custom_dir) are MkDocs templates: the "
                "Zensical build leaves them out."
            )
        )
    set_theme_language(theme, content.language, "zensical")
    result["theme"] = theme
    result["extra_css"] = [*(config.get("extra_css") or []), PUBLISHER_CSS]
    result["extra_javascript"] = [*(config.get("extra_javascript") or []), PUBLISHER_JS]
    result["copyright"] = footer_line(config.get("copyright"), content)
    result["nav"] = merged_nav(config.get("nav"), content)
    return result


def _flatten(nav: Any) -> list[Any]:
    if isinstance(nav, dict):
        return [x for value in nav.values() for x in _flatten(value)]
    if isinstance(nav, list):
        return [x for item in nav for x in _flatten(item)]
    return [nav]


# -- After the engine -------------------------------------------------------------------------

#: Where Zensical writes its search index (relative to the site).
ZENSICAL_SEARCH_INDEX = "search.json"
_ARTICLE = re.compile(r"<article\b[^>]*>(.*?)</article>", re.DOTALL)
_HEADERLINK = re.compile(r'<a class="headerlink"[^>]*>.*?</a>', re.DOTALL)


def built_page_url(site: Path, path: Path) -> str:
    """The URL of a built HTML file, relative to the site's root."""
    relative = path.relative_to(site).as_posix()
    if relative == "index.html":
        return ""
    if relative.endswith("/index.html"):
        return relative[: -len("index.html")]
    return relative


def finish_site(tree: Tree) -> None:
    """What needs the built HTML, for an engine that runs no plugin: the `publisher:` links made
    relative to each page, the feeds advertised in the head of every page, the stories feed, and the privacy refusal over every page, the search
    index and the XML files. TreeError when a private name can be read in the built site."""
    site, content = tree.site, tree.content

    def url_of(path: str) -> str | None:
        if path not in tree.files:
            return None
        return page_url(path) if path.endswith(".md") else path

    entries: list[FeedEntry] = []
    # (a federation's site has no summary, and no stories)
    story_site = content.summary.name if content.summary is not None else ""
    authors = _story_authors(tree.docs)
    for path in sorted(site.rglob("*.html")):
        output = path.read_text(encoding="utf-8")
        where = path.relative_to(site).as_posix()
        refusal = private_name_refusal(output, where, content)
        if refusal:
            raise TreeError(refusal)
        url = built_page_url(site, path)
        finished = resolve_links(output, url, url_of)
        tags = feed_links(content, url) + chart_preload(output, url)
        if tags:
            finished = finished.replace("</head>", tags + "</head>", 1)
        if finished != output:
            path.write_text(finished, encoding="utf-8")
    # Stories and their feed are a cooperative's: a federation's site (no summary) has none.
    for src, (meta, url) in sorted(tree.stories.items()):
        built = site / url / "index.html"
        if not built.is_file():
            continue
        found = _ARTICLE.search(built.read_text(encoding="utf-8"))
        # The story's text as the blog hands it to the feed: without the permalink marks and
        # from the heading on (the theme puts buttons before it).
        article = _HEADERLINK.sub("", found.group(1)) if found else ""
        heading = article.find("<h1")
        article = article[heading:] if heading >= 0 else article
        named = [authors.get(str(a), str(a)) for a in meta.get("authors") or []]
        page = SimpleNamespace(
            config=None,
            meta={**meta, "authors": named},
            title=meta.get("title") or _first_heading(article),
            url=url,
            file=SimpleNamespace(src_uri=src),
        )
        entry = entry_from_page(page, article, story_site)
        if entry is not None:
            entries.append(entry)
    if content.stories:
        (site / FEED_PATH).write_text(stories_feed(content, tree.site_url, entries), "utf-8")
    refusal = search_and_xml_refusal(site, content, [ZENSICAL_SEARCH_INDEX])
    if refusal:
        raise TreeError(refusal)


def _first_heading(article: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", article, re.DOTALL)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else ""


def _story_authors(docs: Path) -> dict[str, str]:
    """Author ids of the stories -> their names, from the blog's `.authors.yml`."""
    path = docs / "stories" / ".authors.yml"
    if not path.is_file():
        return {}
    try:
        data = pyyaml.safe_load(path.read_text(encoding="utf-8"))
    except (pyyaml.YAMLError, UnicodeDecodeError):
        return {}
    authors = data.get("authors") if isinstance(data, dict) else None
    if not isinstance(authors, dict):
        return {}
    return {
        str(key): str(value.get("name", key))
        for key, value in authors.items()
        if isinstance(value, dict)
    }


def chart_preload(output: str, url: str) -> str:
    """A preload link for the chart code, for the head of a page with charts: the browser
    fetches it while it reads the page, not after (publisher.js runs it once the page's own
    scripts have run)."""
    if 'class="publisher-chart__plot"' not in output:
        return ""
    plotly = relative_url(f"assets/publisher/{PLOTLY_FILE}", url)
    return f'<link rel="preload" href="{html.escape(plotly)}" as="script">'
