"""Benchmark the build against plain papermill, in one run on one machine.

Run with ``make benchmark`` (or ``.venv/bin/python benchmarks/build_benchmark.py``); it is not
part of ``make test``. Every variant builds the same bundled areas into its own temporary folder:

1. naive: a serial shell loop of the ``papermill`` command per area and notebook (after writing
   the tables), then ``python -m analysis stitch`` per area as a separate command;
2. pool: ``papermill.execute_notebook`` in a 2-process pool, a fresh kernel per notebook, then
   the same stitching;
3. this package, cold (empty outputs);
4. this package, no-op rebuild;
5. this package after changing one area's data file.

It prints wall times, the ratios and the targets, and the floor: the time the notebooks' own
cells took (from the cold build's manifest). ``--scale N`` also generates N synthetic areas and
builds them, printing wall time and the build's peak memory beside a 12-area build's.

The aggregate report is measured at 12 areas and at the scale size: its notebook's time, its
HTML size and its tallest chart, against the budgets (at most 3 MB and 800 pt at 200 areas; time
at most linear in the areas). ``--aggregate-only N`` measures just that, fast: it generates N
areas, writes their tables (no area notebook) and runs the aggregate notebook on them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
sys.path.insert(0, str(ROOT))

from analysis.report.registry import AREA_NOTEBOOKS  # noqa: E402

PAPERMILL = str(Path(PY).with_name("papermill"))


def run(cmd: list[str], **kw: object) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   cwd=ROOT, **kw)  # type: ignore[call-overload]
    return time.perf_counter() - start


def areas(data: Path) -> list[str]:
    lines = (data / "areas.csv").read_text().splitlines()[1:]
    return [line.split(",")[0] for line in lines if line]


def naive(data: Path, out: Path) -> float:
    start = time.perf_counter()
    run([PY, "-m", "analysis", "build", "--tables-only", "--data", str(data), "--output",
         str(out), "--quiet"])
    loop = []
    for area in areas(data):
        for nb in AREA_NOTEBOOKS:
            target = out / area / "notebooks" / f"{nb}.ipynb"
            loop.append(f"{PAPERMILL} {ROOT}/notebooks/{nb}.ipynb {target} -k iaow-analysis "
                        f"-p area_id {area} -p data_dir {data} -p output_dir {out} "
                        f"--no-progress-bar")
    for area in areas(data):
        (out / area / "notebooks").mkdir(parents=True, exist_ok=True)
    subprocess.run(["bash", "-c", "set -e\n" + "\n".join(loop)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    for area in areas(data):
        run([PY, "-m", "analysis", "stitch", area, "--data", str(data), "--output", str(out)])
    return time.perf_counter() - start


def _pool_task(args: tuple[str, str, str, str]) -> None:
    """One notebook, fresh kernel; retried when its kernel dies at start (papermill #511:
    two processes picking the same free TCP port), as anyone running this by hand must."""
    import papermill as pm

    nb, area, data, out = args
    for attempt in range(3):
        try:
            pm.execute_notebook(f"{ROOT}/notebooks/{nb}.ipynb",
                                f"{out}/{area}/notebooks/{nb}.ipynb",
                                kernel_name="iaow-analysis",
                                parameters={"area_id": area, "data_dir": data, "output_dir": out},
                                progress_bar=False)
            return
        except RuntimeError as exc:
            if "died" not in str(exc) or attempt == 2:
                raise


def pool(data: Path, out: Path) -> float:
    start = time.perf_counter()
    run([PY, "-m", "analysis", "build", "--tables-only", "--data", str(data), "--output",
         str(out), "--quiet"])
    jobs = [(nb, a, str(data), str(out)) for a in areas(data) for nb in AREA_NOTEBOOKS]
    for area in areas(data):
        (out / area / "notebooks").mkdir(parents=True, exist_ok=True)
    with Pool(2) as p:
        p.map(_pool_task, jobs)
    for area in areas(data):
        run([PY, "-m", "analysis", "stitch", area, "--data", str(data), "--output", str(out)])
    return time.perf_counter() - start


def package(data: Path, out: Path, *extra: str) -> tuple[float, int]:
    """Wall time and the build process's peak resident memory (KiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen([PY, "-m", "analysis", "build", "--data", str(data), "--output",
                             str(out), "--quiet", *extra], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise RuntimeError(f"build failed with status {status}")
    return time.perf_counter() - start, usage.ru_maxrss


#: The aggregate report's budgets at 200 areas (issue 32).
AGGREGATE_MB = 3.0
CHART_PT = 800.0


def tallest_chart(html: str) -> float:
    """The tallest chart of a report page, in points (its SVGs' heights)."""
    import base64
    import re

    heights = [0.0]
    for data in re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html):
        head = base64.b64decode(data)[:1500].decode("utf-8", "replace")
        found = re.search(r'<svg[^>]*\sheight="([\d.]+)pt"', head)
        if found:
            heights.append(float(found.group(1)))
    return max(heights)


def aggregate_report(data: Path, out: Path, group: str = "") -> tuple[float, Path]:
    """Run the aggregate notebook (papermill, its own kernel) on a build's tables and stitch
    its page; returns the notebook's wall time and the page."""
    import papermill as pm

    from analysis.pipeline import stitch
    from analysis.pipeline.jobs import Page, Provenance

    folder = out / (f"groups/{group}" if group else "aggregate")
    (folder / "notebooks").mkdir(parents=True, exist_ok=True)
    target = folder / "notebooks" / "aggregate.ipynb"
    start = time.perf_counter()
    pm.execute_notebook(f"{ROOT}/notebooks/aggregate.ipynb", str(target),
                        kernel_name="iaow-analysis", progress_bar=False,
                        parameters={"data_dir": str(data), "output_dir": str(out),
                                    "group": group})
    seconds = time.perf_counter() - start
    import nbformat

    chapter = stitch.chapter_html(nbformat.read(target, as_version=4), 0, "Aggregate")
    page = Page("Aggregate", "", "synthetic", Provenance("synthetic", "benchmark", {}, {}, {}))
    (folder / "report.html").write_text(stitch.report_page([chapter], page, "../index.html"),
                                        encoding="utf-8")
    return seconds, folder / "report.html"


def aggregate_line(what: str, seconds: float, report: Path, areas: int) -> str:
    html = report.read_text(encoding="utf-8")
    size = len(html.encode("utf-8")) / 1e6
    tall = tallest_chart(html)
    met = size <= AGGREGATE_MB and tall <= CHART_PT
    return (f"aggregate at {areas} areas ({what}): notebook {seconds:.1f} s "
            f"({seconds / areas:.2f} s an area), HTML {size:.2f} MB, tallest chart "
            f"{tall:.0f} pt (budgets {AGGREGATE_MB} MB, {CHART_PT:.0f} pt: "
            f"{'met' if met else 'NOT met'})")


def aggregate_only(n_areas: int, tmp: Path) -> None:
    """Generate ``n_areas`` areas, write their tables and measure the aggregate alone."""
    data = tmp / f"data{n_areas}"
    data.mkdir()
    run([PY, "-m", "analysis", "generate", "--data", str(data), "--areas", str(n_areas)])
    out = tmp / f"out{n_areas}"
    run([PY, "-m", "analysis", "build", "--tables-only", "--data", str(data), "--output",
         str(out), "--quiet"])
    seconds, report = aggregate_report(data, out)
    print(aggregate_line("tables only", seconds, report, len(areas(data))), flush=True)


def compare_outputs(fresh: Path, warm: Path, area_ids: list[str]) -> tuple[int, int]:
    """Normalised outputs of every area notebook: fresh kernels (pool) against warm ones."""
    from analysis.pipeline.notebooks import normalise_notebook

    same = total = 0
    for area in area_ids:
        for nb in AREA_NOTEBOOKS:
            a = normalise_notebook((fresh / area / "notebooks" / f"{nb}.ipynb").read_text())
            b = normalise_notebook((warm / area / "notebooks" / f"{nb}.ipynb").read_text())
            outs = [[c.get("outputs") for c in x.cells if c.cell_type == "code"] for x in (a, b)]
            same += outs[0] == outs[1]
            total += 1
    return same, total


def change_one_area(data: Path) -> str:
    """Flip one answer in the first synthetic area's case file (a valid edit)."""
    area = areas(data)[1]
    path = data / "cases" / f"{area}.csv"
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("case_recording")
    row = lines[1].split(",")
    row[col] = "no" if row[col] == "yes" else "yes"
    lines[1] = ",".join(row)
    path.write_text("\n".join(lines) + "\n")
    return area


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-baselines", action="store_true",
                        help="skip naive and pool (the slow part)")
    parser.add_argument("--scale", type=int, default=0, metavar="N",
                        help="also build N generated synthetic areas (e.g. 200)")
    parser.add_argument("--aggregate-only", type=int, nargs="*", default=None, metavar="N",
                        help="only measure the aggregate report (notebook time, HTML size, "
                        "tallest chart) at the bundled areas and at N generated areas each")
    args = parser.parse_args()
    from analysis.pipeline.engine import ensure_kernelspec

    ensure_kernelspec()
    tmp = Path(tempfile.mkdtemp(prefix="iaow-bench-"))
    if args.aggregate_only is not None:
        for n in [11, *args.aggregate_only]:  # 11 synthetic areas + Durham: the bundled 12
            aggregate_only(n, tmp)
        print(f"\n(outputs left in {tmp})")
        return 0
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data)
    n_areas = len(areas(data))
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; {n_areas} areas x {len(AREA_NOTEBOOKS)} notebooks "
          "+ aggregate")
    times: dict[str, float] = {}
    if not args.skip_baselines:
        times["naive"] = naive(data, tmp / "naive")
        print(f"naive (serial papermill CLI + stitch): {times['naive']:8.1f} s", flush=True)
        times["pool"] = pool(data, tmp / "pool")
        print(f"pool (2 processes, fresh kernels):     {times['pool']:8.1f} s", flush=True)
    out = tmp / "package"
    times["cold"], cold_rss = package(data, out)
    if "pool" in times:
        same, total = compare_outputs(tmp / "pool", out, areas(data))
        print(f"isolation: warm-kernel outputs equal fresh-kernel outputs in {same} of {total} "
              "notebooks")
    manifest = json.loads((out / "manifest.json").read_text())
    floor = manifest["notebook_cell_seconds"] / 2
    print(f"package cold:                          {times['cold']:8.1f} s "
          f"(peak memory {cold_rss / 1024:.0f} MiB)")
    times["noop"], _ = package(data, out)
    print(f"package no-op rebuild:                 {times['noop']:8.1f} s")
    changed = change_one_area(data)
    times["one"], _ = package(data, out)
    manifest = json.loads((out / "manifest.json").read_text())
    aggregate = manifest["notebook_seconds"].get("aggregate/aggregate", 0.0)
    print(f"package after changing {changed}: {times['one']:8.1f} s "
          f"({len(manifest['executed'])} notebooks re-run; the aggregate notebook "
          f"{aggregate:.1f} s of it)")
    print(f"floor (notebook cells, summed / 2 workers): {floor:8.1f} s")
    print("\nratios (target):")
    if "naive" in times:
        print(f"  naive / cold  = {times['naive'] / times['cold']:6.1f}   (>= 10)")
        print(f"  pool / cold   = {times['pool'] / times['cold']:6.1f}   (>= 3)")
    print(f"  no-op / cold  = {100 * times['noop'] / times['cold']:6.1f}%  (< 2%)")
    per_area = times["cold"] / n_areas
    limit = 3 * per_area + aggregate
    print(f"  one-area / (cold / areas) = {times['one'] / per_area:6.1f}   (< 3, plus the "
          "aggregate)")
    print(f"  one-area rebuild {times['one']:.1f} s against 3 x {per_area:.2f} s + the "
          f"aggregate notebook's {aggregate:.1f} s = {limit:.1f} s: "
          f"{'met' if times['one'] < limit else 'NOT met'}")
    print(f"  cold / floor  = {times['cold'] / floor:6.1f}   (<= 2)")
    print(aggregate_line("cold build", manifest["notebook_seconds"].get(
        "aggregate/aggregate", 0.0), out / "aggregate" / "report.html", n_areas))
    if args.scale:
        big = tmp / f"data{args.scale}"
        big.mkdir()
        run([PY, "-m", "analysis", "generate", "--data", str(big), "--areas", str(args.scale)])
        wall, rss = package(big, tmp / f"out{args.scale}")
        print(f"\nscale: {args.scale} synthetic areas built in {wall:.1f} s, peak memory "
              f"{rss / 1024:.0f} MiB (12 areas: {cold_rss / 1024:.0f} MiB)")
        built = tmp / f"out{args.scale}"
        seconds = json.loads((built / "manifest.json").read_text())["notebook_seconds"].get(
            "aggregate/aggregate", 0.0)
        print(aggregate_line("full build", seconds, built / "aggregate" / "report.html",
                             len(areas(big))))
    print(f"\n(outputs left in {tmp})")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"largest child process: {children.ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
