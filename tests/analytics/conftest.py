"""Shared helpers for analytics tests: the public event logs and small histories."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from engine.analytics.model import Case, History, Outcome, Visit, case_outcome
from tests.conftest import ROOT

DATA = ROOT.parent / "shared" / "data"
T0 = dt.datetime(2024, 3, 4, 9, 0, tzinfo=dt.UTC).timestamp()  # a Monday


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared event logs; required in CI, skipped elsewhere when absent."""
    if not (DATA / "README.md").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"shared event logs missing at {DATA} (CI must have ../shared/data)")
        pytest.skip("shared event logs not found at ../shared/data")
    return DATA


Step = tuple[str, float, Outcome] | tuple[str, float, Outcome, str] | tuple[
    str, float, Outcome, str, bool]


def history(cases: dict[str, list[Step]], attrs: dict[str, dict[str, str | float]] | None = None,
            start: float = T0, commented: bool | None = None) -> History:
    """A history from ``{case: [(step, wait seconds, outcome[, resource[, commented]])]}``.

    Each case starts at ``start``; each visit arrives when the previous one was decided.
    """
    visits: list[Visit] = []
    out: dict[str, Case] = {}
    for cid, steps in cases.items():
        t = start
        mine = []
        for s in steps:
            res = s[3] if len(s) > 3 else None  # type: ignore[misc]
            com = s[4] if len(s) > 4 else commented  # type: ignore[misc]
            v = Visit(cid, s[0], t, t + s[1], s[2], res, com)
            t += s[1]
            mine.append(v)
        visits.extend(mine)
        out[cid] = Case(cid, start, t, case_outcome(mine), (attrs or {}).get(cid, {}))
    return History(out, tuple(visits), "test")
