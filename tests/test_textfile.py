"""Text files as tools save them: line endings, encodings, long cells, unreadable and oversized
files, read through load_cases as a user would meet them (issue #14's classes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.core.errors import InputError, Problem, shorten
from analysis.method import textfile
from analysis.method.validation import load_cases

from .test_readers import GOOD, csv_text, problems_of, write_bytes


def frame_of_clean(tmp_path: Path, bank):  # type: ignore[no-untyped-def]
    return load_cases([write_bytes(tmp_path, "clean.csv", csv_text(GOOD).encode())], bank).frame


@pytest.mark.parametrize("ending", ["\r", "\n", "mixed"])
def test_any_line_endings_read_as_the_same_cases(tmp_path, mini_bank, ending: str) -> None:  # type: ignore[no-untyped-def]
    lines = csv_text(GOOD).split("\r\n")
    if ending == "mixed":
        text = lines[0] + "\r" + lines[1] + "\n" + lines[2] + "\r\n"
    else:
        text = ending.join(lines)
    data = load_cases([write_bytes(tmp_path, "eol.csv", text.encode())], mini_bank)
    assert data.frame.equals(frame_of_clean(tmp_path, mini_bank))


@pytest.mark.parametrize(("codec", "shown"), [("utf-16", "utf-16 (with byte-order mark)"),
                                              ("utf-32", "utf-32 (with byte-order mark)")])
def test_unicode_text_with_byte_order_mark(tmp_path, mini_bank, codec: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    path = write_bytes(tmp_path, "unicode.txt", csv_text(GOOD, sep="\t").encode(codec))
    data = load_cases([path], mini_bank)
    assert data.frame.equals(frame_of_clean(tmp_path, mini_bank))
    assert data.sources[0].encoding == shown


def test_utf16_without_byte_order_mark_is_named_as_such(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    path = write_bytes(tmp_path, "u16.csv", csv_text(GOOD).encode("utf-16-le"))
    (p,) = problems_of([path], mini_bank)
    assert p.file == str(path) and "UTF-16" in p.message and p.allowed and "UTF-8" in p.allowed


def test_field_longer_than_the_csv_module_limit(tmp_path, mini_bank) -> None:  # type: ignore[no-untyped-def]
    rows = [list(r) for r in GOOD]
    rows[1][1] = "c" * 140_000  # beyond csv's 131,072 default field limit
    (p,) = problems_of([write_bytes(tmp_path, "long.csv", csv_text(rows).encode())], mini_bank)
    assert (p.row, p.column) == (3, "case_id") and "too long (140,000 characters)" in p.message
    assert p.allowed == f"at most {textfile.MAX_CELL_CHARS:,} characters a cell"
    assert len(str(p)) < 400  # the value is shortened, never echoed whole


def test_value_shortened_in_messages() -> None:
    text = str(Problem("f.csv", "value not allowed", row=2, column="x", value="Y" * 100_000))
    assert "100,000 characters" in text and len(text) < 200
    assert shorten("yes") == "'yes'"


def test_unreadable_file(tmp_path, mini_bank, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = write_bytes(tmp_path, "locked.csv", csv_text(GOOD).encode())
    real_open = Path.open

    def denied(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    (p,) = problems_of([path], mini_bank)
    assert p.file == str(path) and "Permission denied" in p.message


def test_file_size_limit(tmp_path, mini_bank, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = write_bytes(tmp_path, "big.csv", csv_text(GOOD).encode())
    monkeypatch.setattr(textfile, "MAX_FILE_BYTES", 100)
    (p,) = problems_of([path], mini_bank)
    assert "too large" in p.message and p.allowed and "files up to" in p.allowed


def test_decode_refuses_bad_bytes_after_a_byte_order_mark() -> None:
    with pytest.raises(InputError) as info:
        textfile.decode(b"\xff\xfe\x00\xd8", "x.csv")  # a lone UTF-16 surrogate
    assert "byte-order mark" in info.value.problems[0].message
