"""The word scale: a share put into words ("nearly all", "two-thirds"), from one data file.

``data/word_scale.yaml`` is the scale the Durham Tees Valley reconstruction reads (its
published-figures file records how each of the report's phrases was read), used in reverse:
a report never words a share differently from how the published report's words are read.
Words are always printed beside their count and denominator, never instead of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..core import paths
from ..core.errors import InputError, Problem
from ..core.yamlfile import parse

DEFAULT_SCALE = paths.REPO_ROOT / "data" / "word_scale.yaml"


class WordScaleError(InputError):
    """A malformed word-scale file."""


def printed_percent(value: float) -> int:
    """The whole percent a report prints for a share (``f"{100 * value:.0f}"``, which rounds
    like ``round``): rules and words compare this number, so they agree with what is shown."""
    return round(100 * value)


@dataclass(frozen=True)
class Band:
    """Whole percents ``low``..``high`` (as printed) put into one phrase."""

    low: int
    high: int
    phrase: str


@dataclass(frozen=True)
class WordScale:
    """The phrases for none, all, all but one or two, and a band for every percent 1-100."""

    none: str
    all: str
    all_but: dict[int, str]
    all_but_min_percent: int
    bands: tuple[Band, ...]

    def describe(self, k: int, n: int) -> str:
        """The words for k of n (n > 0)."""
        if n <= 0 or not 0 <= k <= n:
            raise ValueError(f"no share for {k} of {n}")
        if k == 0:
            return self.none
        if k == n:
            return self.all
        p = printed_percent(k / n)
        if (n - k) in self.all_but and p >= self.all_but_min_percent:
            return self.all_but[n - k]
        return next(b.phrase for b in self.bands if b.low <= p <= b.high)

    def band(self, phrase: str) -> Band:
        return next(b for b in self.bands if b.phrase == phrase)


def _bands(raw: object, name: str) -> tuple[Band, ...]:
    if not isinstance(raw, list):
        raise WordScaleError([Problem(name, "'bands' must be a list of {from, to, phrase}")])
    problems, bands = [], []
    for i, b in enumerate(raw, start=1):
        try:
            bands.append(Band(int(b["from"]), int(b["to"]), str(b["phrase"])))
        except (KeyError, TypeError, ValueError):
            problems.append(Problem(name, f"band {i} needs whole-number 'from', 'to' and a "
                                    f"'phrase'", value=str(b)))
    covered = sorted(p for b in bands for p in range(b.low, b.high + 1))
    if not problems and covered != list(range(1, 101)):
        missing = sorted(set(range(1, 101)) - set(covered))
        twice = sorted({p for p in covered if covered.count(p) > 1})
        problems.append(Problem(name, "the bands must cover every percent from 1 to 100 once",
                                value=f"missing {missing}, more than once {twice}"))
    if problems:
        raise WordScaleError(problems)
    return tuple(bands)


@lru_cache(maxsize=4)
def load_scale(path: Path = DEFAULT_SCALE) -> WordScale:
    """Read and check the scale (cached: one parse per kernel)."""
    name = str(path)
    try:
        raw = parse(Path(path).read_text(encoding="utf-8"))
        return WordScale(str(raw["none"]), str(raw["all"]),
                         {int(k): str(v) for k, v in raw["all_but"].items()},
                         int(raw["all_but_min_percent"]), _bands(raw["bands"], name))
    except FileNotFoundError:
        raise WordScaleError([Problem(name, "word scale file not found")]) from None
    except (yaml.YAMLError, KeyError, TypeError, AttributeError, ValueError) as exc:
        raise WordScaleError([Problem(name, f"not a word scale ({exc!s}); expected none, "
                                      "all, all_but, all_but_min_percent and bands")]) from None


def describe(k: int, n: int) -> str:
    """k of n in the bundled scale's words."""
    return load_scale().describe(k, n)
