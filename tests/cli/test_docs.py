"""The README tells the truth: its Quick start holds exactly the run and the test command, its
outputs are what tracker prints on the seed today, its vocabulary lists every event type, and
every command has help.

When an output changes on purpose, refresh the README's copies with
``.venv/bin/python -m tests.cli.test_docs``.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from tests.cli_support import ROOT, SEED, ok, runner
from tracker.cli import app
from tracker.domain.events import EVENT_TYPES
from tracker.render.terminal import vocabulary_markdown

README = ROOT / "README.md"

#: Outputs the README shows, after a marker ``<!-- output: NAME -->``: the arguments after
#: ``--db SEEDED``, and whether the block shows the command as a ``$ tracker ...`` prompt line.
OUTPUTS: dict[str, tuple[list[str], bool]] = {
    "state": (["state"], False),
    "log": (["log", "--type", "invitation"], True),
    "as-of": (["state", "--as-of", "2014-03-08"], True),
    "add": (["add", "--type", "meeting.held", "--id", "kl-18-phone-call", "--story",
             "last Friday", "--published", "2014-03-10", "--outlet", "McClatchy", "--speaker",
             "Jen Psaki", "--summary", "Kerry and Lavrov spoke by phone", "--detail",
             "format=phone", "--actor", "John Kerry:participant:Secretary of State", "--actor",
             "Sergey Lavrov:participant"], False),
}
_BLOCK = re.compile(r"(<!-- output: (?P<name>[\w-]+) -->\n```text\n)(?P<body>.*?)(\n```)", re.S)
_RECORDED = re.compile(r"^(  recorded  ).*$", re.M)


def real_output(name: str) -> str:
    """What tracker prints for a README block, on a fresh copy of the seed, 100 columns wide."""
    args, prompt = OUTPUTS[name]
    with tempfile.TemporaryDirectory() as folder:
        env = {"COLUMNS": "100", "TRACKER_DB": str(Path(folder) / "seed.sqlite")}
        for step in (["import", str(SEED)], args):
            done = runner.invoke(app, step, env=env)
            assert done.exit_code == 0, done.stderr
    text = "\n".join(line.rstrip() for line in done.stdout.rstrip("\n").splitlines())
    if prompt:
        text = "$ tracker " + " ".join(args) + "\n" + text
    return text


def blocks(readme: str) -> dict[str, str]:
    return {m["name"]: m["body"] for m in _BLOCK.finditer(readme)}


def test_quick_start_holds_exactly_the_run_and_the_test_command() -> None:
    readme = README.read_text()
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```\w*\n(.*?)\n```", section, re.S)
    assert code is not None
    assert code.group(1).splitlines() == ["python3 dev.py run", "python3 dev.py test"]


def test_dev_py_runs_the_app_and_the_suite() -> None:
    dev = (ROOT / "dev.py").read_text()
    assert '[str(BIN / "tracker"), *rest]' in dev
    assert '"-m", "pytest"' in dev


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_the_readme_shows_real_output(name: str) -> None:
    shown = blocks(README.read_text())
    assert name in shown, f"README has no <!-- output: {name} --> block"
    expected = real_output(name)
    assert _RECORDED.sub(r"\1…", shown[name]) == _RECORDED.sub(r"\1…", expected)


def test_the_readme_lists_every_event_type() -> None:
    readme = README.read_text()
    for name in EVENT_TYPES:
        assert f"| `{name}` |" in readme, name
    assert vocabulary_markdown() in readme


def test_the_readme_documents_every_command() -> None:
    readme = README.read_text()
    for command in ("add", "import", "log", "state", "export", "schema", "types", "db upgrade",
                    "db current", "verify", "backup"):
        assert f"`tracker {command}" in readme, command


@pytest.mark.parametrize(
    "command", [["add"], ["import"], ["log"], ["state"], ["export"], ["schema"], ["types"],
                ["db", "upgrade"], ["db", "current"]],
)
def test_every_command_has_help(command: list[str]) -> None:
    out = ok(*command, "--help").stdout
    assert "Usage:" in out
    assert len(out.splitlines()) > 3


def refresh() -> None:
    """Rewrite the README's output blocks and vocabulary from what tracker prints now."""
    readme = README.read_text()
    readme = _BLOCK.sub(lambda m: m.group(1) + real_output(m["name"]) + m.group(4), readme)
    start = readme.index("| type | meaning |")
    end = readme.index("\n\n", start)
    readme = readme[:start] + vocabulary_markdown() + readme[end:]
    README.write_text(readme)


if __name__ == "__main__":
    refresh()


def test_dev_py_run_stays_where_the_user_is_and_test_runs_from_the_checkout(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`python3 dev.py run import events.json` names the user's file, not the checkout's."""
    import dev

    ran: list[tuple[list[str], str]] = []
    monkeypatch.setattr(dev, "ensure_environment", lambda: None)
    monkeypatch.setattr(dev.os, "execv", lambda path, args: ran.append((args, os.getcwd())))
    monkeypatch.chdir(tmp_path)
    dev.main(["run", "import", "events.json"])
    assert ran[-1] == ([str(dev.BIN / "tracker"), "import", "events.json"], str(tmp_path))
    dev.main(["test", "-k", "x"])
    assert ran[-1][1] == str(ROOT)
