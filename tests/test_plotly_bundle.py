"""The partial plotly.js bundle: built reproducibly, shipped alone, small enough, and drawing every
chart of the example cooperative and the example federation; the note about instant navigation."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from publisher.site.build import build_site
from publisher.site.generate import PLOTLY_FILE, PLOTLY_SOURCE
from publisher.site.plugin import INSTANT_NAVIGATION_OFF
from tests.conftest import LEDGER_HEADER, write_coop
from tests.firstvisit import (
    ALL_CHARTS_DRAWN,
    BUDGET_BYTES,
    draw_every_chart,
    figure_trace_types,
    first_visit,
    gzip_size,
)
from tests.sitetools import REPO, copy_example, serve_directory

BUNDLE_DIR = REPO / "scripts" / "plotly-bundle"
ASSET = f"assets/publisher/{PLOTLY_FILE}"


def registered_traces() -> list[str]:
    """The trace types entry.js registers, the one list the bundle is built from."""
    entry = (BUNDLE_DIR / "entry.js").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"require\('plotly\.js/lib/([a-z0-9]+)'\)", entry)) - {"core"})


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The example cooperative and the example federation, each built for the address it is
    served at (so instant navigation is on), as a reader would get them."""
    tmp = tmp_path_factory.mktemp("examples")
    root = copy_example(tmp / "coop")
    built = {}
    (tmp / "coop-site").mkdir()
    (tmp / "federation-site").mkdir()
    with (
        serve_directory(tmp / "coop-site") as coop_url,
        serve_directory(tmp / "federation-site") as federation_url,
    ):
        for name, where, site, url in (
            ("coop", root, tmp / "coop-site", coop_url),
            (
                "federation",
                REPO / "examples" / "federation",
                tmp / "federation-site",
                federation_url,
            ),
        ):
            result = build_site(where, site, site_url=url)
            assert result.site_dir is not None, result.problems
            built[name] = (result.site_dir, url)
        yield built


def test_the_bundle_is_named_after_the_exact_plotly_version_it_was_built_from():
    package = json.loads((BUNDLE_DIR / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((BUNDLE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    pinned = package["dependencies"]["plotly.js"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned), "pin plotly.js to one exact version"
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["dependencies"]["esbuild"]), (
        "pin esbuild to one exact version"
    )
    assert lock["packages"]["node_modules/plotly.js"]["version"] == pinned
    assert PLOTLY_FILE == f"plotly-partial-{pinned}.min.js"
    header = PLOTLY_SOURCE.read_text(encoding="utf-8")[:300]
    assert f"(partial: {', '.join(registered_traces())} - minified) v{pinned}" in header
    assets = sorted(p.name for p in PLOTLY_SOURCE.parent.glob("plotly*.js"))
    assert assets == [PLOTLY_FILE]


@pytest.mark.skipif(
    shutil.which("npm") is None or shutil.which("node") is None, reason="needs node and npm"
)
def test_the_build_script_rebuilds_the_shipped_bundle_byte_for_byte(tmp_path):
    # The packages come from the npm registry at the lockfile's versions (kept in
    # .venv/plotly-bundle between runs); the bundle is built into an empty directory.
    subprocess.run(
        ["bash", str(REPO / "scripts" / "build-plotly-bundle.sh"), str(tmp_path)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=900,
    )
    assert [p.name for p in tmp_path.iterdir()] == [PLOTLY_FILE]
    assert (tmp_path / PLOTLY_FILE).read_bytes() == PLOTLY_SOURCE.read_bytes()


def test_the_site_ships_the_partial_bundle_and_no_other_plotly(sites):
    for site, _ in sites.values():
        scripts = sorted(
            p.relative_to(site).as_posix() for p in site.rglob("*.js") if "plotly" in p.name.lower()
        )
        assert scripts == [ASSET]
        assert (site / ASSET).read_bytes() == PLOTLY_SOURCE.read_bytes()
        script = (site / "assets/publisher/publisher.js").read_text(encoding="utf-8")
        assert f'"{PLOTLY_FILE}"' in script


def test_the_bundle_registers_exactly_the_trace_types_the_charts_use(sites):
    used = set()
    for site, _ in sites.values():
        for types in figure_trace_types(site).values():
            used |= types
    # A type missing here leaves a chart empty; one too many costs every reader bytes. Either
    # way: change scripts/plotly-bundle/entry.js and run scripts/build-plotly-bundle.sh.
    assert sorted(used) == registered_traces()


def test_every_chart_of_the_examples_draws_with_the_partial_bundle(sites, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: m.type in ("error", "warning") and messages.append(m.text))
    page.on("pageerror", lambda e: messages.append(str(e)))
    checked = 0
    for site, url in sites.values():
        for path in figure_trace_types(site):
            page.goto(url + path.removesuffix("index.html"))
            draw_every_chart(page)
            page.wait_for_function(ALL_CHARTS_DRAWN, timeout=30_000)
            # plotly.js draws a trace of a type it does not know as nothing, without a message:
            # it becomes an invisible scatter trace.
            undrawn = page.evaluate(
                """Array.from(document.querySelectorAll('.publisher-chart__plot')).flatMap(n => {
                    const drawn = n._fullData.map(t => t.visible === false ? null : t.type);
                    return JSON.parse(n.dataset.figure).data.map(t => t.type || 'scatter')
                        .filter((type, i) => drawn[i] !== type).map(type => ((n.closest('[id]') || n).id) + ': ' + type);
                })"""
            )
            assert undrawn == [], path
            checked += 1
    registered = page.evaluate("Object.keys(Plotly.PlotSchema.get().traces).sort()")
    context.close()
    assert checked >= 5
    assert registered == registered_traces()
    assert messages == []


def test_a_year_pages_first_visit_transfers_less_than_the_budget(sites, browser):
    site, url = sites["coop"]
    visit = first_visit(browser, url, "finances/2025/", site)
    assert visit.console_errors == []
    assert ASSET in visit.compressed
    rest = visit.total - visit.compressed[ASSET]
    assert visit.compressed[ASSET] == gzip_size(PLOTLY_SOURCE.read_bytes())
    assert visit.compressed[ASSET] <= BUDGET_BYTES - rest, {
        k: v for k, v in visit.compressed.items()
    }


# -- Instant navigation needs the site's address: the build says so -------------------------------

ROWS = "2026-01-05,Dues,12.50,dues,,,,,\n"
MKDOCS_YML = """\
site_name: Test Workshop
docs_dir: content
theme:
  name: material
  features: [navigation.instant]
plugins: [search, publisher]
"""


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_build_without_the_sites_address_says_once_that_instant_navigation_is_off(tmp_path):
    root = write_coop(
        tmp_path / "coop",
        {"ledgers/2026.csv": LEDGER_HEADER + ROWS, "content/index.md": "# Home\n"},
    )
    result = run("publisher", "build", str(root))
    assert result.returncode == 0, result.stderr
    lines = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if INSTANT_NAVIGATION_OFF in line
    ]
    assert lines == [f"INFO: {INSTANT_NAVIGATION_OFF}"]
    assert "--site-url" in INSTANT_NAVIGATION_OFF and "site_url:" in INSTANT_NAVIGATION_OFF

    again = run("publisher", "build", str(root), "--site-url", "https://example.org/coop/")
    assert again.returncode == 0, again.stderr
    assert INSTANT_NAVIGATION_OFF not in again.stdout + again.stderr


def test_plain_mkdocs_says_it_as_information_that_a_strict_build_accepts(tmp_path):
    root = write_coop(
        tmp_path / "coop",
        {
            "ledgers/2026.csv": LEDGER_HEADER + ROWS,
            "content/index.md": "# Home\n",
            "mkdocs.yml": MKDOCS_YML,
        },
    )
    result = run("mkdocs", "build", "--strict", "-d", str(tmp_path / "site"), cwd=root)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if INSTANT_NAVIGATION_OFF in line]
    assert len(lines) == 1 and lines[0].startswith("INFO")

    (root / "mkdocs.yml").write_text(
        MKDOCS_YML + "site_url: https://example.org/coop/\n", encoding="utf-8"
    )
    again = run("mkdocs", "build", "--strict", "-d", str(tmp_path / "site"), cwd=root)
    assert again.returncode == 0, again.stderr
    assert INSTANT_NAVIGATION_OFF not in again.stderr
