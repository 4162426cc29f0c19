"""What a command prints: its own lines, not the logs of the tools it drives, unless asked.

Papermill, Jupyter and Dask log every kernel, worker and connection at INFO; a build shows
them only with ``--verbose``. Dask's own logging is configured when ``distributed`` is first
imported (and again in each worker process it spawns), from the ``DASK_LOGGING__*``
environment variables: they are set here, before that import, so the workers inherit them.
"""

from __future__ import annotations

import logging
import os
import sys

#: Loggers of the tools a build drives.
TOOLS = ("papermill", "traitlets", "nbclient", "jupyter_client", "asyncio", "tornado",
         "distributed", "bokeh")
DASK_VARIABLE = "DASK_LOGGING__DISTRIBUTED"


def configure(verbose: bool = False) -> None:
    """Our messages at INFO on stderr; the tools' at WARNING (Dask's at ERROR: its shutdown
    warnings are routine), or everything at INFO when ``verbose``."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    quiet = logging.INFO if verbose else logging.WARNING
    for name in TOOLS:
        logging.getLogger(name).setLevel(quiet)
    dask = "info" if verbose else "error"
    os.environ[DASK_VARIABLE] = dask
    if "distributed" in sys.modules:  # already configured: set its level too
        logging.getLogger("distributed").setLevel(dask.upper())
