"""Small statistics, written out so the hot path needs no numpy or pandas.

``percentile`` follows numpy's default ("linear" interpolation), which is what the PM4Py
reference numbers use; ``wilson`` is the Wilson score interval for a binomial share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Z95 = 1.959963984540054


def percentile(sorted_values: Sequence[float] | npt.NDArray[np.float64], q: float) -> float:
    """The q-th percentile (0..100) of already sorted values, linear interpolation."""
    n = len(sorted_values)
    if n == 0:
        raise ValueError("percentile of no values")
    pos = (n - 1) * q / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, n - 1)
    frac = pos - lo
    return float(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * frac)


@dataclass(frozen=True, slots=True)
class Summary:
    """Count, median, p90, mean and total of a list of durations (seconds or hours)."""

    n: int
    median: float | None
    p90: float | None
    mean: float | None
    total: float

    def as_dict(self, unit: str = "s") -> dict[str, float | int | None]:
        return {"n": self.n, f"median_{unit}": _r(self.median), f"p90_{unit}": _r(self.p90),
                f"mean_{unit}": _r(self.mean), f"total_{unit}": _r(self.total)}


def summarize(values: Sequence[float] | npt.NDArray[np.float64]) -> Summary:
    if len(values) == 0:
        return Summary(0, None, None, None, 0.0)
    s = np.sort(values).tolist() if isinstance(values, np.ndarray) else sorted(values)
    total = math.fsum(s)
    return Summary(len(s), percentile(s, 50), percentile(s, 90), total / len(s), total)


@dataclass(frozen=True, slots=True)
class Share:
    """k of n, with its Wilson score interval (95 % unless told otherwise)."""

    k: int
    n: int
    rate: float | None
    low: float | None
    high: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return {"k": self.k, "n": self.n, "rate": _r(self.rate, 4),
                "ci_low": _r(self.low, 4), "ci_high": _r(self.high, 4)}


def wilson(k: int, n: int, z: float = Z95) -> Share:
    """Wilson score interval of k successes out of n trials."""
    if not 0 <= k <= n:
        raise ValueError(f"wilson: need 0 <= k <= n, got k={k} n={n}")
    if n == 0:
        return Share(0, 0, None, None, None)
    p = k / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return Share(k, n, p, max(0.0, centre - half), min(1.0, centre + half))


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(x, nd)
