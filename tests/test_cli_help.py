"""The command line documents itself: every option has help, and the README's list of commands
is the parser's (every command and option, nothing the parser lacks)."""

from __future__ import annotations

import argparse
import re
import tomllib

import pytest

from analysis.cli import build_parser
from analysis.core import paths

README = (paths.REPO_ROOT / "README.md").read_text(encoding="utf-8")
PROGRAM = ".venv/bin/python -m analysis"


def commands() -> dict[str, argparse.ArgumentParser]:
    """Each command's parser, by name."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def documented(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_and_option_has_help(name: str) -> None:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    helps = {c.dest: c.help for c in sub._choices_actions}
    assert helps.get(name), f"{name} has no help in the command list"
    for action in documented(commands()[name]):
        assert action.help and action.help != argparse.SUPPRESS and len(action.help) > 10, \
            (name, action.option_strings or action.dest)


def readme_commands() -> dict[str, str]:
    """The README's command list: each command's lines, joined, by command name."""
    section = README[README.index("## Command line"):]
    block = section[section.index("```sh\n") + 6:section.index("```\n", 6)]
    lines: dict[str, str] = {}
    current = ""
    for line in block.splitlines():
        if line.startswith(PROGRAM):
            current = line[len(PROGRAM):].split()[0]
            lines[current] = line
        else:
            lines[current] += " " + line.strip()
    return lines


def test_the_readme_lists_every_command_with_every_option() -> None:
    listed = readme_commands()
    assert set(listed) == set(commands())
    for name, parser in commands().items():
        options = {s for a in documented(parser) for s in a.option_strings}
        shown = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", listed[name]))
        assert shown == options, (name, "missing", options - shown, "unknown", shown - options)


def test_the_installed_command_is_the_same_program() -> None:
    project = tomllib.loads((paths.REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["iaow"] == "analysis.cli:main"
    assert "`iaow`" in README


def test_generate_says_it_rewrites_the_bundled_data() -> None:
    parser = commands()["generate"]
    data = next(a for a in parser._actions if "--data" in a.option_strings)
    assert "overwritten" in (data.help or "") and "OVERWRITES" in (parser.description or "")
