"""Errors a user can meet, each carrying every problem found so all can be reported at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: A value longer than this is shortened in messages (a whole 100,000-character cell is noise).
SHOWN_VALUE_CHARS = 60


def shorten(value: str, limit: int = SHOWN_VALUE_CHARS) -> str:
    """The value as a message shows it: at most ``limit`` characters and its length."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value):,} characters)"


@dataclass(frozen=True)
class Problem:
    """One problem in an input file, located as a spreadsheet user would find it."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    allowed: str | None = None
    cell: str | None = None  # the spreadsheet cell, e.g. "D9", where the file has one

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        if self.cell is not None:
            where += f" (cell {self.cell})" if self.column is not None else f", cell {self.cell}"
        text = f"{where}: {self.message}"
        if self.value is not None:
            text += f" (value {shorten(self.value)})"
        if self.allowed is not None:
            text += f"; allowed: {self.allowed}"
        return text


class InputError(Exception):
    """Bad input from a user: reported as a list of problems, exit code 2, nothing written."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self, limit: int = 200) -> str:
        """All problems, one a line, capped so a wholly wrong file stays readable."""
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        noun = "problem" if len(self.problems) == 1 else "problems"
        return f"{len(self.problems)} {noun} found:\n" + "\n".join(lines)


class BankError(InputError):
    """A malformed question bank file."""
