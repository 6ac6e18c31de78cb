"""Setting up a real partnership works as documented (issue 21): a new user follows
docs/slack.md and docs/teams.md on an empty database, preparing exactly the files they show and
running exactly the commands they list, in order, with the real CLI.

The docs mark what a reader copies with the code block's info string: ```csv <file name>``` is
a file to prepare, ```sh setup``` the commands to run where the bot runs, ```text chat``` what
an admin then types. A doc whose files or commands stop working together fails here."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BLOCK = re.compile(r"^( *)```(\S+) ?([^\n]*)\n(.*?)^\1```", re.S | re.M)


def blocks(doc: str) -> dict[str, str]:
    """`csv organisations.csv` / `sh setup` / `text chat` -> the block's text, dedented."""
    found = {}
    for indent, lang, name, body in BLOCK.findall((DOCS / doc).read_text()):
        if name:
            lines = [line[len(indent) :] for line in body.splitlines()]
            found[f"{lang} {name}"] = "\n".join(lines) + "\n"
    return found


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CONNECTIONS__"))}
    env["DATABASE_URL"] = f"sqlite:///{folder / 'partnership.db'}"
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("doc", ["slack.md", "teams.md"])
def test_a_new_partnership_set_up_as_the_install_doc_says(doc: str, tmp_path: Path) -> None:
    shown = blocks(doc)
    files = {k.split(" ", 1)[1]: v for k, v in shown.items() if k.startswith("csv ")}
    assert set(files) == {"organisations.csv", "people.csv", "terms.csv"}, doc
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    # every step listed, in order, on an empty database (the server itself is not started)
    for line in shown["sh setup"].splitlines():
        command = line.split("#", 1)[0].split()
        assert command[0] == "partnership-bot", line
        if command[1] == "run":
            continue
        result = run(tmp_path, *command[1:])
        assert result.returncode == 0, f"{doc}: {line}\n{result.stdout}{result.stderr}"
    # then what the admin types (the Slack doc's lines begin /partnership, as typed in Slack)
    people = list(csv.DictReader(io.StringIO(files["people.csv"])))
    admin = next(p["email"] for p in people if p["role"] == "admin")
    (tmp_path / "chat.txt").write_text(shown["text chat"])
    chat = run(tmp_path, "ask", "--as", admin, "--batch", "chat.txt")
    assert chat.returncode == 0, f"{doc}:\n{chat.stdout}{chat.stderr}"
    kinds = {
        row.split()[0]: row
        for row in chat.stdout.split("Partnership groups", 1)[1].splitlines()
        if row.split() and row.split()[0] in ("board", "triage", "bulletin", "transition")
    }
    assert "task-and-finish group" in kinds["transition"]
    assert "channel" in kinds["triage"] and "channel" in kinds["bulletin"]
    assert " board " in kinds["board"]
    # a member sees who they are; groups and roles from the file
    jo = run(tmp_path, "ask", "--as", "jo@hillside.sch.uk", "whoami")
    assert "Groups: board, attendance, transition" in jo.stdout, jo.stdout
    assert "Slack: not linked yet" in jo.stdout and "Teams: not linked yet" in jo.stdout


def test_the_directory_page_shows_the_same_files_as_the_install_docs() -> None:
    directory = blocks("directory.md")
    for doc in ("slack.md", "teams.md"):
        shown = blocks(doc)
        for name in ("csv organisations.csv", "csv people.csv", "csv terms.csv"):
            assert shown[name] == directory[name], (doc, name)
