"""The scanner finds each way of reading a hidden count back, and passes a clean release."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.pipeline import scanner as S

T = 5
NAMES = S.Labels({("ethnicity", "white"): "White", ("ethnicity", "other"): "Other",
                  ("ethnicity", "unknown"): "Not recorded"}, {})


def secrets() -> list[S.Secret]:
    q = pd.DataFrame({"question": ["q1"], "label": ["Plan reviewed well"], "n": [25], "k": [24]})
    d = pd.DataFrame({"variable": ["ethnicity"] * 3, "level": ["white", "other", "unknown"],
                      "count": [83, 3, 1], "n": [87] * 3})
    empty_x = pd.DataFrame(columns=["row_field", "row_level", "col_field", "col_level", "count",
                                    "n"])
    f = pd.DataFrame(columns=["factor", "label", "identified", "interventions_k",
                              "interventions_n", "progress_k", "progress_n"])
    return S.area_secrets({"question_scores": q, "distributions": d, "crosstab": empty_x,
                           "factors": f}, NAMES, T)


def run(tmp_path: Path, html: str) -> list[S.Finding]:
    (tmp_path / "a").mkdir(exist_ok=True)
    (tmp_path / "a" / "report.html").write_text(html, encoding="utf-8")
    return S.scan_files([tmp_path / "a" / "report.html"], tmp_path, {"a": secrets()}, {}, T)


def table(caption: str, rows: list[list[str]]) -> str:
    body = "".join("<tr><th>" + r[0] + "</th>" + "".join(f"<td>{c}</td>" for c in r[1:])
                   + "</tr>" for r in rows)
    return f"<table><caption>{caption}</caption><tbody>{body}</tbody></table>"


def test_clean_release_has_no_finding(tmp_path: Path):
    html = (table("Questions", [["Plan reviewed well", "25", "[c]", "[c]"]])
            + table("Race (denominator: 87 cases)", [["White", "[c]"], ["Other", "[c]"],
                                                     ["Not recorded", "[c]"]])
            + "<p>Plans were reviewed well in [c] of 25 cases.</p>")
    assert run(tmp_path, html) == []


def test_complement_beside_label(tmp_path: Path):
    found = run(tmp_path, table("Questions", [["Plan reviewed well", "25", "24", "[c]"]]))
    assert [f.rule for f in found] == ["complement"]
    assert "row 1 'Plan reviewed well'" in found[0].place


def test_share_with_denominator(tmp_path: Path):
    found = run(tmp_path, table("Questions", [["Plan reviewed well", "25", "[c]", "96%"]]))
    assert [f.rule for f in found] == ["share with its denominator"]


def test_k_of_n_phrase(tmp_path: Path):
    found = run(tmp_path, "<p>Restorative justice proceeded in 0 of 3 where offered.</p>")
    assert [f.rule for f in found] == ["k of n"]


def test_total_less_cells(tmp_path: Path):
    found = run(tmp_path, table("Race (denominator: 87 cases)",
                                [["White", "[c]"], ["Other", "[c]"], ["Not recorded", "[c]"],
                                 ["Mixed", "84"]]))
    assert {f.rule for f in found} == {"total less the cells shown"}


def test_alt_text_item(tmp_path: Path):
    html = '<figure><img src="x" alt="Race. Bar chart. White: 83 of 87 (95%); Other: 3 of 87">'
    assert "k of n" in {f.rule for f in run(tmp_path, html)}


def test_csv_row(tmp_path: Path):
    (tmp_path / "a").mkdir()
    path = tmp_path / "a" / "question_scores.csv"
    path.write_text("outcome,question,label,n,k\n1,q1,Plan reviewed well,25,24\n"
                    "1,q1,Plan reviewed well,25,[c]\n", encoding="utf-8")
    found = S.scan_files([path], tmp_path, {"a": secrets()}, {}, T)
    assert [(f.rule, f.place) for f in found] == [("complement", "row 2")]


def test_parquet_level_rows(tmp_path: Path):
    (tmp_path / "a").mkdir()
    path = tmp_path / "a" / "distributions.parquet"
    pd.DataFrame({"variable": ["ethnicity", "sex"], "level": ["other", "other"],
                  "count": ["[c]", "3"], "n": ["87", "87"]}).to_parquet(path)
    found = S.scan_files([path], tmp_path, {"a": secrets()}, {}, T)
    assert found == []  # the 3 is another variable's: a level alone names nothing
    pd.DataFrame({"variable": ["ethnicity"], "level": ["other"], "count": ["3"],
                  "n": ["87"]}).to_parquet(path)
    assert [f.rule for f in S.scan_files([path], tmp_path, {"a": secrets()}, {}, T)] == [
        "beside its label"]


def test_pooled_total_less_areas(tmp_path: Path):
    q = {a: pd.DataFrame({"question": ["q1"], "label": ["Plan reviewed well"], "n": [n],
                          "k": [k]}) for a, k, n in (("a", 24, 25), ("b", 30, 40))}
    shown = table("Areas", [["Plan reviewed well", "40", "30", "75%"]])
    pooled = table("Pooled", [["Plan reviewed well", "65", "54", "83%"]])
    for folder, html in (("a", table("Q", [["Plan reviewed well", "25", "[c]", "[c]"]])),
                         ("b", shown)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.html").write_text(html, encoding="utf-8")
    (tmp_path / "aggregate").mkdir()
    (tmp_path / "aggregate" / "report.html").write_text(pooled, encoding="utf-8")
    files = sorted(tmp_path.rglob("*.html"))
    found = S.scan_files(files, tmp_path, {"a": [], "b": []}, {}, T, q)
    assert [f.rule for f in found] == ["all-areas total less the areas shown"]
    assert found[0].file == "aggregate/report.html"


def test_pdf_text(tmp_path: Path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure()
    fig.text(0.1, 0.5, "It proceeded in 0 of 3 where offered.")
    fig.text(0.1, 0.1, "Page 3 of 49Data: synthetic")  # a printed page's number and label
    (tmp_path / "a").mkdir()
    fig.savefig(tmp_path / "a" / "report.pdf", format="pdf")
    found = S.scan_files([tmp_path / "a" / "report.pdf"], tmp_path, {"a": []}, {}, T)
    assert [f.rule for f in found] == ["k of n"] and found[0].place.startswith("page 1")
