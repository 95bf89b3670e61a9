"""Accessibility and HTML checks for the browser tests: axe-core run inside a Playwright page, and
the W3C HTML checker (vnu.jar) run over built pages.

Both tools come from the npm registry at exact versions, installed by scripts/test.sh into
.venv/a11y. What they report is filtered to what the publisher causes (its generated pages, its
assets, its default configuration). The few errors of the W3C checker that come from Material
for MkDocs' own templates, which the publisher does not write and cannot change without forking
the theme, are listed below by message and element, each with the reason, so that nothing else
can hide behind them.
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


# -- What Material's own templates cause (not the publisher's markup, assets or defaults) --------

#: (start of the message, a piece of the element's markup, why it is Material's) for vnu.
MATERIAL_HTML: tuple[tuple[str, str, str], ...] = (
    (
        "Attribute “autocomplete” is only allowed when the input type is",
        'class="md-toggle"',
        (
            "Material's base template sets autocomplete=off on its drawer and search checkboxes, so "
            "that Firefox does not restore an open drawer; HTML allows the attribute only on text-like inputs."
        ),
    ),
    (
        "Bad value “” for attribute “tabindex” on element “label”",
        'class="md-nav__link"',
        (
            'Material\'s navigation partial writes tabindex="" on the label of a section it shows '
            "expanded (navigation.tabs); the publisher only names the pages."
        ),
    ),
    (
        "The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control.",
        'class="md-nav__title" for="__toc"',
        (
            "Material's table-of-contents partial labels its __toc toggle, which the blog plugin's post "
            "template leaves out."
        ),
    ),
)


def _materials_html(error: HtmlError) -> bool:
    return any(
        error.message.startswith(start) and piece in error.extract
        for start, piece, _ in MATERIAL_HTML
    )


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
    """One run of vnu.jar over `files`, started at once in the background (Java's start-up and the
    reading of many pages are most of its time, and the browser tests can run meanwhile)."""

    def __init__(self, files: Sequence[Path]) -> None:
        if JAVA is None:
            raise RuntimeError(
                "java is not installed: scripts/test.sh installs default-jre-headless"
            )
        self.files = list(files)
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

    def publisher_errors(self) -> list[HtmlError]:
        """The errors the publisher's markup causes (Material's own, listed above, left out)."""
        return [e for e in self.errors() if not _materials_html(e)]

    def stop(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._report.close()
