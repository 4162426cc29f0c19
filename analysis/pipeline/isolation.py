"""Reset a warm kernel between notebooks so each runs as if in a fresh kernel.

Run inside the kernel (by :mod:`analysis.pipeline.engine`) before every notebook: the user
namespace is cleared by ``%reset -f`` first, then this resets what outlives a namespace: open
figures, matplotlib rcParams (restored to the snapshot taken when the kernel was new), pandas
options, random seeds and the working directory. Imported modules stay loaded: that is the point.
"""

from __future__ import annotations

import os
import random
from typing import Any

_MPL: dict[str, Any] | None = None
_PANDAS: dict[str, Any] | None = None
_CWD: str | None = None
SEED = 0


def _pandas_options() -> dict[str, Any]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pandas._config import config

        return {k: config.get_option(k) for k in config._registered_options
                if k not in config._deprecated_options}


def reset() -> None:
    """Return process-wide state to how a new kernel had it (only what changed is reset)."""
    global _MPL, _PANDAS, _CWD
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    plt.close("all")
    if _MPL is None:
        _MPL = {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}
        _PANDAS = _pandas_options()
        _CWD = os.getcwd()
    else:
        current: dict[str, Any] = dict(matplotlib.rcParams.items())
        changed = {k: v for k, v in _MPL.items() if current.get(k) != v}
        if changed:
            matplotlib.rcParams.update(changed)  # type: ignore[arg-type]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in (_PANDAS or {}).items():
                if pd.get_option(key) != value:
                    pd.set_option(key, value)
        if _CWD is not None and os.path.isdir(_CWD):
            os.chdir(_CWD)
    random.seed(SEED)
    np.random.seed(SEED)
    from ..report.guard import publish_with

    publish_with(None)  # the next notebook's context sets its own disclosure
