"""The one comparison decision (analysis.method.positions), checked against independent
computations (exact binomial sums, a hand-written Newcombe interval, scipy's binomial test)
and against simulations from the between-area model fitted to the bundled areas."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.core import paths
from analysis.method import between_areas as model
from analysis.method import positions as cmp
from analysis.method.bank import load_bank
from analysis.method.catalogue import load_areas
from analysis.method.scoring import question_scores
from analysis.method.validation import load_cases

from .independent import newcombe

K = np.array([22, 12, 24, 12, 19, 20, 30, 11, 25, 9, 18, 21])
N = np.array([22, 15, 26, 18, 21, 25, 33, 19, 26, 17, 20, 23])


def _exact_cdf(r: int, n: int, p: Fraction) -> Fraction:
    """P(X <= r), X ~ Binomial(n, p), summed exactly with math.comb (no scipy)."""
    return sum((Fraction(math.comb(n, i)) * p**i * (1 - p) ** (n - i)
                for i in range(min(r, n) + 1)), Fraction(0)) if r >= 0 else Fraction(0)


def _brute_limits(p0: float, n: int) -> tuple[int, int]:
    """First count flagged above and last flagged below, walking every k with exact CDFs."""
    p, tail = Fraction(p0), Fraction(1, 40)
    k_hi = next((k for k in range(n + 1) if 1 - _exact_cdf(k - 1, n, p) < tail), n + 1)
    k_lo = max((k for k in range(n + 1) if _exact_cdf(k, n, p) < tail), default=-1)
    return k_hi, k_lo


@pytest.mark.parametrize("p0", [0.02, 0.3, 0.5, 0.8, 0.957, 0.99])
def test_plain_limits_are_the_exact_tail_rule_drawn_as_steps(p0: float) -> None:
    for n in [1, 2, 3, 5, 8, 13, 25, 60, 90]:
        lower, upper = cmp.plain_limits(p0, np.array([float(n)]))
        k_hi, k_lo = _brute_limits(p0, n)
        assert upper[0] == pytest.approx(min((k_hi - 0.5) / n, 1.0))
        assert lower[0] == pytest.approx(max((k_lo + 0.5) / n, 0.0))
        shares = np.arange(n + 1) / n
        assert not np.any(np.isclose(shares, upper[0]) & (upper[0] < 1))  # no share on a limit
        assert not np.any(np.isclose(shares, lower[0]) & (lower[0] > 0))
        for k, decided in enumerate(cmp.decide(shares, lower[0], upper[0])):
            assert decided == ("above" if k >= k_hi else "below" if k <= k_lo else "within")


def _assert_binomial_test_agrees(k: np.ndarray, n: np.ndarray, pooled: np.ndarray,
                                 flagged: np.ndarray, side_tail: float) -> int:
    """Every flag is one the exact one-sided binomial test at the pooled share makes at
    that level (scipy's binomtest); returns how many flags were checked."""
    checked = 0
    for r, i in zip(*np.nonzero(flagged != "within"), strict=True):
        alternative = "greater" if flagged[r, i] == "above" else "less"
        p = stats.binomtest(int(k[r, i]), int(n[r, i]), float(pooled[r]), alternative).pvalue
        assert p < side_tail, (r, i, k[r, i], n[r, i], pooled[r], p)
        checked += 1
    return checked


def test_no_flag_the_exact_binomial_test_at_the_pooled_share_would_not_make() -> None:
    """Data sets with large spreads and outliers: every flag at 99.8% and beyond 95% is made
    by the exact binomial test too, and decisions follow from the stored limits."""
    rng = np.random.default_rng(11)
    n = rng.integers(3, 90, (400, 12)).astype(float)
    theta = np.clip(rng.beta(6, 2, (400, 12)) - 0.4 * (rng.random((400, 12)) < 0.05), 0.01, 1)
    theta[::7] = 0.97                                # some with no spread at all, near 1
    k = rng.binomial(n.astype(int), theta).astype(float)
    d = cmp.decide_questions(k, n)
    flags = _assert_binomial_test_agrees(k, n, d.fit.pooled, d.decision, 0.001)
    inner = _assert_binomial_test_agrees(k, n, d.fit.pooled, d.beyond_95, 0.025)
    assert flags >= 10 and inner > flags
    share = k / n
    assert (d.decision == cmp.decide(share, d.lower, d.upper)).all()
    assert ((d.p_value < 1 - cmp.LEVEL) == (d.decision != "within")).all()
    assert ((d.p_value < 1 - cmp.INNER) == (d.beyond_95 != "within")).all()
    assert not ((k == n) & (d.upper_tail >= 0.001) & (d.decision == "above")).any()


def test_a_count_of_n_is_above_only_when_its_tail_is_beyond_the_level() -> None:
    """The old additive limits made every k = n "above" once their upper limit fell below 1
    (66 of 66 against 95.9%, P = 0.064). With tails decided exactly, never."""
    n = np.array([66.0, 80, 70, 75, 60, 72, 68, 74, 77, 65, 71, 69])
    k = np.array([66.0, 77, 67, 72, 57, 69, 65, 71, 74, 62, 68, 66])
    d = cmp.decide_questions(k, n)
    p0 = float(d.fit.pooled[0])
    assert p0 ** 66 > 0.001 and d.beyond_95[0, 0] == "within" and d.decision[0, 0] == "within"


# the table ------------------------------------------------------------------------------
def _inputs() -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    areas = [f"a{i}" for i in range(N.size)]
    q = pd.DataFrame({"area_id": areas, "outcome": 1, "question": "q1", "k": K, "n": N})
    wide = pd.DataFrame({"area_id": areas, "outcome": 1, "question": "q2",
                         "k": [1, 5, 9, 13, 17, 20, 3, 8, 11, 15, 19, 20], "n": 20})
    outlier = pd.DataFrame({"area_id": areas, "outcome": 1, "question": "q4", "n": 60,
                            "k": [45, 48, 42, 45, 48, 45, 42, 45, 48, 45, 5, 45]})
    alike = pd.DataFrame({"area_id": areas, "outcome": 1, "question": "q5", "n": 50,
                          "k": [25, 26, 24, 25, 25, 26, 24, 25, 25, 25, 26, 24]})
    empty = pd.DataFrame({"area_id": ["a0"], "outcome": 1, "question": "q3", "k": 0, "n": 0})
    o = pd.DataFrame({"area_id": areas, "outcome": 2,
                      "score": [0.80, 0.82, 0.78, 0.81, 0.79, 0.80, 0.83, 0.77, 0.80, 0.81,
                                0.79, 0.30],
                      "lower": np.nan, "upper": np.nan})
    o["lower"], o["upper"] = o["score"] - 0.04, o["score"] + 0.04
    return (pd.concat([q, wide, outlier, alike, empty], ignore_index=True), o,
            pd.Series({2: 0.76}))


def test_every_decision_follows_from_the_stored_limits() -> None:
    table, disp = cmp.comparisons(*_inputs())
    assert list(table.columns) == cmp.COLUMNS
    expect = np.where(table["share"] > table["upper"], "above",
                      np.where(table["share"] < table["lower"], "below", "within"))
    assert (table["decision"].to_numpy() == expect).all()
    q = table[table["kind"] == "question"].set_index(["measure", "area_id"])
    assert q.loc[("q4", "a10"), "decision"] == "below"      # 5 of 60 among 45 of 60
    assert (q.drop(("q4", "a10"))["decision"] == "within").all()
    o = table[table["kind"] == "outcome"].set_index("area_id")
    assert o.loc["a11", "decision"] == "below" and (o.drop("a11")["decision"] == "within").all()
    assert set(table["limits"]) == {"beta-binomial", "binomial", "normal"}
    assert "q3" not in set(table["measure"])  # n = 0: no share, no comparison
    assert str(table["k"].dtype) == "Int64"
    assert table.loc[table["kind"] == "outcome", ["k", "n"]].isna().all().all()
    assert list(disp.columns) == cmp.DISPERSION_COLUMNS
    assert set(disp["measure"]) == {"q1", "q2", "q4", "q5", "2"}
    d = disp.set_index("measure")
    assert d.loc["q4", "rho"] < 0.05 * d.loc["q4", "rho_plain"]   # one far area
    assert d.loc["q5", "rho"] == 0 and d.loc["q5", "limits"] == "binomial"
    assert d.loc["q2", "rho"] > 0.1 and d.loc["q2", "limits"] == "beta-binomial"


def test_the_gap_is_in_points_and_cases_with_newcombes_interval_scaled() -> None:
    table, _ = cmp.comparisons(*_inputs())
    q = table[(table["kind"] == "question") & (table["measure"] == "q1")]
    total_k, total_n = int(K.sum()), int(N.sum())
    for r in q.itertuples():
        k, n = int(r.k), int(r.n)
        assert r.gap == pytest.approx(k / n - total_k / total_n)
        assert r.gap_cases == pytest.approx(k - n * total_k / total_n)
        lo, hi = newcombe(k, n, total_k - k, total_n - n)
        scale = (total_n - n) / total_n
        assert r.gap_lower == pytest.approx(scale * lo, abs=1e-9)
        assert r.gap_upper == pytest.approx(scale * hi, abs=1e-9)
        assert r.gap_cases_lower == pytest.approx(n * scale * lo, abs=1e-7)


def test_shrunken_estimates_lie_between_the_share_and_the_pooled_figure() -> None:
    table, _ = cmp.comparisons(*_inputs())
    q = table[(table["kind"] == "question") & (table["measure"] == "q2")]
    low, high = np.minimum(q["share"], q["pooled"]), np.maximum(q["share"], q["pooled"])
    assert ((q["shrunk"] >= low - 1e-12) & (q["shrunk"] <= high + 1e-12)).all()
    assert ((q["shrunk_lower"] < q["shrunk"]) & (q["shrunk"] < q["shrunk_upper"])).all()
    below = q["share"] < q["pooled"]
    assert (q.loc[below, "p_below"] > 0.5).all() and (q.loc[~below, "p_below"] < 0.5).all()


def test_no_question_answered_anywhere_keeps_the_shares_numbers(tmp_path) -> None:
    """One area where no question applies: no question rows, outcome scores missing; the
    shares stay floats (NaN), through Parquet too, so chapters can compare and draw them."""
    from analysis.method.tables import read_table, write_table

    questions, outcomes, pooled = _inputs()
    outcomes = outcomes.assign(score=np.nan, lower=np.nan, upper=np.nan)
    table, disp = cmp.comparisons(questions.iloc[0:0], outcomes, pooled * np.nan)
    assert list(disp.columns) == cmp.DISPERSION_COLUMNS
    write_table(table.assign(scope="all"), tmp_path, "comparisons")
    back = read_table(tmp_path, "comparisons")
    for column in cmp.FLOATS:
        assert back[column].dtype == float, column
    assert back["share"].isna().all() and (back["kind"] == "outcome").all()
    assert (back["decision"] == "within").all()


def test_the_csv_writes_whole_counts_and_leaves_outcome_counts_empty(tmp_path) -> None:
    from analysis.method.tables import write_table

    table, _ = cmp.comparisons(*_inputs())
    write_table(table.assign(scope="all"), tmp_path, "comparisons")
    text = (tmp_path / "comparisons.csv").read_text().splitlines()
    assert text[1].startswith("a0,2,outcome,,,")
    assert any(",q1,question,22,22," in line for line in text)


def test_the_funnel_limits_table_holds_each_decided_limit_at_every_drawn_n() -> None:
    """What the charts draw: each question's 99.8% and 95% limits at n = 1 .. 8% past its
    largest area, equal at the areas' own n to the limits that decided them."""
    table, disp = cmp.comparisons(*_inputs())
    curves = cmp.limit_curves(table, disp)
    assert list(curves.columns) == cmp.LIMIT_COLUMNS
    assert set(curves["measure"]) == {"q1", "q2", "q4", "q5"}
    for measure, curve in curves.groupby("measure"):
        rows = table[table["measure"] == measure].drop_duplicates("n").set_index("n")
        top = cmp.chart_top(float(rows.index.max()))
        assert curve["n"].tolist() == list(range(1, top + 1)) and top > rows.index.max()
        at = curve.set_index("n").loc[rows.index]
        for col in ("lower", "upper", "lower_95", "upper_95"):
            assert at[col].tolist() == rows[col].tolist()
        assert (curve["lower"] <= curve["lower_95"]).all()
        assert (curve["upper"] >= curve["upper_95"]).all()
    empty = cmp.limit_curves(table.iloc[0:0], disp.iloc[0:0])
    assert empty.empty and list(empty.columns) == cmp.LIMIT_COLUMNS


# null simulations with the bundled n's --------------------------------------------------
@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    """k and n of every area on every scoring question, from the bundled case files."""
    data = paths.data_dir("")
    bank = load_bank()
    areas = load_areas(data)
    cases = load_cases([a.cases for a in areas], bank)
    frames = [question_scores(cases.area(a.id), bank, a.id) for a in areas]
    q = pd.concat(frames, ignore_index=True).drop_duplicates(["area_id", "question"])
    return q[q["n"] > 0]


def test_deciding_in_chunks_of_questions_changes_no_figure(
        bundled: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cross-area step decides questions (and draws their funnel limits) in chunks of
    rows so that its memory is flat in the number of areas: one question at a time gives
    exactly the tables of every question at once."""
    outcomes = pd.DataFrame(columns=["area_id", "outcome", "score", "lower", "upper"])
    whole, disp = cmp.comparisons(bundled, outcomes, pd.Series(dtype=float))
    curves = cmp.limit_curves(whole, disp)
    assert len(list(cmp.row_chunks(len(disp), 12 * 100))) == 1  # everything at once here
    monkeypatch.setattr(cmp, "TABLE_CELLS", 1)
    assert len(list(cmp.row_chunks(len(disp), 12 * 100))) == len(disp)
    chunked, chunked_disp = cmp.comparisons(bundled, outcomes, pd.Series(dtype=float))
    pd.testing.assert_frame_equal(chunked, whole, check_exact=True)
    pd.testing.assert_frame_equal(chunked_disp, disp, check_exact=True)
    pd.testing.assert_frame_equal(cmp.limit_curves(chunked, chunked_disp), curves,
                                  check_exact=True)


def test_chance_alone_flags_at_the_stated_rates(bundled: pd.DataFrame) -> None:
    """Every key question's areas drawn from its fitted model (true shares from the fitted
    beta, cases binomial), refitted and decided as the build decides: the rate of flags is
    the stated chance (the model's own probability beyond the limits), at 95% and 99.8%."""
    rng = np.random.default_rng(12)
    reps = 120
    got = {0.95: [], 0.998: []}
    stated = {0.95: [], 0.998: []}
    for _, sub in bundled[bundled["key"]].groupby("question"):
        n = sub["n"].to_numpy(float)
        fit = model.fit_rho(sub["k"].to_numpy(float), n)
        p0, rho = float(fit.pooled[0]), float(fit.rho[0])
        theta = (rng.beta(p0 * (1 - rho) / rho, (1 - p0) * (1 - rho) / rho, (reps, n.size))
                 if rho > 0 else np.full((reps, n.size), p0))
        k = rng.binomial(n.astype(int), theta).astype(float)
        d = cmp.decide_questions(k, n)
        got[0.998].append((d.decision != "within").mean())
        got[0.95].append((d.beyond_95 != "within").mean())
        for level in got:
            stated[level].append(float(model.beyond_chance(p0, rho, n, (1 - level) / 2)
                                       .mean()))
    points = reps * len(bundled[bundled["key"]])
    for level in got:
        rate, claim = float(np.mean(got[level])), float(np.mean(stated[level]))
        tolerance = 3 * math.sqrt(claim / points) + 0.15 * claim
        assert rate <= claim + tolerance, (level, rate, claim)
        assert claim <= 1 - level
    assert np.mean(got[0.95]) >= 0.5 * np.mean(stated[0.95])   # calibrated, not blunt


def test_the_gap_intervals_cover_the_true_gaps(bundled: pd.DataFrame) -> None:
    """True shares drawn from each key question's fitted model, cases binomial: the 95%
    gap interval covers the area's true gap to the all-areas rate of these areas' cases
    (theta_i - sum n_j theta_j / sum n_j) in 95% +- 2 of draws."""
    rng = np.random.default_rng(13)
    hits, total = 0, 0
    for _, sub in bundled[bundled["key"]].groupby("question"):
        n = sub["n"].to_numpy(float)
        fit = model.fit_rho(sub["k"].to_numpy(float), n)
        p0, rho = float(fit.pooled[0]), float(fit.rho[0])
        for _ in range(40):
            theta = (rng.beta(p0 * (1 - rho) / rho, (1 - p0) * (1 - rho) / rho, n.size)
                     if rho > 0 else np.full(n.size, p0))
            k = rng.binomial(n.astype(int), theta).astype(float)
            lo, hi = cmp.gap_interval(k, n)
            truth = theta - (n * theta).sum() / n.sum()
            hits += int(((lo <= truth) & (truth <= hi)).sum())
            total += n.size
    assert abs(hits / total - 0.95) <= 0.02, hits / total


# outcomes -------------------------------------------------------------------------------
def test_outcome_flags_are_rare_when_areas_differ_only_by_their_spread() -> None:
    """Twelve areas' scores drawn from the normal model (spread 0.1, bootstrap variances
    as the bundled areas have), the all-areas score their case-weighted mean: at most the
    stated rates beyond 99.8% and 95%; an area 35 points below is usually beyond 95%."""
    rng = np.random.default_rng(14)
    reps, v = 3000, np.linspace(0.0004, 0.0016, 12)
    w = np.linspace(50, 90, 12) / np.linspace(50, 90, 12).sum()
    theta = 0.78 + rng.normal(0, 0.1, (reps, 12))
    y = theta + rng.normal(0, np.sqrt(v), (reps, 12))
    d = cmp.decide_outcomes(y, np.broadcast_to(v, y.shape), y @ w)
    assert (d.decision != "within").mean() <= 0.002 + 3 * math.sqrt(0.002 / y.size)
    assert (d.beyond_95 != "within").mean() <= 0.05
    theta[:, 0] = 0.43
    y = theta + rng.normal(0, np.sqrt(v), (reps, 12))
    moved = cmp.decide_outcomes(y, np.broadcast_to(v, y.shape), y @ w)
    assert (moved.beyond_95[:, 0] == "below").mean() > 0.5
    assert ((moved.p_value < 0.002) == (moved.decision != "within")).all()


def test_monte_carlo_error_of_the_margin_matches_fresh_bootstraps() -> None:
    """The margin's Monte Carlo s.e. from one set of replicates (a bootstrap of them)
    against the spread of margins over 200 independent sets of replicates."""
    rng = np.random.default_rng(15)
    areas, resamples = 12, 2000
    y = 0.78 + rng.normal(0, 0.1, areas)
    sd = np.linspace(0.02, 0.04, areas)
    centre = float(y.mean())

    def replicates() -> np.ndarray:
        return y[:, None] + sd[:, None] * rng.standard_t(8, (areas, resamples))

    def margins(scores: np.ndarray) -> np.ndarray:
        v = scores.var(axis=1, ddof=1)
        return cmp.decide_outcomes(y[None], v[None], [centre]).margin[0]

    fresh = np.array([margins(replicates()) for _ in range(200)]).std(axis=0, ddof=1)
    estimated = cmp.margin_mc_se(y, replicates(), centre)
    assert estimated == pytest.approx(fresh, rel=0.35)


def test_a_margin_within_three_monte_carlo_errors_is_borderline() -> None:
    rng = np.random.default_rng(16)
    resamples = 2000
    areas = [f"a{i}" for i in range(12)]
    v = np.full(12, 0.0009)
    y = np.array([0.78, 0.80, 0.76, 0.79, 0.81, 0.77, 0.80, 0.78, 0.79, 0.77, 0.80, 0.60])
    scores = y[:, None] + np.sqrt(v)[:, None] * rng.standard_normal((12, resamples))
    pooled = np.full(resamples, y.mean())
    reps = {1: cmp.Replicates(tuple(areas), scores, pooled)}
    outcomes = pd.DataFrame({"area_id": areas, "outcome": 1, "score": y,
                             "lower": y - 0.06, "upper": y + 0.06})
    table, _ = cmp.comparisons(outcomes.iloc[0:0].assign(question="q", k=0, n=0),
                               outcomes, pd.Series({1: float(y.mean())}), reps)
    row = table.set_index("area_id")
    assert (row["borderline"] == (row["margin"].abs() < 3 * row["margin_mc_se"])).all()
    assert (row["margin_mc_se"] > 0).all()


def test_an_area_without_the_outcomes_questions_is_left_out_of_its_comparison() -> None:
    """No question of an outcome applied in one area (no score, no replicates): the others
    are decided as without it, and it has no figures, not an error."""
    rng = np.random.default_rng(17)
    areas = [f"a{i}" for i in range(12)]
    y = 0.78 + rng.normal(0, 0.08, 12)
    y[11] = np.nan
    scores = y[:11, None] + 0.03 * rng.standard_normal((11, 500))
    scores[3, :5] = np.nan            # a few resamples of one area where nothing applied
    reps = {1: cmp.Replicates(tuple(areas[:11]), scores, np.full(500, np.nanmean(y)))}
    outcomes = pd.DataFrame({"area_id": areas, "outcome": 1, "score": y,
                             "lower": y - 0.06, "upper": y + 0.06})
    no_questions = outcomes.iloc[0:0].assign(question="q", k=0, n=0)
    table, disp = cmp.comparisons(no_questions, outcomes, pd.Series({1: float(np.nanmean(y))}),
                                  reps)
    rows = table.set_index("area_id")
    assert rows.loc["a11", ["p_value", "gap_lower", "margin_mc_se"]].isna().all()
    assert rows.loc["a11", "decision"] == "within"
    assert rows.drop("a11")[["p_value", "gap_lower", "margin_mc_se"]].notna().all().all()
    assert disp.iloc[0]["n_areas"] == 11


def test_scores_with_no_spread_at_all_are_not_flagged() -> None:
    """Every resample alike and no spread between areas: nothing to judge by, no flag."""
    y = np.array([[1.0, 1.0, 1.0, 0.9]])
    d = cmp.decide_outcomes(y, np.zeros_like(y), [1.0])
    assert (d.decision == "within").all()


def test_largest_gaps_are_those_clear_of_zero_largest_first_each_side_once() -> None:
    rows = pd.DataFrame({
        "measure": ["a", "b", "c", "d", "e", "f", "a"],
        "gap": [-0.30, -0.10, -0.20, 0.25, 0.05, -0.40, -0.30],
        "gap_lower": [-0.40, -0.20, -0.30, 0.10, -0.02, -0.50, -0.40],
        "gap_upper": [-0.20, -0.01, 0.02, 0.35, 0.10, -0.30, -0.20]})
    below, above = cmp.largest_gaps(rows, count=2)
    # c's interval reaches zero and e's too: neither is listed, whatever its size
    assert list(below["measure"]) == ["f", "a"]
    assert list(above["measure"]) == ["d"]
    below_all, _ = cmp.largest_gaps(rows, count=5)
    assert list(below_all["measure"]) == ["f", "a", "b"]  # a once, though it feeds two outcomes
