"""Peak memory of the cross-area step alone, on areas whose tables are already written.

Run with ``.venv/bin/python benchmarks/cross_area_memory.py --data DATA --output OUT`` on an
output folder that ``python -m analysis build --tables-only --data DATA --output OUT`` wrote.
It runs ``write_group_tables`` and ``write_shared_tables`` (forced) in this process, with the
build's imports loaded first, and prints the process's peak resident memory (``ru_maxrss``,
exact, from the kernel's accounting) before and after, so a run per size gives the step's
growth per added area. ``--repeat N`` measures N areas from the same tables: the areas of OUT
are copied again under new names into a scratch folder until there are N (made before the
step, in this process: so measure with a second run on the same ``--scratch``). ``--digest`` prints
one digest of every cross-area table file written, to compare two versions' outputs;
``--thread`` runs the step in a thread of its own, as a build does.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.core import paths  # noqa: E402
from analysis.method.catalogue import Area, groups_of, load_areas  # noqa: E402
from analysis.pipeline.outputs import OutputTree  # noqa: E402


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def repeated(areas: list[Area], out: Path, n: int, scratch: Path) -> list[Area]:
    """``n`` areas in ``scratch``: the areas of ``out`` and, after them, copies of their
    tables under new names (each row's ``area_id`` the new name; no groups: a group would
    hold an area twice). Copies already in ``scratch`` are kept."""
    import pandas as pd

    from analysis.method.tables import AREA_TABLES

    every = []
    for i in range(n):
        a = areas[i % len(areas)]
        new = replace(a, id=a.id if i < len(areas) else f"{a.id}-{i}", groups=())
        every.append(new)
        source, target = paths.area_tables(out, a.id), paths.area_tables(scratch, new.id)
        if target.exists():
            continue
        target.mkdir(parents=True)
        for name in AREA_TABLES:
            frame = pd.read_parquet(source / f"{name}.parquet")
            if "area_id" in frame:
                frame["area_id"] = new.id
            frame.to_parquet(target / f"{name}.parquet", index=False)
    return every


def digest(out: Path) -> str:
    """One digest of the cross-area tables' files (the groups' and all areas'; not their
    stamps, which hold the package's digest)."""
    files = sorted(f for f in [*paths.all_tables(out).glob("*.*"),
                               *out.glob("groups/*/tables/*.*")]
                   if f.suffix in (".csv", ".parquet"))
    h = hashlib.sha256()
    for f in files:
        h.update(f.relative_to(out).as_posix().encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=0, metavar="N")
    parser.add_argument("--scratch", type=Path, help="where --repeat writes (default: a new "
                        "temporary folder)")
    parser.add_argument("--digest", action="store_true")
    parser.add_argument("--thread", action="store_true", help="run the step in a thread, as "
                        "a build does while its first notebooks run")
    args = parser.parse_args()
    import analysis.pipeline.builder  # noqa: F401  (the build's imports)
    from analysis.method import crossarea, group_figures  # noqa: F401
    from analysis.pipeline.digests import package_digest
    from analysis.pipeline.scores import (
        TableDigests,
        TableReads,
        write_group_tables,
        write_shared_tables,
    )

    areas = load_areas(args.data, check_cases=False)
    out = args.output.resolve()
    if args.repeat:
        out = (args.scratch or Path(tempfile.mkdtemp(prefix="iaow-cross-"))).resolve()
        areas = repeated(areas, args.output.resolve(), args.repeat, out)
    groups = groups_of(areas)
    tree = OutputTree(out)
    digests = TableDigests(tree)
    package = package_digest()

    def step() -> None:  # as the build runs it: the tables read kept within their budget
        reads = TableReads()
        write_group_tables(tree, groups, digests, package, True, reads)
        write_shared_tables(tree, areas, groups, digests, package, True, reads)

    before = peak_mib()
    start = time.perf_counter()
    if args.thread:
        with ThreadPoolExecutor(1, thread_name_prefix="cross-area") as thread:
            thread.submit(step).result()
    else:
        step()
    seconds = time.perf_counter() - start
    print(f"{len(areas)} areas, {len(groups)} groups: peak {peak_mib():.0f} MiB "
          f"({before:.0f} MiB before the step), {seconds:.1f} s; tables in {out}")
    if args.digest:
        print(f"digest {digest(out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
