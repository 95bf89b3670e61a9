"""`publisher build` and `publisher serve`: MkDocs with the publisher plugin, built safely.

The site is built into a fresh directory beside the target and swapped in only when the build
succeeded, so a failed build leaves the site that is already there exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
import shutil
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

from publisher.cooperative import check_cooperative
from publisher.federation import Progress, is_federation, load_federation
from publisher.problems import Problem, has_errors

CONFIG_FILE = "mkdocs.yml"
CONTENT_DIR = "content"


class SiteError(Exception):
    """The site could not be built (the message says why); the previous site is untouched."""


@dataclass(frozen=True)
class BuildResult:
    problems: list[Problem]
    site_dir: Path | None  # None when nothing was built
    #: seconds spent checking the books, generating pages and data, and in MkDocs
    timings: dict[str, float] = field(default_factory=dict)


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
            "palette": [
                {
                    "media": "(prefers-color-scheme: light)",
                    "scheme": "default",
                    "toggle": {"icon": "material/weather-night", "name": "Switch to dark mode"},
                },
                {
                    "media": "(prefers-color-scheme: dark)",
                    "scheme": "slate",
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
            f"{CONFIG_FILE} does not enable the publisher plugin: add `- publisher` under "
            "`plugins:` (next to `search`)."
        )


def _load_mkdocs_config(
    root: Path, site_dir: Path, name: str, stack: list[Path], site_url: str | None, docs_dir: Path | None = None
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
    config_path.write_text(pyyaml.safe_dump(builtin_config(root.resolve(), name, docs_dir)), encoding="utf-8")
    return load_config(config_file=str(config_path), **overrides)


def build_site(
    root: Path | str,
    site_dir: Path | str | None = None,
    today: dt.date | None = None,
    site_url: str | None = None,
) -> BuildResult:
    """Check the books; if there is no error, build the site and swap it into `site_dir`."""
    root = Path(root)
    if is_federation(root):
        return build_federation_site(root, site_dir, today, site_url)
    started = time.perf_counter()
    cooperative, problems = check_cooperative(root, today)
    checked = time.perf_counter()
    if cooperative is None or has_errors(problems):
        return BuildResult(problems, None, {"check": checked - started})
    if not (root / CONTENT_DIR).is_dir():
        raise SiteError(f"{root} has no {CONTENT_DIR}/ directory for the site's pages (at least index.md).")
    target, plugin = _build_and_swap(root, site_dir, cooperative.accounts.name, site_url, (cooperative, problems))
    built = time.perf_counter()
    timings = {
        "check": checked - started,
        "generate": plugin.generate_seconds,
        "mkdocs": built - checked - plugin.generate_seconds,
    }
    return BuildResult(problems, target, timings)


def build_federation_site(
    root: Path, site_dir: Path | str | None = None, today: dt.date | None = None, site_url: str | None = None
) -> BuildResult:
    """Fetch and check every member, then build the federation's site. Members that are invalid
    or unreachable are shown as such and left out; only errors in federation.yml stop the build."""
    started = time.perf_counter()
    federation = load_federation(root, today, progress=Progress())
    checked = time.perf_counter()
    if federation.config is None:
        return BuildResult(federation.problems, None, {"check": checked - started})
    docs = (root / CONTENT_DIR).resolve()
    target, plugin = _build_and_swap(root, site_dir, federation.config.name, site_url, federation, docs)
    built = time.perf_counter()
    timings = {
        "check": checked - started,
        "generate": plugin.generate_seconds,
        "mkdocs": built - checked - plugin.generate_seconds,
    }
    return BuildResult(federation.problems, target, timings)


def _build_and_swap(
    root: Path,
    site_dir: Path | str | None,
    name: str,
    site_url: str | None,
    preloaded: Any,
    docs_dir: Path | None = None,
) -> tuple[Path, Any]:
    """Build with MkDocs into a new directory beside the target, then swap it in. On any
    failure the target is left exactly as it was. Returns the target and the plugin."""
    target = (Path(site_dir) if site_dir else root / "site").resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    scratch: list[Path] = []
    plugin = None
    try:
        if docs_dir is not None and not docs_dir.is_dir():  # a federation without pages of its own
            docs_dir = Path(tempfile.mkdtemp(prefix="publisher-docs-"))
            scratch.append(docs_dir)
        config = _load_mkdocs_config(root, building, name, scratch, site_url, docs_dir)
        plugin = config.plugins["publisher"]
        plugin.preloaded = preloaded  # checked once: the plugin does not check again
        mkdocs_build(config)
        _swap(building, target)
    except (MkDocsException, OSError) as error:
        shutil.rmtree(building, ignore_errors=True)
        # MkDocs reports an error of a page as "Aborted with a BuildError!": say which.
        reason = getattr(plugin, "refusal", None) or error
        raise SiteError(f"The site could not be built: {reason}") from None
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        for path in scratch:
            shutil.rmtree(path, ignore_errors=True)
    return target, plugin


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


def serve_site(root: Path | str, address: str = "127.0.0.1:8000", report: Callable[[str], None] | None = None) -> None:
    """A live preview that rebuilds when a ledger or a page changes. While the books have an
    error, every address shows the problems (and `report` prints them) until they are fixed."""
    from publisher.site.preview import serve_preview

    root = Path(root).resolve()
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

                config, _ = parse_federation((root / FEDERATION_PATH).read_text(encoding="utf-8"))
                name = config.name if config else root.name
                if not docs.is_dir():
                    docs = scratch_dir / "docs"
                    docs.mkdir()
            else:
                from publisher.accounts import ACCOUNTS_PATH, parse_accounts

                accounts, _ = parse_accounts((root / ACCOUNTS_PATH).read_text(encoding="utf-8"))
                name = accounts.name if accounts else root.name
            config_file = str(scratch_dir / CONFIG_FILE)
            Path(config_file).write_text(pyyaml.safe_dump(builtin_config(root, name, docs)), encoding="utf-8")
        watched = root / ("federation.yml" if is_federation(root) else "ledgers")
        serve_preview(
            root,
            config_file,
            address,
            [str(watched)],
            report or (lambda text: print(text, end="", file=sys.stderr, flush=True)),
        )
    finally:
        for path in scratch:
            shutil.rmtree(path, ignore_errors=True)


def quiet_mkdocs_logging() -> None:
    """Show MkDocs' warnings and errors, not its progress chatter."""
    logger = logging.getLogger("mkdocs")
    if not any(isinstance(h, logging.StreamHandler) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
