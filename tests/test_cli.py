"""`publisher check`: the three output formats, the exit status, and the installed command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import main
from publisher.problems import Problem, Severity, format_github, format_text, problem
from tests.conftest import LEDGER_HEADER, write_coop

H = LEDGER_HEADER
ROW = "2025-01-05,Dues,12.50,dues,,,,,\n"
TEXT_LINE = re.compile(
    r"^(?P<path>[^:\s]+)(?::(?P<line>\d+)(?::(?P<col>\d+))?)?: (?P<severity>error|warning): "
    r"\[(?P<code>[a-z0-9-]+)\] \S.*$"
)
SUMMARY = re.compile(r"^(?P<errors>\d+) errors?, (?P<warnings>\d+) warnings?\.$")


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def messy(tmp_path):
    """Problems in two files, written in an order that sorting must change."""
    return write_coop(
        tmp_path,
        {
            "ledgers/b.csv": H
            + ROW
            + "2025-01-06,Dues,x,dues,,,,,\n"
            + "2025-01-07,Dues,0,dues,,,,,\n",
            "ledgers/a.csv": H + ROW.replace("05", "08") * 3 + "2025-01-09,Dues,1,dus,,,,,\n",
            "ledgers/budget.csv": "year,category,amount\n26,dues,1\n",
        },
    )


# -- text ---------------------------------------------------------------------------------------


def test_text_lines_are_path_line_col_severity_code_message_sorted_by_path_then_line(messy):
    result = run("check", str(messy))
    assert result.exit_code == 1
    *lines, summary = result.output.splitlines()
    parsed = [TEXT_LINE.match(line) for line in lines]
    assert all(parsed), lines
    located = [(m["path"], int(m["line"]), m["code"]) for m in parsed]
    assert located == sorted(located, key=lambda x: (x[0], x[1]))
    assert ("ledgers/a.csv", 5, "category-unknown") in located
    assert ("ledgers/b.csv", 3, "amount-not-a-number") in located
    assert ("ledgers/b.csv", 4, "amount-zero") in located
    assert ("ledgers/budget.csv", 2, "budget-year-invalid") in located
    assert {m["col"] for m in parsed if m["code"] == "amount-not-a-number"} == {"17"}
    counts = SUMMARY.match(summary)
    assert counts, summary
    assert int(counts["errors"]) == sum(m["severity"] == "error" for m in parsed)
    assert int(counts["warnings"]) == sum(m["severity"] == "warning" for m in parsed) >= 1


def test_text_omits_a_column_or_line_that_is_unknown():
    problems = [
        problem("column-missing", "ledgers/x.csv", 1, "No amount column."),
        problem("file-too-large", "ledgers/big.csv", None, "Too large."),
        problem("amount-invalid", "ledgers/x.csv", 3, "Bad.", column=17),
    ]
    assert format_text(problems).splitlines() == [
        "ledgers/big.csv: error: [file-too-large] Too large.",
        "ledgers/x.csv:1: error: [column-missing] No amount column.",
        "ledgers/x.csv:3:17: error: [amount-invalid] Bad.",
        "3 errors, 0 warnings.",
    ]


def test_text_summary_of_a_clean_repository(tmp_path):
    result = run("check", str(write_coop(tmp_path, {"ledgers/2025.csv": H + ROW})))
    assert result.exit_code == 0
    assert result.output.splitlines() == ["No problems found."]


def test_the_summary_line_uses_singulars():
    problems = [
        problem("amount-invalid", "a.csv", 2, "Bad."),
        problem("amount-zero", "a.csv", 3, "Zero."),
    ]
    assert format_text(problems).splitlines()[-1] == "1 error, 1 warning."


# -- json ---------------------------------------------------------------------------------------


def test_json_has_exactly_the_documented_shape(messy):
    result = run("check", str(messy), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert set(report) == {"problems", "errors", "warnings"}
    assert report["problems"]
    for item in report["problems"]:
        assert set(item) == {"severity", "code", "path", "line", "column", "message"}
        assert item["severity"] in {"error", "warning"}
        assert isinstance(item["code"], str) and isinstance(item["message"], str)
        assert item["line"] is None or isinstance(item["line"], int)
        assert item["column"] is None or isinstance(item["column"], int)
    assert report["errors"] == sum(p["severity"] == "error" for p in report["problems"])
    assert report["warnings"] == sum(p["severity"] == "warning" for p in report["problems"])
    assert isinstance(report["errors"], int) and isinstance(report["warnings"], int)
    keys = [(p["path"], p["line"] or 0) for p in report["problems"]]
    assert keys == sorted(keys)
    (bad_amount,) = [p for p in report["problems"] if p["code"] == "amount-not-a-number"]
    assert (bad_amount["path"], bad_amount["line"], bad_amount["column"]) == (
        "ledgers/b.csv",
        3,
        17,
    )
    (bad_year,) = [p for p in report["problems"] if p["code"] == "budget-year-invalid"]
    assert (bad_year["path"], bad_year["line"]) == ("ledgers/budget.csv", 2)


def test_json_writes_null_for_an_unknown_line_and_column(tmp_path):
    accounts = "name: X\ncurrency: EUR\ncategories: {dues: {kind: income}}\n#" + "x" * (1 << 20)
    root = write_coop(tmp_path, {}, accounts=accounts)
    result = run("check", str(root), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    (item,) = report["problems"]
    assert item.pop("message")
    assert item == {
        "severity": "error",
        "code": "file-too-large",
        "path": "ledgers/accounts.yml",
        "line": None,
        "column": None,
    }
    assert (report["errors"], report["warnings"]) == (1, 0)
    assert '"line": null' in result.output and '"column": null' in result.output


def test_json_of_a_clean_repository(tmp_path):
    result = run(
        "check", str(write_coop(tmp_path, {"ledgers/2025.csv": H + ROW})), "--format", "json"
    )
    assert result.exit_code == 0
    assert json.loads(result.output) == {"problems": [], "errors": 0, "warnings": 0}


# -- github -------------------------------------------------------------------------------------


def test_github_annotations_from_the_command(messy):
    result = run("check", str(messy), "--format", "github")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        "::error file=ledgers/b.csv,line=3,col=17,title=amount-not-a-number::"
        + 'Column C (amount): "x" is not a number'
        in "\n".join(lines)
    )
    assert any(
        line.startswith("::warning file=ledgers/b.csv,line=4,col=17,title=amount-zero::")
        for line in lines
    )
    commands = [line for line in lines if line.startswith("::")]
    assert len(commands) == len(lines) - 1
    assert SUMMARY.match(lines[-1])


def test_github_escapes_data_and_properties():
    tricky = Problem(
        Severity.ERROR, "amount-invalid", "ledgers/a:b,c%d.csv", 3, 5, "50% off\r\nthen: a, b"
    )
    assert format_github([tricky]).splitlines()[0] == (
        "::error file=ledgers/a%3Ab%2Cc%25d.csv,line=3,col=5,title=amount-invalid::"
        "50%25 off%0D%0Athen: a, b"
    )


def test_github_leaves_out_line_and_col_where_unknown():
    problems = [
        Problem(Severity.WARNING, "too-many-problems", "x.csv", 102, None, "More."),
        Problem(Severity.ERROR, "file-too-large", "y.csv", None, None, "Big."),
    ]
    assert format_github(problems).splitlines() == [
        "::warning file=x.csv,line=102,title=too-many-problems::More.",
        "::error file=y.csv,title=file-too-large::Big.",
        "1 error, 1 warning.",
    ]


def test_github_escapes_percent_before_the_other_characters():
    (line, _) = format_github([Problem(Severity.ERROR, "c", "%0A", 1, 1, "%0D\n")]).splitlines()
    assert line == "::error file=%250A,line=1,col=1,title=c::%250D%0A"


# -- exit status --------------------------------------------------------------------------------


def test_exit_0_with_only_warnings(tmp_path):
    root = write_coop(tmp_path, {"ledgers/2025.csv": H + ROW + "2025-01-06,Nothing,0,dues,,,,,\n"})
    result = run("check", str(root))
    assert result.exit_code == 0
    assert "[amount-zero]" in result.output
    assert "0 errors, 1 warning." in result.output


def test_exit_1_with_an_error(tmp_path):
    root = write_coop(tmp_path, {"ledgers/2025.csv": H + "2025-01-06,Dues,x,dues,,,,,\n"})
    assert run("check", str(root)).exit_code == 1


@pytest.mark.parametrize("output_format", ["text", "json", "github"])
def test_exit_2_when_the_directory_does_not_exist(tmp_path, output_format):
    result = run("check", str(tmp_path / "nowhere"), "--format", output_format)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "nowhere" in result.stderr and "not a directory" in result.stderr


def test_exit_2_when_there_is_no_accounts_yml_and_the_message_says_so(tmp_path):
    (tmp_path / "ledgers").mkdir()
    (tmp_path / "ledgers" / "2025.csv").write_text(H + ROW)
    result = run("check", str(tmp_path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "ledgers/accounts.yml" in result.stderr


def test_exit_2_for_an_empty_directory(tmp_path):
    result = run("check", str(tmp_path))
    assert result.exit_code == 2
    assert "accounts.yml" in result.stderr


def test_check_defaults_to_the_current_directory(tmp_path, monkeypatch):
    write_coop(tmp_path, {"ledgers/2025.csv": H + "2025-01-06,Dues,x,dues,,,,,\n"})
    monkeypatch.chdir(tmp_path)
    result = run("check")
    assert result.exit_code == 1
    assert result.output.startswith("ledgers/2025.csv:2:17: error: [amount-not-a-number]")


def test_an_unknown_format_is_a_usage_error(tmp_path):
    result = run("check", str(tmp_path), "--format", "xml")
    assert result.exit_code == 2
    assert "xml" in result.output


# -- the installed command ----------------------------------------------------------------------


def test_the_installed_publisher_command_checks_a_repository(tmp_path):
    root = write_coop(
        tmp_path, {"ledgers/2025.csv": H + ROW + '2025-01-06,Dues,"12,50",dues,,,,,\n'}
    )
    script = Path(sys.executable).with_name("publisher")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "publisher"]
    result = subprocess.run(
        [*command, "check", str(root)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and lines[1] == "1 error, 0 warnings."
    assert result.stdout.startswith("ledgers/2025.csv:3:17: error: [amount-decimal-comma] ")
