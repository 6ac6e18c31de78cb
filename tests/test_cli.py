"""The CLI as a user runs it: real processes, a real SQLite file, exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXE = [sys.executable, "-m", "bot"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    result = _run(folder, "demo")
    assert result.returncode == 0, result.stderr
    assert "20 people" in result.stdout
    return folder


def _run(
    folder: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CONNECTIONS__"))
    }
    full_env.pop("DATABASE_URL", None)
    full_env.update(env or {})
    return subprocess.run(
        [*EXE, *args], cwd=folder, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_demo_is_idempotent(workdir: Path) -> None:
    again = _run(workdir, "demo")
    assert again.returncode == 0
    assert "20 people" in again.stdout
    people = _run(workdir, "ask", "--as", "alex@learnsheffield.co.uk", "groups")
    assert people.stdout.count("attendance") == 1


def test_ask_help_lists_every_command_group(workdir: Path) -> None:
    result = _run(workdir, "ask", "--as", "jo@hillside.sch.uk", "help")
    assert result.returncode == 0
    for topic in ("help:", "directory:"):
        assert topic in result.stdout


def test_unknown_command_exits_2_and_suggests_help(workdir: Path) -> None:
    result = _run(workdir, "ask", "--as", "jo@hillside.sch.uk", "frobnicate")
    assert result.returncode == 2
    assert "help" in result.stdout


def test_unknown_person_exits_2(workdir: Path) -> None:
    result = _run(workdir, "ask", "--as", "nobody@nowhere.uk", "help")
    assert result.returncode == 2
    assert "nobody@nowhere.uk" in result.stderr


def test_import_people_with_a_bad_row_saves_nothing(workdir: Path) -> None:
    csv = workdir / "people.csv"
    csv.write_text(
        "name,email,role,organisation,groups\n"
        "New Head,new@school.uk,head,Hillside Primary,newgroup\n"
        "Bad Row,bad@school.uk,emperor,Hillside Primary,\n"
    )
    result = _run(workdir, "import", "people", str(csv))
    assert result.returncode == 2
    assert "Line 3" in result.stderr and "emperor" in result.stderr
    check = _run(workdir, "ask", "--as", "alex@learnsheffield.co.uk", "groups")
    assert "newgroup" not in check.stdout


def test_tick_and_outbox_json(workdir: Path) -> None:
    tick = _run(workdir, "tick", "--now", "2023-12-01T09:00")
    assert tick.returncode == 0
    assert "tick at 2023-12-01T09:00:00+00:00" in tick.stdout
    out = _run(workdir, "outbox", "--json")
    assert out.returncode == 0
    rows = json.loads(out.stdout)
    assert isinstance(rows, list)
    for row in rows:
        assert {"key", "target", "state", "due_at", "sent_at", "attempts", "error", "text"} <= set(
            row
        )


def test_config_masks_secrets(workdir: Path) -> None:
    result = _run(workdir, "config", env={"SLACK_BOT_TOKEN": "xoxb-very-secret-token-1234"})
    assert result.returncode == 0
    assert "very-secret" not in result.stdout
    assert "SLACK_BOT_TOKEN=****34" in result.stdout


def test_bad_setting_is_one_clear_line(workdir: Path) -> None:
    result = _run(workdir, "config", env={"PARTNERSHIP_TIMEZONE": "Mars/Olympus"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "PARTNERSHIP_TIMEZONE" in result.stderr


def test_ask_loads_no_platform_sdk_web_server_or_data_library(workdir: Path) -> None:
    """A one-off `ask` imports what answering needs, not the doors' SDKs, the web server,
    pandas or matplotlib (they cost most of a second of CPU; bench/startup.py times it)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", "ask", "--as", "jo@hillside.sch.uk"]
        + ["whoami"],
        cwd=workdir,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "You are Jo Bloggs" in result.stdout, result.stderr
    imported = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "sqlalchemy" in imported  # the measure sees what ask does import
    heavy = {"slack_bolt", "slack_sdk", "microsoft_agents", "aiohttp", "pandas", "matplotlib"}
    assert not imported & heavy


def test_import_organisations_unknown_kind_exits_2_listing_kinds(workdir: Path) -> None:
    csv = workdir / "orgs.csv"
    csv.write_text(
        "name,kind,phase,subscriber,category,maintained\n"
        "Sheffield Hallam University,university,,no,,\n"
        "Mystery Ltd,spaceship,,no,,\n"
    )
    result = _run(workdir, "import", "organisations", str(csv))
    assert result.returncode == 2
    assert "Line 3" in result.stderr and "spaceship" in result.stderr
    assert "voluntary sector" in result.stderr and "university" in result.stderr
    people = workdir / "hallam.csv"
    people.write_text(
        "name,email,role,organisation,groups\n"
        "Hal Am,hal@shu.ac.uk,member,Sheffield Hallam University,\n"
    )
    check = _run(workdir, "import", "people", str(people))
    assert check.returncode == 2 and "Sheffield Hallam University" in check.stderr


def test_ask_batch_runs_each_line_in_order_and_exits_2_on_any_user_error(
    workdir: Path, tmp_path: Path
) -> None:
    ok = tmp_path / "ok.txt"
    ok.write_text("whoami\n\n  \nwhen is the next board meeting?\n", encoding="utf-8")
    result = _run(workdir, "ask", "--as", "jo@hillside.sch.uk", "--batch", str(ok))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    asked = [line for line in lines if line.startswith(">>> ")]
    assert asked == [">>> whoami", ">>> when is the next board meeting?"]
    assert lines[0] == ">>> whoami" and "Jo Bloggs" in lines[1]
    after = lines.index(">>> when is the next board meeting?")
    assert lines[after + 1] == "Read as: meetings group:board"
    bad = tmp_path / "bad.txt"
    bad.write_text("frobnicate\nwhoami\n", encoding="utf-8")
    result = _run(workdir, "ask", "--as", "jo@hillside.sch.uk", "--batch", str(bad))
    assert result.returncode == 2
    assert ">>> whoami" in result.stdout  # a failed line does not stop the rest


@pytest.mark.parametrize("what", ["terms", "people", "organisations", "attendance"])
def test_import_of_a_missing_file_names_it_and_exits_2(workdir: Path, what: str) -> None:
    result = _run(workdir, "import", what, "/nonexistent/missing.csv")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "No file at /nonexistent/missing.csv" in result.stderr
    assert "Traceback" not in result.stderr


def test_import_of_a_windows_encoded_file_says_how_to_save_it(
    workdir: Path, tmp_path: Path
) -> None:
    terms = tmp_path / "terms.csv"
    terms.write_bytes(
        "name,start,end,kind\nAutumn – 1,04/09/2025,24/10/2025,term\n".encode("cp1252")
    )
    result = _run(workdir, "import", "terms", str(terms))
    assert result.returncode == 2, result.stdout + result.stderr
    assert "not UTF-8" in result.stderr and "CSV UTF-8" in result.stderr
    assert "Traceback" not in result.stderr


def test_ask_answers_issue_23s_plain_english_examples_as_written(
    workdir: Path, tmp_path: Path
) -> None:
    """The issue's examples through `partnership-bot ask` on the demo: reads answered with how
    they were read, the write only proposed (the audit log, which records every change, is the
    same after), small talk answered."""
    audit_before = _run(workdir, "ask", "--as", "alex@learnsheffield.co.uk", "audit").stdout
    jo = {
        "when is the next board meeting?": "Read as: meetings group:board",
        "what do I need to do this week": 'Read as: actions by:"this week"',
        "how is Sheffield's attendance compared with Leeds?": (
            "Read as: attendance compare Sheffield Leeds"
        ),
        "any opportunities for primary schools closing this month?": (
            'Read as: opps phase:primary closing:"this month"'
        ),
        "I can't make meeting 1": "Read as: apologies 1",
        "hi": "Hello Jo!",
        "thanks!": "You're welcome!",
    }
    batch = tmp_path / "jo.txt"
    batch.write_text("\n".join(jo) + "\n", encoding="utf-8")
    result = _run(workdir, "ask", "--as", "jo@hillside.sch.uk", "--batch", str(batch))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for message, first in jo.items():
        after = lines.index(f">>> {message}")
        assert lines[after + 1].startswith(first), (message, lines[after + 1])
    sam = _run(workdir, "ask", "--as", "sam@learnsheffield.co.uk", "anything new in triage?")
    assert sam.returncode == 0 and sam.stdout.startswith("Read as: triage\n"), sam.stdout
    audit_after = _run(workdir, "ask", "--as", "alex@learnsheffield.co.uk", "audit").stdout
    assert audit_after == audit_before  # "I can't make meeting 1" was only proposed


def test_ask_with_a_command_that_needs_more_shows_what_to_type_and_exits_2(
    workdir: Path,
) -> None:
    result = _run(workdir, "ask", "--as", "sam@learnsheffield.co.uk", 'meeting add "Budget"')
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Still needed: Group, Starts (date and time)" in result.stdout
    assert "Type it as: meeting add Budget group:<group> on:<on>" in result.stdout
    assert "attendance" in result.stdout  # the groups to choose from
