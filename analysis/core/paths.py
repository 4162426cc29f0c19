"""Where the bundled data and the default outputs live.

Notebook parameters are plain strings; an empty string means "the bundled default", so each
notebook runs as it is in JupyterLab (cwd = notebooks/) and with the plain ``papermill`` command
(cwd = anywhere). The default outputs folder is the repository's ``outputs/`` unless the
environment variable ``IAOW_OUTPUTS`` names another (a build elsewhere, a test's build): it
reaches a kernel started from that environment, so notebooks read it without a parameter.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
REPO_ROOT = PACKAGE_ROOT.parent
NOTEBOOKS = REPO_ROOT / "notebooks"


def data_dir(value: str | Path = "") -> Path:
    return Path(value).resolve() if str(value) else REPO_ROOT / "data"


#: The environment variable naming the outputs folder an empty ``output_dir`` means.
OUTPUTS_VARIABLE = "IAOW_OUTPUTS"


def default_output_dir() -> Path:
    """``$IAOW_OUTPUTS`` when set, else the repository's ``outputs/``."""
    named = os.environ.get(OUTPUTS_VARIABLE, "")
    return Path(named).resolve() if named else REPO_ROOT / "outputs"


def output_dir(value: str | Path = "") -> Path:
    """The folder a parameter names, resolved; empty: :func:`default_output_dir`."""
    return Path(value).resolve() if str(value) else default_output_dir()


def area_tables(output: Path, area_id: str) -> Path:
    return output / area_id / "tables"


def all_tables(output: Path) -> Path:
    return output / "tables"


def area_views(output: Path) -> Path:
    """The folder of every area's view of the cross-area figures (one JSON file an area)."""
    return all_tables(output) / "views"


def area_view(output: Path, area_id: str) -> Path:
    """An area's view: the cross-area figures its chapters show, at the precision shown."""
    return area_views(output) / f"{area_id}.json"


GROUPS = "groups"


def area_report(output: Path, area_id: str) -> Path:
    """An area's stitched report."""
    return output / area_id / "report.html"


def group_folder(group_id: str) -> str:
    """A group's folder under the output folder (its tables, notebooks and report)."""
    return f"{GROUPS}/{group_id}"


def group_tables(output: Path, group_id: str) -> Path:
    """A group's cross-area tables: the same tables as ``all_tables``, over its areas."""
    return area_tables(output, group_folder(group_id))
