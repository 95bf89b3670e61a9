"""Accessibility and HTML checks for the browser tests: axe-core run inside a Playwright page, and
the W3C HTML checker (vnu.jar) run over built pages.

Both tools come from the npm registry at exact versions, installed by scripts/test.sh into
.venv/a11y. What they report is filtered to what the publisher causes (its generated pages, its
assets, its default configuration). The few errors of the W3C checker that come from the
theme's own templates (Material for MkDocs' with the MkDocs engine, Zensical's with Zensical),
which the publisher does not write and cannot change without forking the theme, are listed below
by engine, message and element, each with the reason, so that nothing else can hide behind them.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from tests.sitetools import REPO

NODE_MODULES = REPO / ".venv" / "a11y" / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")
#: WCAG 2.0 levels A and AA, the rules the issue's bar names.
AXE_TAGS = ("wcag2a", "wcag2aa")
#: Impacts a reader notices: axe's "serious" and "critical".
BLOCKING = ("serious", "critical")
#: vnu reads many pages in one Java start-up, but no slower than this.
VNU_SECONDS = 300


@dataclass(frozen=True)
class Violation:
    """One element that breaks one axe rule."""

    rule: str
    impact: str
    selector: str
    html: str


@dataclass(frozen=True)
class HtmlError:
    """One error of the W3C checker in one file."""

    path: Path
    line: int
    message: str
    extract: str


# -- What the themes' own templates cause (not the publisher's markup, assets or defaults) -----


@dataclass(frozen=True)
class ThemeError:
    """An error of the W3C checker that a theme's own template writes, and why it is the theme's.
    It matches an error whose message starts with `message` and whose markup holds `markup`, on
    the pages whose path (as given to the checker) `pages` finds, or on every page when empty."""

    message: str
    markup: str
    why: str
    pages: str = ""

    def matches(self, error: HtmlError) -> bool:
        return (
            error.message.startswith(self.message)
            and self.markup in error.extract
            and (not self.pages or re.search(self.pages, error.path.as_posix()) is not None)
        )


#: Material for MkDocs' templates, in the sites MkDocs builds.
MATERIAL_HTML: tuple[ThemeError, ...] = (
    ThemeError(
        "Attribute “autocomplete” is only allowed when the input type is",
        'class="md-toggle"',
        "Material's base template sets autocomplete=off on its drawer and search checkboxes, so "
        "that Firefox does not restore an open drawer; HTML allows the attribute only on text-like inputs.",
    ),
    ThemeError(
        "Bad value “” for attribute “tabindex” on element “label”",
        'class="md-nav__link"',
        'Material\'s navigation partial writes tabindex="" on the label of a section it shows '
        "expanded (navigation.tabs); the publisher only names the pages.",
    ),
    ThemeError(
        "The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control.",
        'class="md-nav__title" for="__toc"',
        "Material's table-of-contents partial labels its __toc toggle, which the blog plugin's post "
        "template leaves out.",
    ),
)

#: Zensical's templates (zensical 0.0.73, classic variant), in the sites Zensical builds. Its
#: base template and partials are Material's, so the first two are Material's too.
ZENSICAL_HTML: tuple[ThemeError, ...] = (
    ThemeError(
        "Attribute “autocomplete” is only allowed when the input type is",
        'class="md-toggle"',
        "Zensical's base.html, like Material's, sets autocomplete=off on its drawer and search "
        "checkboxes; HTML allows the attribute only on text-like inputs.",
    ),
    ThemeError(
        "Bad value “” for attribute “tabindex” on element “label”",
        'class="md-nav__link"',
        "Zensical's partials/nav-item.html, like Material's, writes tabindex=\"\" on the label of a "
        "section it shows expanded (navigation.tabs); the publisher only names the pages.",
    ),
    ThemeError(
        "The “aria-hidden” attribute must not be used on any “label” element that is associated with a labelable element.",
        '<label class="md-overlay" for="__drawer" aria-hidden="true">',
        "Zensical's base.html hides from assistive technology the overlay that closes the drawer "
        "(Material's has no aria-hidden there); HTML forbids aria-hidden on a label of a control.",
    ),
    ThemeError(
        "The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control.",
        'class="md-nav__title" for="__toc"',
        "Zensical's partials/toc.html labels the __toc toggle, which the classic variant writes "
        "only in the navigation's entry of the page (partials/nav-item.html): a page left out of "
        "the navigation has the label without the toggle. The stories are such pages, as they "
        "are with Material's blog (Zensical has no blog: docs/publishing.md).",
        pages=r"/stories/posts/[^/]+/index\.html$",
    ),
)

#: What each engine's theme causes, by engine.
THEME_HTML: dict[str, tuple[ThemeError, ...]] = {"mkdocs": MATERIAL_HTML, "zensical": ZENSICAL_HTML}


# -- axe-core ---------------------------------------------------------------------------------

_RUN_AXE = """async tags => {
    const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    return results.violations.flatMap(v => v.nodes.map(n => ({
        rule: v.id, impact: n.impact || v.impact || '', selector: n.target.map(String).join(' '), html: n.html})));
}"""


def axe_violations(page) -> list[Violation]:
    """Every WCAG 2 A/AA violation axe finds in the page as it stands, one per element."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate(_RUN_AXE, list(AXE_TAGS))
    return [Violation(**item) for item in found]


def blocking_violations(violations: Iterable[Violation]) -> list[Violation]:
    """The serious and critical violations. None is left out as Material's: on the publisher's pages
    every one comes from the publisher's markup, its assets (publisher.js builds the ledger's
    scroll box and buttons) or its default configuration (the palette's colours in the header,
    tabs and navigation; the copyright line it sets in the footer)."""
    return [v for v in violations if v.impact in BLOCKING]


# -- vnu.jar ----------------------------------------------------------------------------------


class HtmlCheck:
    """One run of vnu.jar over `files` of a site `engine` built, started at once in the background
    (Java's start-up and the reading of many pages are most of its time, and the browser tests can
    run meanwhile)."""

    def __init__(self, files: Sequence[Path], engine: str) -> None:
        if JAVA is None:
            raise RuntimeError(
                "java is not installed: scripts/test.sh installs default-jre-headless"
            )
        self.files = list(files)
        self.theme_errors = THEME_HTML[engine]
        # Its report goes to a file: a full pipe would stop it until errors() is called.
        self._report = tempfile.TemporaryFile()  # noqa: SIM115 - open until stop() closes it
        self._process = subprocess.Popen(
            [
                JAVA,
                "-jar",
                str(VNU_JAR),
                "--errors-only",
                "--format",
                "json",
                *map(str, self.files),
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._report,
        )

    def errors(self) -> list[HtmlError]:
        """Every error the checker found (waits for it to finish)."""
        try:
            self._process.wait(timeout=VNU_SECONDS)
        except subprocess.TimeoutExpired:
            self.stop()
            raise
        # vnu prints its JSON on stderr, and exits 1 when it found errors.
        self._report.seek(0)
        report = json.loads(self._report.read().decode("utf-8"))
        by_path = {path.resolve(): path for path in self.files}
        errors = []
        for message in report["messages"]:
            if message.get("type") not in ("error", "non-document-error"):
                continue
            # vnu writes file:/x/./y, with one slash and the path as given.
            written = Path(unquote(re.sub(r"^file:/*", "/", message.get("url", "")))).resolve()
            errors.append(
                HtmlError(
                    by_path.get(written, written),
                    int(message.get("lastLine", 0)),
                    message.get("message", ""),
                    message.get("extract", ""),
                )
            )
        return errors

    def theme_caused(self, error: HtmlError) -> bool:
        """Whether `error` is one of the theme's own, listed above."""
        return any(known.matches(error) for known in self.theme_errors)

    def publisher_errors(self) -> list[HtmlError]:
        """The errors the publisher's markup causes (the theme's own, listed above, left out)."""
        return [e for e in self.errors() if not self.theme_caused(e)]

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._report.close()
