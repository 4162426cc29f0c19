"""Benchmark the build against plain papermill, in one run on one machine.

Run with ``make benchmark`` (or ``.venv/bin/python benchmarks/build_benchmark.py``); it is not
part of ``make test``. Every variant builds the same bundled areas into its own temporary folder:

1. naive: a serial shell loop of the ``papermill`` command per area and notebook (after writing
   the tables), then ``python -m analysis stitch`` per area as a separate command;
2. pool: ``papermill.execute_notebook`` in a 2-process pool, a fresh kernel per notebook, then
   the same stitching;
3. this package, cold (empty outputs), and cold in publication mode (``--publish``: the
   release folder, its scanner, lineage check and audit);
4. this package, no-op rebuild;
5. this package after changing one area's data file: three times in a row (the answer flipped
   back and forth), the median against the target, as a single rebuild varies by a tenth from
   one to the next on this project's machine.

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


def _quiet_stderr() -> None:
    """A pool worker's stderr (and its kernels': they inherit it) goes nowhere: papermill's
    default kernels run over TCP and each warns so at start, a hundred lines a run."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)


def pool(data: Path, out: Path) -> float:
    start = time.perf_counter()
    run([PY, "-m", "analysis", "build", "--tables-only", "--data", str(data), "--output",
         str(out), "--quiet"])
    jobs = [(nb, a, str(data), str(out)) for a in areas(data) for nb in AREA_NOTEBOOKS]
    for area in areas(data):
        (out / area / "notebooks").mkdir(parents=True, exist_ok=True)
    with Pool(2, initializer=_quiet_stderr) as p:
        p.map(_pool_task, jobs)
    for area in areas(data):
        run([PY, "-m", "analysis", "stitch", area, "--data", str(data), "--output", str(out)])
    return time.perf_counter() - start


def _role(cmd: str, root: int, is_root: bool, parent: str, root_cmd: str = "") -> str:
    """What a process of a build is: ``root`` is the index of the watched process it descends
    from (0: the build; others: a Dask scheduler or worker started beside it), ``parent`` its
    parent's role (a fork server's children share its command line: they are its workers).
    A child of the build still showing the build's command line (``root_cmd``) has not yet
    started its own program (the ``git`` call of the provenance): its peak is the build's
    memory as it forked, not its own, so it is not counted ("forked")."""
    if root == 0 and is_root:
        return "build"
    if root == 0 and root_cmd and cmd == root_cmd and parent == "build":
        return "forked"
    if "ipykernel" in cmd:
        return "kernel"
    if root > 0:
        return "dask scheduler" if "scheduler" in cmd else "dask worker"
    if parent == "fork server":
        return "worker"
    if "forkserver" in cmd:
        return "fork server"
    if "multiprocessing" in cmd:
        return "worker"
    return "other"


def _tree(root: int) -> list[tuple[int, int]]:
    """The process and its descendants with their parents, parents first, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [(root, 0)]
    while todo:
        pid, parent = todo.pop(0)
        found.append((pid, parent))
        todo.extend((c, pid) for c in children.get(pid, []))
    return found


class Peaks:
    """Peak resident memory (VmHWM) of every process under a root, sampled from /proc every
    0.2 s while it runs: a process that lives less than that may be missed, and one sampled
    before its peak is shown at the last peak seen. By role: the build process, its workers,
    their kernels, a Dask scheduler and workers."""

    def __init__(self, *roots: int) -> None:
        import threading

        self.roots = roots
        self.peak: dict[int, tuple[str, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.2)

    def sample(self) -> None:
        for index, root in enumerate(self.roots):
            root_cmd = ""
            for pid, parent in _tree(root):
                try:
                    with open(f"/proc/{pid}/status") as f:
                        hwm = next((int(line.split()[1]) for line in f
                                    if line.startswith("VmHWM:")), 0)
                    with open(f"/proc/{pid}/cmdline", "rb") as f:
                        cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                if pid == root:
                    root_cmd = cmd
                old = self.peak.get(pid)
                if old and old[0] == "forked" and cmd != root_cmd:
                    old = None  # it has started its own program: its peak from now on
                role = old[0] if old else _role(cmd, index, pid == root,
                                                self.peak.get(parent, ("", 0))[0], root_cmd)
                old = old or (role, 0)
                self.peak[pid] = (old[0], max(old[1], hwm))

    def stop(self) -> dict[str, tuple[int, int]]:
        """Per role: (processes seen, the largest peak in KiB)."""
        self._stop.set()
        self._thread.join()
        roles: dict[str, tuple[int, int]] = {}
        for role, kib in self.peak.values():
            if role == "forked":
                continue
            n, top = roles.get(role, (0, 0))
            roles[role] = (n + 1, max(top, kib))
        return roles


def describe(roles: dict[str, tuple[int, int]]) -> str:
    order = ["build", "worker", "fork server", "kernel", "dask scheduler", "dask worker",
             "other"]
    return ", ".join(f"{r} {roles[r][1] / 1024:.0f} MiB"
                     + (f" (largest of {roles[r][0]})" if roles[r][0] > 1 else "")
                     for r in order if r in roles)


def package(data: Path, out: Path, *extra: str, watch: tuple[int, ...] = ()
            ) -> tuple[float, int, dict[str, tuple[int, int]]]:
    """Wall time, the build process's peak resident memory (KiB) and the peak of every
    process of the build by role (and of the processes ``watch`` names: a Dask cluster)."""
    start = time.perf_counter()
    proc = subprocess.Popen([PY, "-m", "analysis", "build", "--data", str(data), "--output",
                             str(out), "--quiet", *extra], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peaks = Peaks(proc.pid, *watch)
    _, status, usage = os.wait4(proc.pid, 0)
    roles = peaks.stop()
    if status != 0:
        raise RuntimeError(f"build failed with status {status}")
    roles["build"] = (1, usage.ru_maxrss)  # exact, from the kernel's accounting
    return time.perf_counter() - start, usage.ru_maxrss, roles


#: One-area rebuilds measured in a row; the median is set against the target.
REBUILDS = 3

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


def dask_pair(data: Path, out: Path, tmp: Path) -> tuple[float, int,
                                                        dict[str, tuple[int, int]]]:
    """A build on a real Dask cluster: ``dask scheduler`` and ``dask worker`` (two worker
    processes of one thread each) started as separate processes, stopped afterwards."""
    dask = str(Path(PY).with_name("dask"))
    info = tmp / "scheduler.json"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT}
    scheduler = subprocess.Popen([dask, "scheduler", "--scheduler-file", str(info), "--port",
                                  "0", "--dashboard-address", ":0"], **quiet)  # type: ignore[call-overload]
    worker = None
    try:
        for _ in range(300):
            if info.exists() and info.stat().st_size:
                break
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        worker = subprocess.Popen([dask, "worker", "--scheduler-file", str(info), "--nworkers",
                                   "2", "--nthreads", "1", "--no-dashboard"], **quiet)  # type: ignore[call-overload]
        return package(data, out, "--scheduler", address, watch=(scheduler.pid, worker.pid))
    finally:
        for proc in (worker, scheduler):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-baselines", action="store_true",
                        help="skip naive and pool (the slow part)")
    parser.add_argument("--scale", type=int, default=0, metavar="N",
                        help="also build N generated synthetic areas (e.g. 200)")
    parser.add_argument("--dask-pair", action="store_true",
                        help="with --scale: build them again on a `dask scheduler` and a "
                        "`dask worker` started as separate processes")
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
    times["cold"], cold_rss, roles = package(data, out)
    if "pool" in times:
        same, total = compare_outputs(tmp / "pool", out, areas(data))
        print(f"isolation: warm-kernel outputs equal fresh-kernel outputs in {same} of {total} "
              "notebooks")
    manifest = json.loads((out / "manifest.json").read_text())
    floor = manifest["notebook_cell_seconds"] / 2
    per_area = times["cold"] / n_areas
    print(f"package cold:                          {times['cold']:8.1f} s "
          f"({per_area:.2f} s an area)")
    print(f"  peak memory: {describe(roles)}")
    times["publish"], _, _ = package(data, tmp / "publish", "--publish")
    print(f"package cold, publication mode:        {times['publish']:8.1f} s (release, "
          "scanner, lineage check and audit included)", flush=True)
    times["noop"], _, _ = package(data, out)
    print(f"package no-op rebuild:                 {times['noop']:8.1f} s")
    rebuilds = []
    for _ in range(REBUILDS):
        changed = change_one_area(data)
        wall, _, _ = package(data, out)
        manifest = json.loads((out / "manifest.json").read_text())
        seconds = manifest["notebook_seconds"].get("aggregate/aggregate", 0.0)
        rebuilds.append((wall - seconds, wall, seconds))
        print(f"package after changing {changed}: {wall:8.1f} s "
              f"({len(manifest['executed'])} notebooks re-run; the aggregate notebook "
              f"{seconds:.1f} s of it)", flush=True)
    _, times["one"], aggregate = sorted(rebuilds)[len(rebuilds) // 2]  # the median rebuild
    print(f"floor (notebook cells, summed / 2 workers): {floor:8.1f} s")
    print("\nratios (target):")
    if "naive" in times:
        print(f"  naive / cold  = {times['naive'] / times['cold']:6.1f}   (>= 10)")
        print(f"  pool / cold   = {times['pool'] / times['cold']:6.1f}   (>= 3)")
    print(f"  no-op / cold  = {100 * times['noop'] / times['cold']:6.1f}%  (< 2%)")
    limit = 3 * per_area + aggregate
    print(f"  one-area / (cold / areas) = {times['one'] / per_area:6.1f}   (< 3, plus the "
          "aggregate)")
    print(f"  one-area rebuild (the median of {REBUILDS}, by its time beside its aggregate "
          f"notebook) {times['one']:.1f} s against 3 x {per_area:.2f} s + that aggregate "
          f"notebook's {aggregate:.1f} s = {limit:.1f} s: "
          f"{'met' if times['one'] < limit else 'NOT met'}")
    print(f"  cold / floor  = {times['cold'] / floor:6.2f}   (<= 1.5)", flush=True)
    print(f"  publication / cold = {times['publish'] / times['cold']:6.2f}   (<= 1.5)")
    print(aggregate_line("cold build", manifest["notebook_seconds"].get(
        "aggregate/aggregate", 0.0), out / "aggregate" / "report.html", n_areas))
    if args.scale:
        big = tmp / f"data{args.scale}"
        big.mkdir()
        run([PY, "-m", "analysis", "generate", "--data", str(big), "--areas", str(args.scale)])
        wall, rss, big_roles = package(big, tmp / f"out{args.scale}")
        growth = (rss - cold_rss) / 1024 / (args.scale - n_areas)
        print(f"\nscale: {args.scale} synthetic areas built in {wall:.1f} s "
              f"({wall / args.scale:.2f} s an area, {wall / args.scale / per_area:.2f} times "
              f"the {n_areas}-area time per area; target <= 1.1)")
        print(f"  peak memory: {describe(big_roles)}")
        print(f"  build process {rss / 1024:.0f} MiB against {cold_rss / 1024:.0f} MiB for "
              f"{n_areas} areas: {growth:.2f} MiB per added area (target <= 0.2)", flush=True)
        built = tmp / f"out{args.scale}"
        seconds = json.loads((built / "manifest.json").read_text())["notebook_seconds"].get(
            "aggregate/aggregate", 0.0)
        print(aggregate_line("full build", seconds, built / "aggregate" / "report.html",
                             len(areas(big))))
        if args.dask_pair:
            wall, rss, pair_roles = dask_pair(big, tmp / f"dask{args.scale}", tmp)
            print(f"\nscale on a dask scheduler + dask worker pair (separate processes, 2 "
                  f"worker processes): {wall:.1f} s ({wall / args.scale:.2f} s an area)")
            print(f"  peak memory: {describe(pair_roles)}", flush=True)
    print(f"\n(outputs left in {tmp})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
