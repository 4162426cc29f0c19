"""The disclosure policy: primary and secondary suppression, checked against linear programs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from analysis.chapters import numbers
from analysis.method import disclosure as D

PUB = D.Policy(publish=True, threshold=5)


def pair(policy: D.Policy, k: int, n: int) -> D.Disclosure:
    """One 'k of n' on its own (keys 'k', 'n' and the unprinted 'rest')."""
    return D.protect({"k": k, "n": n, "rest": n - k}, [D.Relation("n", ("k", "rest"))], policy,
                     unpublished=("rest",))


def cells(policy: D.Policy, counts: list[int], total: int) -> D.Disclosure:
    """A distribution: keys '0', '1', ... and 'n' for the total."""
    values = {str(i): c for i, c in enumerate(counts)} | {"n": total}
    return D.protect(values, [D.Relation("n", tuple(str(i) for i in range(len(counts))))],
                     policy)


def bounds(d: D.Disclosure, relations: list[D.Relation], *keys: str) -> tuple[float, float]:
    """Smallest and largest value of the sum of ``keys`` (hidden quantities) a reader can
    infer from what is shown (LP audit)."""
    hidden = sorted(d.hidden & {q for r in relations for q in (r.total, *r.parts)})
    col = {q: i for i, q in enumerate(hidden)}
    a, b = [], []
    for r in relations:
        row = np.zeros(len(hidden))
        rhs = 0.0
        for q, sign in ((r.total, 1.0), *((p, -1.0) for p in r.parts)):
            if q in col:
                row[col[q]] += sign
            else:
                rhs -= sign * d.values[q]
        if row.any():
            a.append(row)
            b.append(rhs)
    c = np.zeros(len(hidden))
    for key in keys:
        c[col[key]] = 1.0
    lo = linprog(c, A_eq=np.array(a), b_eq=b, bounds=(0, None))
    hi = linprog(-c, A_eq=np.array(a), b_eq=b, bounds=(0, None))
    return lo.fun, (np.inf if hi.status == 3 else -hi.fun)  # 3: unbounded


def test_outside_publication_nothing_is_hidden():
    d = pair(D.Policy(publish=False), 1, 3)
    assert (d.count("k"), d.count("n"), numbers.share(d, "k", "n").text) == ("1", "3", "33% *")


@pytest.mark.parametrize(("k", "n", "shown"), [
    (3, 40, ("[c]", "40", "[c]")),     # small count
    (38, 40, ("[c]", "40", "[c]")),    # small complement: 2 not done
    (3, 3, ("[c]", "[c]", "[c]")),     # small denominator
    (0, 3, ("[c]", "[c]", "[c]")),     # a zero whose total is small
    (0, 40, ("0", "40", "0%")),        # zeros are shown
    (40, 40, ("40", "40", "100%")),
    (20, 40, ("20", "40", "50%")),
])
def test_pair(k: int, n: int, shown: tuple[str, str, str]):
    d = pair(PUB, k, n)
    assert (d.count("k"), d.count("n"), numbers.share(d, "k", "n").text) == shown


def test_k_of_n_phrase_hides_a_small_denominator():
    assert numbers.k_of_n(pair(PUB, 0, 3), "k", "n").plain() == "[c] of [c] cases"
    assert numbers.k_of_n(pair(PUB, 2, 30), "k", "n").plain() == "[c] of 30 cases"
    assert numbers.k_of_n(pair(PUB, 12, 30), "k", "n", "people").plain() == "12 of 30 people"


def test_one_small_cell_takes_another_with_it():
    d = cells(PUB, [83, 3, 1], 87)
    # 3 and 1 hidden alone would sum to 4 beside the total: 83 goes too
    assert [d.count(str(i)) for i in range(3)] == ["[c]", "[c]", "[c]"]
    assert d.count("n") == "87"


def test_secondary_cell_is_the_smallest_that_works():
    d = cells(PUB, [40, 20, 3, 24], 87)
    assert [d.count(str(i)) for i in range(4)] == ["40", "[c]", "[c]", "24"]


def test_suppression_is_worked_out_once_per_set_of_inputs(tmp_path, monkeypatch):
    """Every notebook and the release check ask for the same areas' suppression: with an
    outputs folder the answer is kept and read back, the same as worked out; other counts or
    another threshold are worked out anew."""
    values = {"0": 40, "1": 20, "2": 3, "3": 24, "n": 87}
    relations = [D.Relation("n", ("0", "1", "2", "3"))]
    first = D.protect(values, relations, PUB, cache=tmp_path)
    assert first == D.protect(values, relations, PUB)

    def never(*_args, **_kwargs):
        raise AssertionError("worked out again")

    monkeypatch.setattr(D, "_hide", never)
    assert D.protect(values, relations, PUB, cache=tmp_path) == first
    with pytest.raises(AssertionError, match="again"):
        D.protect({**values, "2": 4, "3": 23}, relations, PUB, cache=tmp_path)
    with pytest.raises(AssertionError, match="again"):
        D.protect(values, relations, D.Policy(True, 10), cache=tmp_path)


def test_zero_cells_shown_unless_total_small():
    assert [cells(PUB, [30, 0, 10], 40).count(str(i)) for i in range(3)] == ["30", "0", "10"]
    assert cells(PUB, [3, 0], 3).count("1") == "[c]"


def test_note_states_the_rules():
    (note,) = numbers.rules(D.Policy(True, 10))
    for words in ("from 1 to 9", "[c]", "confidential", "total", "Zeros", "worked out"):
        assert words in note.text.plain()
    assert numbers.rules(D.Policy(False)) == ()


def table_relations(rows: int, cols: int) -> list[D.Relation]:
    cells = [[f"c{r}{c}" for c in range(cols)] for r in range(rows)]
    rel = [D.Relation(f"r{r}", tuple(cells[r])) for r in range(rows)]
    rel += [D.Relation(f"k{c}", tuple(cells[r][c] for r in range(rows))) for c in range(cols)]
    rel.append(D.Relation("n", tuple(f"r{r}" for r in range(rows))))
    rel.append(D.Relation("n", tuple(f"k{c}" for c in range(cols))))
    return rel


@settings(max_examples=120, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_no_hidden_cell_of_a_table_can_be_worked_out(rows: int, cols: int, data):
    """Random small tables with margins (many cells of 0-4): an LP finds every hidden small
    cell's possible values, independently of the rank test the policy uses."""
    grid = data.draw(st.lists(st.lists(st.integers(0, 9), min_size=cols, max_size=cols),
                              min_size=rows, max_size=rows))
    values = {f"c{r}{c}": grid[r][c] for r in range(rows) for c in range(cols)}
    values |= {f"r{r}": sum(grid[r]) for r in range(rows)}
    values |= {f"k{c}": sum(g[c] for g in grid) for c in range(cols)}
    values["n"] = sum(map(sum, grid))
    rel = table_relations(rows, cols)
    d = D.protect(values, rel, PUB)
    for key, v in values.items():
        if key not in d.hidden:
            assert not PUB.small(v), (key, v)
        elif PUB.small(v):
            lo, hi = bounds(d, rel, key)
            assert hi - lo > 0.5, (key, v, lo, hi)
    for r in rel:
        if r.total not in d.hidden:
            assert not PUB.small(sum(values[p] for p in r.parts if p in d.hidden))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=1, max_size=5))
@example([(10, 11), (10, 12), (20, 30)])  # two areas hide 1 and 2 not done; one shows its 10
def test_pooled_counts_never_give_an_area_away(pairs: list[tuple[int, int]]):
    """Areas' k of n (with their own reports' suppression) and the pooled k and n: no small
    count an area hides can be worked out from what the aggregate adds (LP audit)."""
    areas = {f"a{i}": pair(PUB, min(k, n), max(k, n)) for i, (k, n) in enumerate(pairs)}
    areas = {a: D.Disclosure(PUB, {f"q:{x}": v for x, v in d.values.items()},
                             frozenset(f"q:{x}" for x in d.hidden)) for a, d in areas.items()}
    pooled = D.pooled_disclosure(areas, PUB)
    rel = [D.Relation(r_total, parts) for r_total, parts in _pooled_relations(areas)]
    for a in areas:
        for part in ("q:k", "q:rest"):
            key = D.area_key(a, part)
            if key in pooled.hidden and PUB.small(pooled.values[key]):
                lo, hi = bounds(pooled, rel, key)
                assert hi - lo > 0.5, (key, pooled.values[key], lo, hi)
    for part in ("q:k", "q:n"):
        key = D.pooled_key(part)
        if key not in pooled.hidden:
            assert not PUB.small(pooled.values[key])
    for part in ("q:k", "q:rest"):  # areas hiding their k: together not a small group
        group = [D.area_key(a, part) for a in areas if D.area_key(a, "q:k") in pooled.hidden]
        total = sum(pooled.values[g] for g in group)
        if group and PUB.small(total):
            lo, hi = bounds(pooled, rel, *group)
            assert hi - lo > 0.5, (group, total, lo, hi)


def _pooled_relations(areas: dict[str, D.Disclosure]) -> list[tuple[str, tuple[str, ...]]]:
    """The relations a reader knows, written out independently of the policy's own list."""
    out = [(D.area_key(a, "q:n"), (D.area_key(a, "q:k"), D.area_key(a, "q:rest")))
           for a in areas]
    for part in ("q:n", "q:k", "q:rest"):
        out.append((D.pooled_key(part), tuple(D.area_key(a, part) for a in areas)))
    out.append((D.pooled_key("q:n"), (D.pooled_key("q:k"), D.pooled_key("q:rest"))))
    return out


@pytest.mark.parametrize(("text", "policy"), [
    ("open", D.Policy()), ("publish:5", D.Policy(True, 5)), ("publish:12", D.Policy(True, 12)),
    (" publish:1 ", D.Policy(True, 1))])
def test_a_policy_travels_as_its_text(text: str, policy: D.Policy) -> None:
    assert D.Policy.parse(text) == policy
    assert D.Policy.parse(str(policy)) == policy
    assert D.Policy.parse(policy) is policy


@pytest.mark.parametrize("text", ["", "closed", "publish", "publish:0", "publish:-3",
                                  "publish:five", "open:5", "Publish:5"])
def test_a_policy_text_that_is_neither_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="'open' or 'publish:N'"):
        D.Policy.parse(text)
