"""Answers of a slow pure function kept on disk by a digest of its inputs."""

from __future__ import annotations

from pathlib import Path

from analysis.core import memo


def test_an_answer_is_worked_out_once_and_read_back(tmp_path: Path) -> None:
    calls: list[int] = []

    def work() -> list[str]:
        calls.append(1)
        return ["a:k", "b:n"]

    key = memo.digest({"b": 1, "a": 2}, [1, 2])
    assert memo.remembered(tmp_path, key, work) == ["a:k", "b:n"]
    assert memo.remembered(tmp_path, key, work) == ["a:k", "b:n"]
    assert len(calls) == 1


def test_equal_inputs_give_one_key_and_any_change_another() -> None:
    assert memo.digest({"a": 1, "b": 2}) == memo.digest({"b": 2, "a": 1})
    assert memo.digest({"a": 1, "b": 2}) != memo.digest({"a": 1, "b": 3})
    assert memo.digest(5, 3) != memo.digest(5, 4)


def test_an_unreadable_answer_is_worked_out_again(tmp_path: Path) -> None:
    key = memo.digest("x")
    (tmp_path / f"{key}.json").write_text("{not json")
    assert memo.remembered(tmp_path, key, lambda: [1]) == [1]
    assert memo.remembered(tmp_path, key, lambda: [2]) == [1]  # the rewritten answer


def test_without_a_folder_nothing_is_kept(tmp_path: Path) -> None:
    assert memo.remembered(None, "k", lambda: 3) == 3
    assert list(tmp_path.iterdir()) == []


def test_answers_live_in_a_hidden_folder_of_the_outputs(tmp_path: Path) -> None:
    """Hidden: never released, never compared by verify (they skip dot folders)."""
    folder = memo.cache_dir(tmp_path, "disclosure")
    assert folder.relative_to(tmp_path).parts[0].startswith(".")
