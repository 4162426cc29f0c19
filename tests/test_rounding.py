"""One rounding rule, half up, wherever a share is printed: the published report's pairs."""

from __future__ import annotations

import pytest

from analysis.method import rounding
from analysis.method.words import printed_percent
from analysis.report.format import interval, pct, points
from analysis.report.model import Kind, Number, share_of
from analysis.synthetic.published_counts import round_half_up


@pytest.mark.parametrize(("k", "n", "printed"), [
    (17, 40, "43%"),   # relationships, sufficient interventions (published 43%)
    (9, 40, "23%"),    # relationships, sufficient progress (published 23%)
    (1, 8, "13%"), (3, 8, "38%"), (5, 8, "63%"), (1, 40, "3%"), (7, 40, "18%"),
])
def test_published_pairs_round_half_up(k: int, n: int, printed: str) -> None:
    share = Number(k / n, Kind.SHARE, share_of("k", "n"))
    assert share.text == printed
    assert pct(k / n) == printed
    # every other path to a whole percent agrees with what is printed
    assert f"{printed_percent(k / n)}%" == printed
    assert f"{round_half_up(k, n)}%" == printed
    assert f"{rounding.percent_of(k, n)}%" == printed


def test_half_to_even_would_differ() -> None:
    """The pairs above are the ones Python's own rounding gets wrong: the test can fail."""
    assert f"{100 * 17 / 40:.0f}" == "42"
    assert f"{100 * 9 / 40:.0f}" == "22"


def test_intervals_points_and_digits_round_half_up() -> None:
    assert interval(0.125, 0.625) == "13–63%"
    assert points(0.125) == "+12.5"
    assert points(0.0125, 1) == "+1.3"
    assert points(-0.0125, 1) == "−1.3"        # half away from zero, a true minus sign
    assert points(-0.0004, 1) == "0.0"         # no sign on what rounds to nothing
    assert pct(0.0125, 1) == "1.3%"
    assert Number(12345.5, Kind.NUMBER, share_of("k", "n"), grouped=True).text == "12,346"
    assert Number(10.45, Kind.PERCENT, share_of("k", "n"), digits=1).text == "10.5%"


def test_rounding_text_never_prints_binary_noise() -> None:
    assert rounding.text(100 * 0.425) == "43"
    assert rounding.text(100 * 0.225) == "23"
    assert rounding.text(2.675, 2) == "2.68"    # binary 2.67499999...
    assert rounding.text(1234.5, grouped=True) == "1,235"
