from __future__ import annotations

import pytest

from analysis.core.errors import BankError
from analysis.method.bank import build_bank, load_bank

from .conftest import mini_bank_dict


def test_bundled_bank_loads_and_covers_the_framework() -> None:
    bank = load_bank()
    assert [o.id for o in bank.outcomes] == [1, 2, 3, 4, 5]
    assert {c.id for c in bank.criteria} == {
        "1.1", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3",
        "5.1", "5.2", "5.3", "5.5"}
    for o in bank.outcomes:
        assert bank.scoring_questions(o.id), f"outcome {o.id} has no scoring question"
        assert any(q.key for q in bank.scoring_questions(o.id))
    both = [q for q in bank.questions if set(q.outcomes) == {4, 5}]
    assert both, "victims questions must also feed Protecting the Public (seed footnote 2)"
    assert len(bank.factors) == 9
    assert len({q.id for q in bank.questions}) == len(bank.questions)


def test_factors_expand_into_three_questions(mini_bank) -> None:  # type: ignore[no-untyped-def]
    ids = [q.id for q in mini_bank.questions if q.factor == "alcohol"]
    assert ids == ["factor_alcohol_identified", "factor_alcohol_interventions",
                   "factor_alcohol_progress"]
    assert mini_bank.question_by_id["factor_alcohol_progress"].applies_when is not None


def _error(raw: dict) -> str:  # type: ignore[type-arg]
    with pytest.raises(BankError) as info:
        build_bank(raw, source="bank.yaml")
    return str(info.value)


def test_unknown_field_in_rule_is_named() -> None:
    raw = mini_bank_dict()
    raw["questions"][1]["applies_when"] = 'reprot_type == "short"'
    message = _error(raw)
    assert "bank.yaml" in message and "report_quality" in message and "reprot_type" in message


def test_duplicate_ids_unknown_criterion_and_outcome() -> None:
    raw = mini_bank_dict()
    raw["questions"].append(dict(raw["questions"][2]))
    raw["questions"][0]["criterion"] = "9.9"
    raw["questions"][3]["outcomes"] = [4, 7]
    message = _error(raw)
    assert "'rmp'" in message and "more than once" in message
    assert "unknown criterion '9.9'" in message
    assert "unknown outcome 7" in message


def test_scoring_question_needs_a_sufficient_scale() -> None:
    raw = mini_bank_dict()
    raw["questions"][0]["kind"] = "scoring"
    assert "sufficient levels" in _error(raw)


def test_rule_with_code_is_refused() -> None:
    raw = mini_bank_dict()
    raw["questions"][2]["applies_when"] = "__import__('os').system('true')"
    assert "question 'rmp'" in _error(raw)


def test_missing_file_and_bad_yaml(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BankError, match="not found"):
        load_bank(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions: [\n")
    with pytest.raises(BankError, match="not valid YAML"):
        load_bank(bad)
