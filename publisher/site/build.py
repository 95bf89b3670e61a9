"""`publisher build` and `publisher serve`: the site built safely, by MkDocs with the publisher
plugin (the default) or by Zensical from the complete tree the publisher writes (tree.py).

The site is built into a fresh directory beside the target and swapped in only when the build
succeeded, so a failed build leaves the site that is already there exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import logging
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml as pyyaml  # MkDocs' own YAML library, for the configuration MkDocs reads
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException

from publisher.cooperative import check_cooperative, read_text_file
from publisher.federation import Progress, is_federation, load_federation, publication_stopped
from publisher.i18n import _, _n
from publisher.problems import Problem, format_text, has_errors
from publisher.site.tree import DEFAULT_ENGINE, ENGINES

CONFIG_FILE = "mkdocs.yml"
CONTENT_DIR = "content"
#: Where MkDocs takes the pages from when mkdocs.yml names no docs_dir.
MKDOCS_DEFAULT_DOCS_DIR = "docs"
#: Written into every site the publisher builds: only a directory holding it is replaced.
SITE_MARKER = ".publisher-site"
#: What a site MkDocs built holds; an old site/ without the marker is accepted when it has one.
_MKDOCS_SITE_FILES = ("sitemap.xml", "search/search_index.json")
#: What a build never deletes, overwrites or writes into, relative to the repository.
_PROTECTED = ("ledgers", CONTENT_DIR, ".git", "federation.yml", CONFIG_FILE, ".cache")


class SiteError(Exception):
    """The site could not be built (the message says why); the previous site is untouched."""


@dataclass(frozen=True)
class BuildResult:
    problems: list[Problem]
    site_dir: Path | None  # None when nothing was built
    #: seconds spent checking the books, generating pages and data, and in MkDocs
    timings: dict[str, float] = field(default_factory=dict)


def _inside(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def _git_top(root: Path) -> Path | None:
    """The top of the git work tree that holds `root` (found by walking up to a .git)."""
    for candidate in (root, *root.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def site_target(root: Path | str, site_dir: Path | str | None) -> Path:
    """The resolved directory a build may replace, or SiteError saying why it may not.

    A site directory that is, holds or lies inside the books (ledgers/), the pages (content/,
    or mkdocs.yml's docs_dir), .git, or that is or holds the repository itself, is refused; so
    is an existing directory the publisher did not build (it has no marker and does not look
    like a site MkDocs built). Symbolic links are resolved first, so a link cannot hide any of
    these. Nothing is touched here."""
    root = Path(root).resolve()
    target = (Path(site_dir) if site_dir else root / "site").resolve()
    tops = {root} | ({top} if (top := _git_top(root)) else set())
    members = _local_members(root)
    for top in tops | {member.resolve() for member in members}:
        if _inside(top, target):
            raise SiteError(
                _(
                    "--site-dir {target} is or holds the repository {repository}: building there "
                    "would delete the books. Choose a new directory, such as site/."
                ).format(target=target, repository=top)
            )
    protected = [root / name for name in _PROTECTED] + [top / ".git" for top in tops]
    docs_dir = refuse_docs_dir_outside(root)
    if docs_dir is not None:
        protected.append(docs_dir)
    protected += [member / name for member in members for name in ("ledgers", CONTENT_DIR, ".git")]
    for path in protected:
        resolved = path.resolve()
        if _inside(target, resolved) or _inside(resolved, target):
            raise SiteError(
                _(
                    "--site-dir {target} is, holds or lies inside {protected}, which the "
                    "publisher "
                    "reads and never overwrites. Choose another directory, such as site/."
                ).format(target=target, protected=resolved)
            )
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise SiteError(
                _(
                    "--site-dir {target} exists and is not a directory; remove it or choose "
                    "another --site-dir."
                ).format(target=target)
            )
        if any(target.iterdir()) and not _built_site(target):
            raise SiteError(
                _(
                    "{target} is not empty and is not a site the publisher built (it has no "
                    "{marker} file), so it is not replaced. Remove it, or choose another "
                    "--site-dir."
                ).format(target=target, marker=SITE_MARKER)
            )
    return target


def refuse_docs_dir_outside(root: Path) -> Path | None:
    """mkdocs.yml's docs_dir (resolved), or SiteError when it lies outside the repository: both
    engines publish every file of docs_dir, so `docs_dir: ../..` would publish the files of
    the machine that builds the site (a CI runner's home, say)."""
    docs_dir = _configured_docs_dir(root)
    if docs_dir == root.resolve():
        raise SiteError(
            _(
                "{config}: docs_dir is the repository itself, so the books, mkdocs.yml and every "
                "other file in it would be published. Set docs_dir to a folder inside it, such "
                "as content."
            ).format(config=CONFIG_FILE)
        )
    if docs_dir is not None and not _inside(docs_dir, root.resolve()):
        raise SiteError(
            _(
                "{config}: docs_dir {docs_dir} lies outside the repository {repository}; the "
                "publisher publishes only pages kept in the repository. Set docs_dir to a folder "
                "inside it, such as content."
            ).format(config=CONFIG_FILE, docs_dir=docs_dir, repository=root.resolve())
        )
    return docs_dir


def pages_dir(root: Path) -> Path:
    """The folder (resolved) both engines take the hand-written pages from, so that they publish
    the same pages: mkdocs.yml's docs_dir (MkDocs' default, docs/, when it names none), or
    content/ without a mkdocs.yml. SiteError when docs_dir lies outside the repository."""
    return refuse_docs_dir_outside(root) or (root / CONTENT_DIR).resolve()


def _first_five(paths: list[str]) -> str:
    """The first five of `paths`, and how many more, for a message."""
    shown = _(", ").join(paths[:5])
    if len(paths) <= 5:
        return shown
    more = len(paths) - 5
    return _n("{links} and {count:,} more", "{links} and {count:,} more", more).format(
        links=shown, count=more
    )


def refuse_links(docs_dir: Path | str) -> None:
    """SiteError when the pages MkDocs would read hold a symbolic link: MkDocs follows links, and
    would publish what they point to (any file of the machine)."""
    top = Path(docs_dir)
    if top.is_symlink():
        raise SiteError(
            _(
                "{folder} is a symbolic link; the publisher never follows links. Replace it with "
                "a folder."
            ).format(folder=top)
        )
    links: list[str] = []
    special: list[str] = []
    for directory, subdirectories, files in os.walk(top, followlinks=False):
        for name in sorted(subdirectories + files):
            path = Path(directory) / name
            if path.is_symlink():
                links.append(path.relative_to(top).as_posix())
            elif name in files and not stat.S_ISREG(path.lstat().st_mode):
                special.append(path.relative_to(top).as_posix())
    if special:
        # A named pipe would make either engine wait for a writer forever.
        shown = _first_five(special)
        raise SiteError(
            _(
                "The pages in {folder} hold files that are not regular files ({files}: a named "
                "pipe, a socket or a device), which no engine can read. Remove them."
            ).format(folder=top, files=shown)
        )
    if links:
        shown = _first_five(links)
        raise SiteError(
            _(
                "The pages in {folder} hold symbolic links ({links}); the publisher never follows "
                "links, which could publish any file of this machine. Replace each with a copy "
                "of what it points to."
            ).format(folder=top, links=shown)
        )


def _built_site(directory: Path) -> bool:
    """Whether `directory` is a site the publisher (or MkDocs, before the marker) built."""
    if (directory / SITE_MARKER).is_file():
        return True
    return any((directory / name).is_file() for name in _MKDOCS_SITE_FILES)


def _local_members(root: Path) -> list[Path]:
    """The directories and local repositories a federation.yml names as members: their books."""
    from publisher.federation import FEDERATION_PATH, parse_federation

    if not (root / FEDERATION_PATH).is_file():
        return []
    text, _read_problems = read_text_file(root, FEDERATION_PATH)
    config, _problems = parse_federation(text) if text is not None else (None, [])
    if config is None:
        return []
    local = [
        where
        for m in config.members
        if (where := m.path or m.repo) and (m.path or not where.startswith("https://"))
    ]
    return [root / where for where in local]


def _configured_docs_dir(root: Path) -> Path | None:
    """docs_dir of the cooperative's own mkdocs.yml (read as plain YAML, ignoring the tags MkDocs
    would interpret), resolved as MkDocs resolves it: relative to the repository, docs/ when
    mkdocs.yml names none. None without a readable mkdocs.yml."""
    own = root / CONFIG_FILE
    if not own.is_file():
        return None

    class _Lenient(pyyaml.SafeLoader):
        pass

    _Lenient.add_multi_constructor("", lambda loader, suffix, node: None)
    try:
        data = pyyaml.load(own.read_text(encoding="utf-8-sig"), Loader=_Lenient)
    except (OSError, UnicodeDecodeError, pyyaml.YAMLError):
        return None
    if not isinstance(data, dict):
        return None
    docs = data.get("docs_dir", MKDOCS_DEFAULT_DOCS_DIR)
    return (root / docs.strip()).resolve() if isinstance(docs, str) else None


def builtin_config(root: Path, name: str, docs_dir: Path | None = None) -> dict[str, Any]:
    """The configuration used when the cooperative has no mkdocs.yml of its own."""
    plugins: list[Any] = ["search"]
    if (root / CONTENT_DIR / "stories").is_dir():
        plugins.append({"blog": {"blog_dir": "stories", "blog_toc": True}})
    plugins.append({"publisher": {"root": str(root)}})
    return {
        # Material writes site_name into pages as it is: the name from accounts.yml is escaped.
        "site_name": html.escape(name),
        "docs_dir": str(docs_dir or root / CONTENT_DIR),
        "theme": {
            "name": "material",
            "font": False,
            "features": [
                "navigation.instant",
                "navigation.tabs",
                "navigation.top",
                "search.suggest",
                "content.tooltips",
            ],
            # primary "custom": the publisher's stylesheet sets a deep teal that passes WCAG AA
            # contrast under white text and beside the links, in both palettes.
            "palette": [
                {
                    "media": "(prefers-color-scheme: light)",
                    "scheme": "default",
                    "primary": "custom",
                    "accent": "amber",
                    "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"},
                },
                {
                    "media": "(prefers-color-scheme: dark)",
                    "scheme": "slate",
                    "primary": "custom",
                    "accent": "amber",
                    "toggle": {"icon": "material/weather-sunny", "name": "Switch to light mode"},
                },
            ],
        },
        "plugins": plugins,
        "markdown_extensions": [
            "tables",
            "attr_list",
            "md_in_html",
            "admonition",
            "pymdownx.details",
            {"toc": {"permalink": True}},
        ],
    }


def require_publisher_plugin(config: Any) -> None:
    """Raise SiteError when a cooperative's own mkdocs.yml does not enable the plugin."""
    if "publisher" not in config.plugins:
        raise SiteError(
            _(
                "{config} does not enable the publisher plugin: add `- publisher` under "
                "`plugins:` (next to `search`)."
            ).format(config=CONFIG_FILE)
        )


def _load_mkdocs_config(
    root: Path,
    site_dir: Path,
    name: str,
    stack: list[Path],
    site_url: str | None,
    docs_dir: Path | None = None,
) -> Any:
    # Material's instant navigation works only with a site_url (it reads the sitemap).
    overrides: dict[str, Any] = {"site_dir": str(site_dir)}
    if site_url:
        overrides["site_url"] = site_url
    own = root / CONFIG_FILE
    if own.is_file():
        config = load_config(config_file=str(own), **overrides)
        require_publisher_plugin(config)
        return config
    scratch = Path(tempfile.mkdtemp(prefix="publisher-config-"))
    stack.append(scratch)
    config_path = scratch / CONFIG_FILE
    config_path.write_text(
        pyyaml.safe_dump(builtin_config(root.resolve(), name, docs_dir)), encoding="utf-8"
    )
    return load_config(config_file=str(config_path), **overrides)


def build_site(
    root: Path | str,
    site_dir: Path | str | None = None,
    today: dt.date | None = None,
    site_url: str | None = None,
    engine: str = DEFAULT_ENGINE,
) -> BuildResult:
    """Check the books; if there is no error, build the site with `engine` (mkdocs or
    zensical) and swap it into `site_dir`."""
    root = Path(root)
    _require_engine(engine)
    if is_federation(root):
        return build_federation_site(root, site_dir, today, site_url, engine)
    site_target(root, site_dir)  # refused before anything is read or written
    started = time.perf_counter()
    cooperative, problems = check_cooperative(root, today)
    checked = time.perf_counter()
    if cooperative is None or has_errors(problems):
        return BuildResult(problems, None, {"check": checked - started})
    docs = pages_dir(root)
    if not docs.is_dir():
        raise SiteError(
            _(
                "{root} has no {content}/ directory for the site's pages (at least index.md)."
            ).format(root=root, content=docs.relative_to(root.resolve()).as_posix())
        )
    target, generate_seconds = _build_and_swap(
        root, site_dir, cooperative.accounts.name, site_url, (cooperative, problems), engine=engine
    )
    built = time.perf_counter()
    timings = {
        "check": checked - started,
        "generate": generate_seconds,
        engine: built - checked - generate_seconds,
    }
    return BuildResult(problems, target, timings)


def build_federation_site(
    root: Path,
    site_dir: Path | str | None = None,
    today: dt.date | None = None,
    site_url: str | None = None,
    engine: str = DEFAULT_ENGINE,
) -> BuildResult:
    """Fetch and check every member, then build the federation's site. Members that are invalid
    or unreachable are shown as such and left out; only errors in federation.yml and in the
    federation's own pages (content/) stop the build."""
    site_target(root, site_dir)  # refused before any member is fetched
    started = time.perf_counter()
    federation = load_federation(root, today, progress=Progress())
    checked = time.perf_counter()
    if publication_stopped(federation):
        return BuildResult(federation.problems, None, {"check": checked - started})
    docs = pages_dir(root)  # the same folder for both engines
    if (root / CONFIG_FILE).is_file() and not docs.is_dir():
        # (without a mkdocs.yml, a federation needs no pages of its own)
        raise SiteError(
            _(
                "{root} has no {content}/ directory for the site's pages (at least index.md)."
            ).format(root=root, content=docs.relative_to(root.resolve()).as_posix())
        )
    target, generate_seconds = _build_and_swap(
        root, site_dir, federation.config.name, site_url, federation, docs, engine
    )
    built = time.perf_counter()
    timings = {
        "check": checked - started,
        "generate": generate_seconds,
        engine: built - checked - generate_seconds,
    }
    return BuildResult(federation.problems, target, timings)


def _build_and_swap(
    root: Path,
    site_dir: Path | str | None,
    name: str,
    site_url: str | None,
    preloaded: Any,
    docs_dir: Path | None = None,
    engine: str = DEFAULT_ENGINE,
) -> tuple[Path, float]:
    """Build with `engine` into a new directory beside the target, then swap it in. On any
    failure the target is left exactly as it was. Returns the target and the seconds spent
    generating pages and data."""
    target = site_target(root, site_dir)  # again: the directory may have changed during the checks
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine == "zensical":
        return target, _build_with_zensical(root, target, name, site_url, preloaded, docs_dir)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    scratch: list[Path] = []
    plugin = None
    try:
        if docs_dir is not None and not docs_dir.is_dir():  # a federation without pages of its own
            docs_dir = Path(tempfile.mkdtemp(prefix="publisher-docs-"))
            scratch.append(docs_dir)
        config = _load_mkdocs_config(root, building, name, scratch, site_url, docs_dir)
        refuse_links(config.docs_dir)
        plugin = config.plugins["publisher"]
        plugin.preloaded = preloaded  # checked once: the plugin does not check again
        mkdocs_build(config)
        (building / SITE_MARKER).write_text(
            "Built by coop-publisher: publisher build replaces this directory.\n", encoding="utf-8"
        )
        _swap(building, target)
    except (MkDocsException, OSError) as error:
        shutil.rmtree(building, ignore_errors=True)
        # MkDocs reports an error of a page as "Aborted with a BuildError!": say which.
        reason = getattr(plugin, "refusal", None) or error
        raise SiteError(_("The site could not be built: {reason}").format(reason=reason)) from None
    except RecursionError:
        # Python-Markdown recurses once per level of nesting (quotes, lists): a page nested
        # thousands deep exhausts the stack. A message, not a traceback.
        shutil.rmtree(building, ignore_errors=True)
        raise SiteError(
            _(
                "The site could not be built: a page is nested too deeply (thousands of quotes or "
                "list levels inside each other). Flatten it."
            )
        ) from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        for path in scratch:
            shutil.rmtree(path, ignore_errors=True)
    return target, plugin.generate_seconds


#: The longest a Zensical build may take before it is stopped (the books are bounded, so a
#: build that runs longer is stuck).
ZENSICAL_TIMEOUT_SECONDS = 900
log = logging.getLogger("mkdocs.plugins.publisher")


def _require_engine(engine: str) -> None:
    if engine not in ENGINES:
        raise SiteError(
            _("--engine {engine!r} is not known: choose one of {engines}.").format(
                engine=engine, engines=_(", ").join(ENGINES)
            )
        )
    if engine == "zensical" and importlib.util.find_spec("zensical") is None:
        raise SiteError(
            _(
                "--engine zensical needs Zensical, which is not installed: "
                "pip install 'coop-publisher[zensical]' (or --engine mkdocs)."
            )
        )


def engine_settings(root: Path, name: str, docs_dir: Path | None = None) -> tuple[dict, Path]:
    """The site's settings as a plain mapping (the cooperative's mkdocs.yml, read as plain YAML,
    or the built-in configuration) and its pages' directory, for an engine without plugins."""
    own = root / CONFIG_FILE
    if not own.is_file():
        config = builtin_config(root.resolve(), name, docs_dir)
        return config, Path(config["docs_dir"])

    class _Lenient(pyyaml.SafeLoader):
        pass

    # MkDocs' tags (!ENV, !!python/name) mean nothing to Zensical's copy of the settings.
    tags: list[str] = []

    def _empty(loader: Any, suffix: str, node: Any) -> None:
        tags.append(node.tag)

    _Lenient.add_multi_constructor("", _empty)
    try:
        config = pyyaml.load(own.read_text(encoding="utf-8-sig"), Loader=_Lenient)
    except (OSError, UnicodeDecodeError, pyyaml.YAMLError) as error:
        raise SiteError(
            _("{config} cannot be read: {error}").format(config=CONFIG_FILE, error=error)
        ) from None
    if tags:
        log.info(
            _(
                "{config} uses MkDocs' YAML tags ({tags}): they mean nothing to Zensical, so "
                "those settings are read as empty."
            ).format(config=CONFIG_FILE, tags=_(", ").join(sorted(set(tags))))
        )
    if not isinstance(config, dict):
        raise SiteError(_("{config} is not a mapping of settings.").format(config=CONFIG_FILE))
    names = [next(iter(p)) if isinstance(p, dict) else p for p in config.get("plugins") or []]
    if "publisher" not in names:
        raise SiteError(
            _(
                "{config} does not enable the publisher plugin: add `- publisher` under "
                "`plugins:` (next to `search`)."
            ).format(config=CONFIG_FILE)
        )
    # The folder MkDocs reads, also for a federation (whatever `docs_dir` says).
    return config, pages_dir(root)


def _build_with_zensical(
    root: Path,
    target: Path,
    name: str,
    site_url: str | None,
    preloaded: Any,
    docs_dir: Path | None,
) -> float:
    """Write the complete tree beside the target, have Zensical build it, finish the built HTML
    (feeds, privacy) and swap it in. Returns the seconds spent generating pages and data."""
    from publisher.gitrepo import head_commit
    from publisher.site.federation_pages import generate_federation_site
    from publisher.site.generate import generate_site
    from publisher.site.tree import TreeError, finish_site, write_tree

    project = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    staging = Path(tempfile.mkdtemp(prefix="publisher-"))
    try:
        config, docs = engine_settings(root, name, docs_dir)
        if docs.is_dir():
            refuse_links(docs)
        started = time.perf_counter()
        if isinstance(preloaded, tuple):
            cooperative, problems = preloaded
            content = generate_site(
                cooperative,
                problems,
                head_commit(root),
                docs,
                staging,
                site_url or config.get("site_url"),
            )
        else:
            content = generate_federation_site(preloaded, head_commit(root), docs, staging)
        generate_seconds = time.perf_counter() - started
        tree = write_tree(
            project, content, docs, config, site_url or config.get("site_url"), log.warning
        )
        for note in tree.notes:
            log.info(note)
        try:
            done = subprocess.run(
                [sys.executable, "-m", "zensical", "build", "--clean", "-f", str(tree.config_file)],
                cwd=project,
                capture_output=True,
                text=True,
                timeout=ZENSICAL_TIMEOUT_SECONDS,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SiteError(
                _(
                    "The site could not be built: Zensical did not finish within {seconds} seconds."
                ).format(seconds=ZENSICAL_TIMEOUT_SECONDS)
            ) from None
        if done.returncode != 0 or not (tree.site / "index.html").is_file():
            said = (done.stderr or done.stdout or "").strip().splitlines()[-10:]
            raise SiteError(
                _("The site could not be built: Zensical failed:\n{zensical_said}").format(
                    zensical_said="\n".join(said)
                )
                if said
                else _(
                    "The site could not be built: Zensical failed (exit status {status})."
                ).format(status=done.returncode)
            )
        finish_site(tree)
        (tree.site / SITE_MARKER).write_text(
            "Built by coop-publisher: publisher build replaces this directory.\n", encoding="utf-8"
        )
        _swap(tree.site, target)
        return generate_seconds
    except (TreeError, OSError) as error:
        raise SiteError(_("The site could not be built: {reason}").format(reason=error)) from None
    finally:
        shutil.rmtree(project, ignore_errors=True)
        shutil.rmtree(staging, ignore_errors=True)


def _swap(built: Path, target: Path) -> None:
    """Put the new site in place: two renames on the same file system, then the old one goes."""
    os.chmod(built, 0o755)  # mkdtemp makes it private; a published site is readable
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        old.rmdir()
        target.rename(old)
        built.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        built.rename(target)


def serve_site(
    root: Path | str,
    address: str = "127.0.0.1:8000",
    report: Callable[[str], None] | None = None,
    engine: str = DEFAULT_ENGINE,
) -> None:
    """A live preview that rebuilds when a ledger or a page changes. While the books have an
    error, every address shows the problems (and `report` prints them) until they are fixed.

    The site is served from a temporary directory of its own: no site directory is written.
    Pages holding symbolic links are refused (SiteError), as for a build."""
    from publisher.site.preview import serve_preview

    root = Path(root).resolve()
    _require_engine(engine)
    docs = pages_dir(root)
    if docs.is_dir():  # a named pipe would make the preview wait for a writer forever
        refuse_links(docs)
    report = report or (lambda text: print(text, end="", file=sys.stderr, flush=True))
    if engine == "zensical":
        _serve_with_zensical(root, address, report)
        return
    own = root / CONFIG_FILE
    scratch: list[Path] = []
    try:
        if own.is_file():
            config_file = str(own)
        else:
            scratch_dir = Path(tempfile.mkdtemp(prefix="publisher-config-"))
            scratch.append(scratch_dir)
            docs = root / CONTENT_DIR
            if is_federation(root):
                from publisher.federation import FEDERATION_PATH, parse_federation

                text, _read_problems = read_text_file(root, FEDERATION_PATH)
                config, _problems = parse_federation(text) if text is not None else (None, [])
                name = config.name if config else root.name
                if not docs.is_dir():
                    docs = scratch_dir / "docs"
                    docs.mkdir()
            else:
                from publisher.accounts import ACCOUNTS_PATH, parse_accounts

                text, _read_problems = read_text_file(root, ACCOUNTS_PATH)
                accounts, _problems = parse_accounts(text) if text is not None else (None, [])
                name = accounts.name if accounts else root.name
            config_file = str(scratch_dir / CONFIG_FILE)
            Path(config_file).write_text(
                pyyaml.safe_dump(builtin_config(root, name, docs)), encoding="utf-8"
            )
        refuse_links(load_config(config_file=config_file).docs_dir)
        watched = root / ("federation.yml" if is_federation(root) else "ledgers")
        serve_preview(
            root,
            config_file,
            address,
            [str(watched)],
            report,
        )
    finally:
        for path in scratch:
            shutil.rmtree(path, ignore_errors=True)


def _serve_with_zensical(root: Path, address: str, report: Callable[[str], None]) -> None:
    """The preview with Zensical: MkDocs' live-reload server (the problems page, the reload
    script) over a directory that each change rebuilds in full with `build_site`, which swaps
    the new site in only when it built."""
    from publisher.site.preview import PreviewServer, problems_page, serve_until_stopped

    host, _colon, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise SiteError(
            _("--address {address!r} must be HOST:PORT, such as 127.0.0.1:8000.").format(
                address=address
            )
        )
    scratch = Path(tempfile.mkdtemp(prefix="publisher-serve-"))
    site_dir = scratch / "site"
    site_dir.mkdir()

    def builder() -> None:
        # Never raises: a failed build would leave every request of the preview waiting.
        try:
            result = build_site(root, site_dir, engine="zensical")
        except Exception as error:  # noqa: BLE001 (any failure: shown, never stuck)
            report(_("publisher: the site could not be built: {error}").format(error=error) + "\n")
            server.show_problems(problems_page([], failure=str(error)))
            return
        if result.problems:
            report(format_text(result.problems))
        if result.site_dir is None:
            report("There are errors, so the preview shows them instead of the site.\n")
            server.show_problems(problems_page(result.problems))
            return
        server.show_problems(None)

    server = PreviewServer(
        builder=builder, host=host, port=int(port), root=str(site_dir), mount_path="/"
    )
    try:
        builder()
        watched = [
            root / "federation.yml",
            root / "ledgers",
            root / CONTENT_DIR,
            pages_dir(root),  # mkdocs.yml's docs_dir, when it is another folder
            root / CONFIG_FILE,
        ]
        for path in dict.fromkeys(watched):
            if path.exists():
                server.watch(str(path))
        serve_until_stopped(server, address, report, engine="Zensical")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def quiet_mkdocs_logging() -> None:
    """Show MkDocs' warnings and errors, not its progress chatter; the publisher plugin's own
    information (such as instant navigation being off) is shown too."""
    logger = logging.getLogger("mkdocs")
    if not any(isinstance(h, logging.StreamHandler) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logging.getLogger("mkdocs.plugins.publisher").setLevel(logging.INFO)
