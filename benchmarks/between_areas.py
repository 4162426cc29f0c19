"""Simulation evidence for the between-area comparisons, printed from one run.

Run with ``.venv/bin/python benchmarks/between_areas.py`` (about three minutes; not part of
``make test``, whose tests run small versions of each part). Everything is simulated from the
model fitted to the bundled areas (their n's, their fitted all-areas figures and spreads),
through the package's own deciding functions:

1. questions: false flags per area and question when no area differs beyond the fitted
   spread, at 95% and 99.8%, against the stated chance; the same with rho fitted without
   Winsorising; and how often one area made worse by 20-40 points is flagged (why the fit is
   Winsorised);
2. the flag's error rate across an area's key questions, 99.8% limits against
   Benjamini-Hochberg at 5%, with none, one, three or ten of them really 30 points worse
   (why 99.8% limits);
3. outcomes: the same for outcome scores (normal model, each area's bootstrap variance);
4. coverage of the gap intervals: questions (areas' true shares drawn from the fitted model,
   cases binomial) and outcomes (each area's cases resampled as a population, the build's
   bootstrap inside);
5. groups: every six/six split of the bundled areas and of areas simulated from the fitted
   model, the share of measures marked clear, and the two blocks;
6. the bootstrap's Monte Carlo error: the outcome decisions' margins against their errors.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests

from analysis.core import paths
from analysis.method import between_areas as model
from analysis.method import crossarea, positions
from analysis.method import group_figures as gr
from analysis.method.bank import load_bank
from analysis.method.catalogue import load_areas
from analysis.method.scoring import answer_matrices, combine, outcome_groups, score_area
from analysis.method.validation import load_cases


def bundled() -> tuple[dict[str, dict[str, pd.DataFrame]], dict[str, tuple], pd.DataFrame]:
    """Every bundled area scored (the build's tables), their answer matrices and areas.csv."""
    data = paths.data_dir("")
    bank = load_bank()
    areas = load_areas(data)
    cases = load_cases([a.cases for a in areas], bank)
    qids = [q.id for q in bank.scoring_questions()]
    tables, matrices = {}, {}
    for a in areas:
        frame = cases.area(a.id).sort_values("case_id", kind="mergesort")
        tables[a.id] = score_area(frame, bank, a.id).as_dict()
        matrices[a.id] = answer_matrices(frame.reset_index(drop=True), bank, qids)
    catalogue = pd.DataFrame({"area_id": [a.id for a in areas],
                              "group": [a.groups[0].id if a.groups else "" for a in areas]})
    return tables, matrices, catalogue


def question_matrix(cross: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame,
                                                              pd.DataFrame]:
    """k and n (questions by areas) and the dispersion rows of the questions."""
    q = cross["question_scores"].drop_duplicates(["area_id", "question"])
    k = q.pivot(index="question", columns="area_id", values="k").fillna(0)
    n = q.pivot(index="question", columns="area_id", values="n").fillna(0)
    disp = cross["dispersion"]
    disp = disp[disp["kind"] == "question"].set_index("measure")
    return k, n, disp


def draw_counts(rng: np.random.Generator, n: np.ndarray, p0: float, rho: float, reps: int,
                moved: int | None = None, delta: float = 0.0) -> np.ndarray:
    """Counts of ``reps`` data sets: true shares from the fitted beta (one area moved down
    by ``delta`` if ``moved`` is given), cases binomial."""
    if rho > 0:
        a, b = p0 * (1 - rho) / rho, (1 - p0) * (1 - rho) / rho
        theta = rng.beta(a, b, size=(reps, n.size))
    else:
        theta = np.full((reps, n.size), p0)
    if moved is not None:
        theta[:, moved] = np.clip(p0 - delta, 0.01, 0.99)
    return rng.binomial(n.astype(int), theta).astype(float)


def part_questions(k: pd.DataFrame, n: pd.DataFrame, disp: pd.DataFrame, key: list[str],
                   target: str, reps: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Part 1: per-point false flags (every question; the plain fit on the key questions) and
    how often one area moved down is flagged (``target`` on each key question, half the data
    sets); returns each key question's null p-values and those with the area moved 30 points
    (for part 2)."""
    rows, keep = [], {}
    for qid in k.index:
        on = n.loc[qid].to_numpy() > 0
        nn = n.loc[qid].to_numpy(dtype=float)[on]
        p0, rho = float(disp.loc[qid, "pooled"]), float(disp.loc[qid, "rho"])
        null = draw_counts(rng, nn, p0, rho, reps)
        for winsor in (model.WINSOR, 0.0) if qid in key else (model.WINSOR,):
            d = positions.decide_questions(null, nn, winsor)
            rows.append({"question": qid, "winsor": winsor, "delta": 0.0,
                         "rate_998": float((d.decision != "within").mean()),
                         "rate_95": float((d.beyond_95 != "within").mean()),
                         "max_998": float((d.decision != "within").mean(axis=0).max()),
                         "max_95": float((d.beyond_95 != "within").mean(axis=0).max()),
                         "stated_998": float(model.beyond_chance(
                             p0, rho, nn, (1 - positions.LEVEL) / 2).mean()),
                         "stated_95": float(model.beyond_chance(
                             p0, rho, nn, (1 - positions.INNER) / 2).mean())})
            if winsor and qid in key:
                keep[qid] = d.p_value
        if qid not in key or target not in set(n.columns[on]):
            continue
        big = list(n.columns[on]).index(target)
        for delta in (0.2, 0.3, 0.4):
            moved = draw_counts(rng, nn, p0, rho, reps, big, delta)
            for winsor in (model.WINSOR, 0.0):
                d = positions.decide_questions(moved[: reps // 2 if winsor == 0 else reps], nn,
                                               winsor)
                rows.append({"question": qid, "winsor": winsor, "delta": delta,
                             "rate_998": float((d.decision[:, big] != "within").mean()),
                             "rate_95": float((d.beyond_95[:, big] != "within").mean())})
                if winsor and delta == 0.3:
                    keep[f"{qid}:moved"] = d.p_value
    frame = pd.DataFrame(rows)
    print("\n1. Questions: false flags with no area different beyond the fitted spread "
          f"({reps} data sets per question, bundled n's)")
    null = frame[frame["delta"] == 0]
    for winsor, sub in null.groupby("winsor", sort=False):
        label = (f"Winsorised fit (used), all {len(sub)} questions" if winsor
                 else f"plain ML fit, the {len(sub)} key questions")
        print(f"   {label}: per point 95%: {sub['rate_95'].mean():.4f} (stated "
              f"{sub['stated_95'].mean():.4f}; worst point {sub['max_95'].max():.3f});  "
              f"99.8%: {sub['rate_998'].mean():.5f} (stated {sub['stated_998'].mean():.5f}; "
              f"worst point {sub['max_998'].max():.4f})")
    both = null[null["question"].isin(key)]
    for winsor, sub in both.groupby("winsor", sort=False):
        label = "Winsorised, key questions" if winsor else "plain ML, key questions  "
        print(f"   {label}: per point 95%: {sub['rate_95'].mean():.4f}, 99.8%: "
              f"{sub['rate_998'].mean():.5f} (stated {sub['stated_95'].mean():.4f}, "
              f"{sub['stated_998'].mean():.5f})")
    print(f"   One area ({target}) moved down on a key question: share of data sets in which "
          "it is flagged")
    for (delta, winsor), sub in frame[frame["delta"] > 0].groupby(["delta", "winsor"]):
        label = "Winsorised" if winsor else "plain ML  "
        print(f"   {int(100 * delta)} points, {label}: 95% {sub['rate_95'].mean():.3f}, "
              f"99.8% {sub['rate_998'].mean():.3f}")
    return keep


def part_multiplicity(k: pd.DataFrame, n: pd.DataFrame, key: list[str], target: str,
                      p_values: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Part 2: an area's key questions as one family, 99.8% limits against BH at 5%."""
    areas = list(k.columns)
    reps = next(iter(p_values.values())).shape[0]
    print(f"\n2. The flag across an area's {len(key)} key questions ({reps} data sets)")
    null_any = {"99.8% limits": [], "BH 5%": []}
    null_mean = {"99.8% limits": [], "BH 5%": []}
    for area in areas:
        cols = [(q, int(np.flatnonzero(n.loc[q].to_numpy() > 0).tolist().index(
            areas.index(area)))) for q in key if n.loc[q, area] > 0]
        p = np.column_stack([p_values[q][:, j] for q, j in cols])
        limits = p < 1 - positions.LEVEL
        bh = np.array([multipletests(row, 0.05, "fdr_bh")[0] for row in p])
        for name, flags in (("99.8% limits", limits), ("BH 5%", bh)):
            null_any[name].append(flags.any(axis=1).mean())
            null_mean[name].append(flags.sum(axis=1).mean())
    for name in null_any:
        print(f"   none different, {name}: P(at least one false key flag in an area) "
              f"{np.mean(null_any[name]):.4f} (worst area {np.max(null_any[name]):.4f}); "
              f"false key flags per area {np.mean(null_mean[name]):.4f}")
    idx = {q: int(np.flatnonzero(n.loc[q].to_numpy() > 0).tolist().index(areas.index(target)))
           for q in key if n.loc[q, target] > 0}
    qs = list(idx)
    for moved in (1, 3, 10):
        found = {"99.8% limits": [], "BH 5%": []}
        false = {"99.8% limits": [], "BH 5%": []}
        for r in range(reps):
            chosen = set(rng.choice(len(qs), moved, replace=False).tolist())
            p = np.array([p_values[f"{q}:moved" if i in chosen else q][r, idx[q]]
                          for i, q in enumerate(qs)])
            truth = np.array([i in chosen for i in range(len(qs))])
            for name, flags in (("99.8% limits", p < 1 - positions.LEVEL),
                                ("BH 5%", multipletests(p, 0.05, "fdr_bh")[0])):
                found[name].append(flags[truth].mean())
                false[name].append(flags[~truth].sum())
        print(f"   {moved:2d} key question(s) of {target} 30 points worse: "
              + "; ".join(f"{name} finds {np.mean(found[name]):.3f} of them "
                          f"({np.mean(false[name]):.3f} false flags)" for name in found))


def part_outcomes(cross: dict[str, pd.DataFrame], replicates: dict[int, positions.Replicates],
                  reps: int, rng: np.random.Generator) -> None:
    """Part 3: outcome scores, normal model with each area's bootstrap variance."""
    disp = cross["dispersion"]
    disp = disp[disp["kind"] == "outcome"].set_index("measure")
    n_cases = cross["outcome_scores"].drop_duplicates("area_id").set_index("area_id")[
        "n_cases"]
    print(f"\n3. Outcomes ({reps} data sets per outcome)")
    rates = {"null": [], 0.15: [], 0.25: []}
    stated = []
    for outcome, reps_o in replicates.items():
        v = reps_o.scores.var(axis=1, ddof=1)
        w = n_cases.loc[list(reps_o.areas)].to_numpy(dtype=float)
        w = w / w.sum()
        centre = float(disp.loc[str(outcome), "pooled"])
        tau2 = float(disp.loc[str(outcome), "tau2"])
        for delta in (None, 0.15, 0.25):
            theta = centre + rng.normal(0, np.sqrt(tau2), (reps, v.size))
            if delta is not None:
                theta[:, 0] = centre - delta
            y = theta + rng.normal(0, np.sqrt(v), (reps, v.size))
            d = positions.decide_outcomes(y, np.broadcast_to(v, y.shape), y @ w)
            flagged = d.decision != "within"
            rates["null" if delta is None else delta].append(
                flagged.mean() if delta is None else flagged[:, 0].mean())
            if delta is None:
                rates.setdefault("null95", []).append((d.beyond_95 != "within").mean())
        stated.append(1 - positions.LEVEL)
    print(f"   none different: per area 95% {np.mean(rates['null95']):.4f} (stated 0.05), "
          f"99.8% {np.mean(rates['null']):.5f} (stated {np.mean(stated):.3f})")
    for delta in (0.15, 0.25):
        print(f"   one area {int(100 * delta)} points worse: flagged at 99.8% in "
              f"{np.mean(rates[delta]):.3f}")


def part_coverage(k: pd.DataFrame, n: pd.DataFrame, disp: pd.DataFrame,
                  matrices: dict[str, tuple], reps: int, outer: int,
                  rng: np.random.Generator) -> None:
    """Part 4: coverage of the gap intervals, questions and outcomes."""
    covered, total = [], []
    for qid in k.index:
        on = n.loc[qid].to_numpy() > 0
        nn = n.loc[qid].to_numpy(dtype=float)[on]
        if on.sum() < 2:
            continue
        p0, rho = float(disp.loc[qid, "pooled"]), float(disp.loc[qid, "rho"])
        hit = np.zeros(nn.size)
        for _ in range(reps):
            theta = (rng.beta(p0 * (1 - rho) / rho, (1 - p0) * (1 - rho) / rho, nn.size)
                     if rho > 0 else np.full(nn.size, p0))
            kk = rng.binomial(nn.astype(int), theta).astype(float)
            lo, hi = positions.gap_interval(kk, nn)
            truth = theta - (nn * theta).sum() / nn.sum()
            hit += (lo <= truth) & (truth <= hi)
        covered.append(hit)
        total.append(np.full(nn.size, reps))
    rate = np.concatenate(covered) / np.concatenate(total)
    print(f"\n4. Coverage of the 95% gap intervals\n   questions ({reps} data sets per "
          f"question, true shares drawn each time): {rate.mean():.4f} overall; points from "
          f"{np.quantile(rate, 0.05):.3f} (5th percentile) to {np.quantile(rate, 0.95):.3f}")
    bank = load_bank()
    areas = list(matrices)
    pop = {a: matrices[a] for a in areas}
    groups = {a: outcome_groups(bank, pop[a][0].sum(axis=0)) for a in areas}
    truth_scores = {a: {o: float(combine(pop[a][1].sum(0)[None], pop[a][0].sum(0)[None], g,
                                         "questions")[0]) for o, g in groups[a].items()}
                    for a in areas}
    k_all = sum(pop[a][1].sum(0) for a in areas)
    n_all = sum(pop[a][0].sum(0) for a in areas)
    outcomes = sorted(groups[areas[0]])
    every_cols = {o: [j for g in outcome_groups(bank, n_all)[o] for j in g] for o in outcomes}
    truth_pooled = {o: float(np.mean(k_all[c] / n_all[c])) for o, c in every_cols.items()}
    resamples = 500
    hits = np.zeros((len(areas), len(outcomes)))
    for _ in range(outer):
        ks, ns, ys, point = {}, {}, {}, {}
        for a in areas:
            app, suff = pop[a]
            draw = rng.integers(0, len(app), len(app))
            app_s, suff_s = app[draw], suff[draw]
            w = rng.multinomial(len(app), np.full(len(app), 1 / len(app)), size=resamples)
            ks[a], ns[a] = w @ suff_s, w @ app_s
            ys[a] = {o: combine(ks[a], ns[a], g, "questions") for o, g in groups[a].items()}
            point[a] = {o: float(combine(suff_s.sum(0)[None], app_s.sum(0)[None], g,
                                         "questions")[0]) for o, g in groups[a].items()}
            point[a]["k"], point[a]["n"] = suff_s.sum(0), app_s.sum(0)
        kb, nb = sum(ks.values()), sum(ns.values())
        k_pt = sum(point[a]["k"] for a in areas)
        n_pt = sum(point[a]["n"] for a in areas)
        for j, o in enumerate(outcomes):
            cols = every_cols[o]
            with np.errstate(invalid="ignore", divide="ignore"):
                pooled_b = np.nanmean(kb[:, cols] / nb[:, cols], axis=1)
            for i, a in enumerate(areas):
                lo, hi = np.nanpercentile(ys[a][o] - pooled_b, [2.5, 97.5])
                truth = truth_scores[a][o] - truth_pooled[o]
                hits[i, j] += lo <= truth <= hi
        del k_pt, n_pt
    cover = hits / outer
    print(f"   outcomes ({outer} samples of each area's cases, {resamples} resamples each): "
          f"{cover.mean():.4f} overall; areas x outcomes from {cover.min():.3f} to "
          f"{cover.max():.3f}")


def part_groups(cross: dict[str, pd.DataFrame], catalogue: pd.DataFrame,
                disp: pd.DataFrame, rng: np.random.Generator) -> None:
    """Part 5: every six/six split of the areas, bundled and simulated."""
    questions = cross["question_scores"]
    areas = list(catalogue["area_id"])
    k_all, n_all = gr._matrices(questions, areas)
    measures = [list(s["question"].unique()) for _, s in
                questions.drop_duplicates(["outcome", "question"]).groupby("outcome")]
    measures += [[q] for q in k_all.columns]

    def rates(k_frame: pd.DataFrame, n_frame: pd.DataFrame) -> np.ndarray:
        clear = []
        for cols in measures:
            stat = gr.split_statistics(k_frame[cols].to_numpy(), n_frame[cols].to_numpy(),
                                       len(areas) // 2)
            clear.append(gr.split_p_values(stat) < gr.ALPHA)
        return np.mean(clear, axis=0)

    labels, _ = gr.labellings(len(areas), len(areas) // 2)
    observed = rates(k_all, n_all)
    blocks = (catalogue["group"] == catalogue["group"].iloc[0]).to_numpy()
    b = int(np.flatnonzero((labels == blocks).all(axis=1))[0])
    level = (k_all / n_all.replace(0, np.nan)).mean(axis=1).to_numpy()
    gap = np.abs(labels @ level / labels.sum(1) - (~labels) @ level / (~labels).sum(1))
    print(f"\n5. Groups: every six/six split of the 12 areas ({labels.shape[0] // 2} splits, "
          f"{len(measures)} measures)")
    print(f"   bundled areas: clear on average {observed.mean():.4f} of measures; median "
          f"split {np.median(observed):.4f}, 90th percentile {np.quantile(observed, 0.9):.4f}, "
          f"largest {observed.max():.4f}; splits above 10%: {(observed > 0.10).mean():.3f}; "
          f"the blocks {observed[b]:.4f}")
    print(f"   correlation between a split's share clear and how far it separates the areas' "
          f"general level (mean share over questions): {np.corrcoef(observed, gap)[0, 1]:.3f}")
    k_sim, n_sim = k_all.copy(), n_all.copy()
    for qid in k_all.columns:
        nn = n_all[qid].to_numpy(dtype=float)
        p0, rho = float(disp.loc[qid, "pooled"]), float(disp.loc[qid, "rho"])
        k_sim[qid] = draw_counts(rng, nn, p0, rho, 1)[0]
    simulated = rates(k_sim, n_sim)
    print(f"   areas simulated from the fitted model (no general level shared across "
          f"questions): average {simulated.mean():.4f}, largest split {simulated.max():.4f}, "
          f"splits above 10%: {(simulated > 0.10).mean():.3f}")


def part_monte_carlo(cross: dict[str, pd.DataFrame]) -> None:
    """Part 6: how far each outcome decision is from changing, in Monte Carlo errors."""
    rows = cross["comparisons"]
    o = rows[rows["kind"] == "outcome"]
    ratio = (o["margin"].abs() / o["margin_mc_se"]).to_numpy()
    print(f"\n6. Outcome decisions: |margin| / Monte Carlo s.e. from {ratio.min():.0f} to "
          f"{ratio.max():.0f} (borderline below {positions.BORDERLINE_SE:.0f}); "
          f"s.e. from {o['margin_mc_se'].min():.5f} to {o['margin_mc_se'].max():.5f}; "
          f"borderline decisions: {int(o['borderline'].sum())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=600)
    parser.add_argument("--outer", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--parts", type=int, nargs="+", default=[1, 2, 3, 4, 5, 6],
                        help="which parts to run (2 needs 1)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    start = time.perf_counter()
    tables, matrices, catalogue = bundled()
    cross = crossarea.comparison_tables(tables)
    questions = cross["question_scores"]
    replicates = crossarea.outcome_replicates(tables, questions, cross["outcome_scores"])
    k, n, disp = question_matrix(cross)
    rows = cross["comparisons"]
    print(f"Bundled areas: {rows['decision'].ne('within').sum()} flags at 99.8% and "
          f"{rows['beyond_95'].ne('within').sum()} beyond 95% of {len(rows)} comparisons; "
          f"rho = 0 for {(disp['rho'] == 0).sum()} of {len(disp)} questions; median spread "
          f"between areas {disp['spread'].median():.3f}")
    key = sorted(set(questions.loc[questions["key"], "question"]))
    target = str(n.loc[key].sum(axis=0).idxmax())
    steps = {1: "questions", 3: "outcomes", 4: "coverage", 5: "groups", 6: "Monte Carlo"}
    for part in sorted(set(args.parts) & set(steps)):
        if part == 1:
            p_values = part_questions(k, n, disp, key, target, args.reps, rng)
            if 2 in args.parts:
                part_multiplicity(k, n, key, target, p_values, rng)
        elif part == 3:
            part_outcomes(cross, replicates or {}, args.reps, rng)
        elif part == 4:
            part_coverage(k, n, disp, matrices, max(args.reps // 5, 50), args.outer, rng)
        elif part == 5:
            part_groups(cross, catalogue, disp, rng)
        else:
            part_monte_carlo(cross)
        print(f"   ({steps[part]}: {time.perf_counter() - start:.0f} s so far)")
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
