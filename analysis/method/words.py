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
from . import textfile
from .rounding import whole_percent

DEFAULT_SCALE = paths.REPO_ROOT / "data" / "word_scale.yaml"


class WordScaleError(InputError):
    """A malformed word-scale file."""


def printed_percent(value: float) -> int:
    """The whole percent a report prints for a share (half up, the one rounding rule of
    :mod:`analysis.method.rounding`): rules and words compare this number, so they agree
    with what is shown."""
    return whole_percent(value)


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


def _phrase(value: object, what: str, name: str) -> str | Problem:
    """A phrase: one line of text, within the cell limit."""
    if not isinstance(value, str) or not value.strip():
        return Problem(name, f"{what}: a phrase must be text", value=str(value),
                       allowed="words such as 'nearly all'")
    text = " ".join(value.split())
    if len(text) > textfile.MAX_CELL_CHARS:
        return Problem(name, f"{what}: the phrase is too long ({len(text):,} characters)",
                       value=text, allowed=f"at most {textfile.MAX_CELL_CHARS:,} characters")
    return text


def _whole(value: object) -> int | None:
    """A whole number as YAML gives it (not a boolean, not 1.5)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _bands(raw: object, name: str) -> tuple[Band, ...]:
    if not isinstance(raw, list):
        raise WordScaleError([Problem(name, "'bands' must be a list of {from, to, phrase}")])
    problems, bands = [], []
    for i, b in enumerate(raw, start=1):
        low = _whole(b.get("from")) if isinstance(b, dict) else None
        high = _whole(b.get("to")) if isinstance(b, dict) else None
        phrase = _phrase(b.get("phrase"), f"band {i}", name) if isinstance(b, dict) else None
        if low is None or high is None or phrase is None:
            problems.append(Problem(name, f"band {i} needs whole-number 'from', 'to' and a "
                                    f"'phrase'", value=str(b)))
        elif isinstance(phrase, Problem):
            problems.append(phrase)
        elif not 1 <= low <= high <= 100:
            problems.append(Problem(name, f"band {i} ({phrase}): 'from' and 'to' must be "
                                    "percents from 1 to 100, from no more than to",
                                    value=f"from {low} to {high}"))
        else:
            bands.append(Band(low, high, phrase))
    covered = sorted(p for b in bands for p in range(b.low, b.high + 1))
    if not problems and covered != list(range(1, 101)):
        missing = sorted(set(range(1, 101)) - set(covered))
        twice = sorted({p for p in covered if covered.count(p) > 1})
        problems.append(Problem(name, "the bands must cover every percent from 1 to 100 once",
                                value=f"missing {missing}, more than once {twice}"))
    if problems:
        raise WordScaleError(problems)
    return tuple(bands)


def _scale(raw: object, name: str) -> WordScale:
    """The scale a parsed file holds; every problem of its fields raised at once."""
    expected = "none, all, all_but, all_but_min_percent and bands"
    if not isinstance(raw, dict):
        raise WordScaleError([Problem(name, f"not a word scale; expected {expected}")])
    missing = [k for k in ("none", "all", "all_but", "all_but_min_percent", "bands")
               if k not in raw]
    if missing:
        raise WordScaleError([Problem(name, f"'{k}' is missing", allowed=expected)
                              for k in missing])
    problems: list[Problem] = []
    words = {k: _phrase(raw[k], f"'{k}'", name) for k in ("none", "all")}
    problems += [w for w in words.values() if isinstance(w, Problem)]
    all_but: dict[int, str] = {}
    if not isinstance(raw["all_but"], dict):
        problems.append(Problem(name, "'all_but' must map 1 and 2 to phrases",
                                value=str(raw["all_but"])))
    else:
        for key, value in raw["all_but"].items():
            missed, phrase = _whole(key), _phrase(value, f"all_but {key}", name)
            if missed not in (1, 2):
                problems.append(Problem(name, "'all_but' keys are the cases missed, 1 or 2",
                                        value=str(key)))
            elif isinstance(phrase, Problem):
                problems.append(phrase)
            else:
                all_but[missed] = phrase
    least = _whole(raw["all_but_min_percent"])
    if least is None or not 0 <= least <= 100:
        problems.append(Problem(name, "'all_but_min_percent' must be a whole percent, 0 to 100",
                                value=str(raw["all_but_min_percent"])))
    try:
        bands = _bands(raw["bands"], name)
    except WordScaleError as exc:
        problems += exc.problems
    if problems:
        raise WordScaleError(problems)
    return WordScale(str(words["none"]), str(words["all"]), all_but, int(least or 0), bands)


def _read(path: Path) -> WordScale:
    name = str(path)
    if not Path(path).exists():
        raise WordScaleError([Problem(name, "word scale file not found")])
    text = textfile.read_text(Path(path), "word scale file").text
    try:
        raw = parse(text)
    except yaml.YAMLError as exc:
        raise WordScaleError([Problem(name, f"not valid YAML: {exc}")]) from None
    return _scale(raw, name)


def check_scale(path: Path = DEFAULT_SCALE) -> list[Problem]:
    """Every problem of the word-scale file, found before a build writes anything."""
    try:
        _read(Path(path))
    except InputError as exc:
        return exc.problems
    return []


@lru_cache(maxsize=4)
def load_scale(path: Path = DEFAULT_SCALE) -> WordScale:
    """Read and check the scale (cached: one parse per kernel)."""
    return _read(Path(path))


def describe(k: int, n: int) -> str:
    """k of n in the bundled scale's words."""
    return load_scale().describe(k, n)
