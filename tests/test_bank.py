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


def test_every_bundled_question_carries_its_place_and_reason() -> None:
    bank = load_bank()
    for q in bank.questions:
        assert q.place, f"{q.id}: no place in the report"
        assert bank.reason_text(q.id), f"{q.id}: no reason for its classification"
        scoring_reason = bank.reason_text(q.id).startswith("Scoring")
        assert scoring_reason == q.scoring, f"{q.id}: reason and kind disagree"


def test_contested_questions_are_decided_with_alternatives() -> None:
    bank = load_bank()
    assert bank.reading == "questions"
    progress, rj, cp = (bank.question_by_id[q] for q in ("progress", "rj_proceeded",
                                                          "cp_attention"))
    assert progress.scoring and set(bank.scales["progress"].sufficient) == {"good", "some"}
    assert not rj.scoring
    assert (cp.criterion, cp.outcomes) == ("5.1", (4, 5))
    assert {q.id for q in bank.contested()} == {"progress", "rj_proceeded", "cp_attention"}
    flipped = bank.with_alternative("rj_proceeded", rj.alternatives[0])
    assert flipped.question_by_id["rj_proceeded"].scoring
    assert not bank.question_by_id["rj_proceeded"].scoring  # the bank itself is unchanged


def test_reading_is_a_setting_and_can_be_overridden() -> None:
    raw = mini_bank_dict()
    assert build_bank(raw).reading == "questions"
    raw["settings"] = {"scoring": "criteria"}
    bank = build_bank(raw)
    assert bank.reading == "criteria"
    assert bank.with_reading("pooled").reading == "pooled"
    assert bank.with_reading(None) is bank
    with pytest.raises(ValueError, match="allowed questions, criteria, pooled"):
        bank.with_reading("median")
    raw["settings"] = {"scoring": "median"}
    assert "scoring must be one of questions, criteria, pooled, not 'median'" in _error(raw)


def test_unknown_reason_and_bad_alternative_are_named() -> None:
    raw = mini_bank_dict()
    raw["reasons"] = {"judged": "Scoring: judged."}
    raw["questions"][1]["reason"] = "judgd"
    raw["questions"][0]["alternatives"] = [{"label": "scores", "kind": "scoring"},
                                           {"label": "moved", "criterion": "9.9"}]
    message = _error(raw)
    assert "reason 'judgd' is not one of the bank's reasons (judged)" in message
    assert "alternative 'scores' makes it scoring, but scale 'report_type'" in message
    assert "alternative 2: unknown criterion '9.9'" in message
