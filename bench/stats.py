"""How every benchmark script prints a figure: the median, then the spread it came from."""

from __future__ import annotations

import statistics


def summary(values: list[float], unit: str = "s", digits: int = 3) -> str:
    """`median unit (min-max, n=N)`, e.g. `0.434 s (0.416-0.469, n=5)`."""
    median = statistics.median(values)
    return f"{median:.{digits}f} {unit} ({min(values):.{digits}f}-{max(values):.{digits}f}, n={len(values)})"
