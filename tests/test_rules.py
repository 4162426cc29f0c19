from __future__ import annotations

import pandas as pd
import pytest

from analysis.method.rules import RuleError, parse_rule


def frame() -> pd.DataFrame:
    return pd.DataFrame({"a": ["x", "y", pd.NA], "b": ["yes", "no", "yes"]}, dtype=object)


def test_equality_and_membership() -> None:
    assert parse_rule('a == "x"').evaluate(frame()).tolist() == [True, False, False]
    assert parse_rule('a in ["x", "y"]').evaluate(frame()).tolist() == [True, True, False]
    assert parse_rule('a not in ["x"]').evaluate(frame()).tolist() == [False, True, False]


def test_not_applicable_makes_every_comparison_false() -> None:
    assert parse_rule('a != "x"').evaluate(frame()).tolist() == [False, True, False]


def test_boolean_operators() -> None:
    rule = parse_rule('a == "x" or (b == "yes" and not a == "y")')
    assert rule.evaluate(frame()).tolist() == [True, False, True]
    assert rule.names == {"a", "b"}


@pytest.mark.parametrize("source", ["__import__('os')", "a.b == 1", "a == b()", "1 == a",
                                    "a < 3", "lambda: 1", "a == x"])
def test_refuses_anything_outside_the_language(source: str) -> None:
    if source == "a == x":
        with pytest.raises(RuleError):
            parse_rule(source).evaluate(frame())
        return
    with pytest.raises(RuleError):
        parse_rule(source)


def test_true_constant_means_yes() -> None:
    assert parse_rule("b == True").evaluate(frame()).tolist() == [True, False, True]
