"""Percentiles, summaries and Wilson intervals against values worked out by hand."""

from __future__ import annotations

import pytest

from engine.analytics.stats import percentile, summarize, wilson


@pytest.mark.parametrize(("values", "q", "want"), [
    ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
    ([1.0, 2.0, 3.0, 4.0], 90, 3.7),  # pos 2.7: 3 + 0.7 * (4 - 3)
    ([1.0, 2.0, 3.0, 4.0], 0, 1.0),
    ([1.0, 2.0, 3.0, 4.0], 100, 4.0),
    ([5.0], 90, 5.0),
    ([0.0, 10.0], 25, 2.5),
])
def test_percentile_is_linear_interpolation(values: list[float], q: float, want: float) -> None:
    assert percentile(values, q) == pytest.approx(want)


def test_percentile_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_summarize() -> None:
    s = summarize([4.0, 1.0, 3.0, 2.0])
    assert (s.n, s.median, s.p90, s.mean, s.total) == (4, 2.5, pytest.approx(3.7), 2.5, 10.0)
    empty = summarize([])
    assert (empty.n, empty.median, empty.total) == (0, None, 0.0)
    assert summarize([60.0]).as_dict() == {"n": 1, "median_s": 60.0, "p90_s": 60.0,
                                           "mean_s": 60.0, "total_s": 60.0}


def test_wilson_known_values() -> None:
    # k=0, n=10: upper bound z^2 / (n + z^2) = 3.8415 / 13.8415
    s = wilson(0, 10)
    assert (s.rate, s.low) == (0.0, 0.0)
    assert s.high == pytest.approx(0.27753, abs=1e-4)
    half = wilson(5, 10)
    assert (half.low, half.high) == (pytest.approx(0.23659, abs=1e-4),
                                     pytest.approx(0.76341, abs=1e-4))
    assert wilson(10, 10).high == pytest.approx(1.0)
    assert wilson(0, 0).rate is None


def test_wilson_bound_shrinks_with_evidence() -> None:
    # Zero rejections out of 70 cannot yet show a rate below 5 %; out of 80 it can.
    assert wilson(0, 70).high > 0.05 > wilson(0, 80).high  # type: ignore[operator]


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError, match="k=3 n=2"):
        wilson(3, 2)
