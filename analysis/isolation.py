"""Reset a warm kernel between notebooks so each runs as if in a fresh kernel.

Run inside the kernel (by :mod:`analysis.engine`) before every notebook: the user namespace is
cleared by ``%reset -f`` first, then this resets what outlives a namespace: open figures,
matplotlib rcParams (restored to the snapshot taken when the kernel was new), pandas options,
random seeds and the working directory. Imported modules stay loaded: that is the point.
"""

from __future__ import annotations

import os
import random
from typing import Any

_SNAPSHOT: dict[str, Any] | None = None
_CWD: str | None = None
SEED = 0


def reset() -> None:
    """Return process-wide state to how a new kernel had it."""
    global _SNAPSHOT, _CWD
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    plt.close("all")
    if _SNAPSHOT is None:
        _SNAPSHOT = {k: v for k, v in matplotlib.rcParams.items() if k != "backend"}
        _CWD = os.getcwd()
    else:
        matplotlib.rcParams.update(dict(_SNAPSHOT))  # type: ignore[arg-type]
        if _CWD is not None:
            os.chdir(_CWD)
    pd.reset_option("all")
    random.seed(SEED)
    np.random.seed(SEED)
