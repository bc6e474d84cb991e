"""Errors map to statuses once, by class: the most specific class listed wins."""

from __future__ import annotations

from uuid import uuid4

from api.problems import STATUS, status_of
from engine.analytics.calendar import CalendarInvalid
from engine.analytics.logs import LogInvalid
from engine.analytics.whatif import WhatIfInvalid
from engine.core.errors import (
    AnalysisInvalid,
    DirectoryInvalid,
    EngineError,
    IdempotencyConflict,
    InstanceNotFound,
    NothingToAnalyse,
    NotPermitted,
)


class _Hidden(InstanceNotFound):
    """A 404 that another module might add later."""


class _Both(NotPermitted, InstanceNotFound):
    """Listed parents in both orders: the MRO decides, not the order of ``STATUS``."""


def test_the_most_specific_class_wins_whatever_the_order_of_the_table() -> None:
    assert status_of(_Hidden(uuid4())) == 404
    assert status_of(_Both("a", "b", "c")) == 403
    assert status_of(DirectoryInvalid([])) == 422  # through DefinitionInvalid
    assert status_of(EngineError("something")) == 400


def test_analytics_errors_share_one_base_mapped_once() -> None:
    for error in (CalendarInvalid("x"), LogInvalid("x"), WhatIfInvalid("x")):
        assert isinstance(error, AnalysisInvalid) and isinstance(error, ValueError)
        assert status_of(error) == 422
        assert type(error) not in STATUS
    assert status_of(NothingToAnalyse("no requests")) == 404
    assert status_of(IdempotencyConflict("k", "u")) == 422
