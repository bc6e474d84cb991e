"""Tables of the live board, early warnings and the daily report.

- ``forecast``: one row per running request, the latest prediction (``engine.forecast``
  refreshes it): the request's deadline, the earliest due time of its pending tasks, the
  predicted finish (median and 80th percentile) and whether it is at risk. A cache of a
  pure function of the history and the clock: dropping it loses nothing.
- ``risk_flag``: one row per (subject, reason) that was found at risk: a request whose
  80th-percentile finish passes its deadline (``deadline``) or a task whose likely
  decision passes its due time (``sla``). The unique key makes "at risk" an event that
  happens once, whoever finds it first; the notifications are written with the row.
- ``risk_threshold``: per process, the at-risk threshold on the chance of missing the
  deadline that the live forecast uses, chosen by the worker from the finished requests
  with the backtest's rule (``engine.forecast.warn_chances``), and the history it was
  chosen from (how many finished requests, the last finish): chosen again only when that
  history has changed. A cache too: dropping it costs one replay per process.
- ``report_claim``: one row per (report, day, recipient) of the daily report, written in
  the transaction that writes the outbox row, so a report goes once per person per day
  whatever the number of workers.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from engine.store.types import AwareDateTime


def _time(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_type=AwareDateTime, nullable=nullable, index=index)


class ForecastRow(SQLModel, table=True):
    __tablename__ = "forecast"
    __table_args__ = (
        sa.Index("ix_forecast_risk", "at_risk", "p80_at"),
        sa.Index("ix_forecast_deadline", "deadline_at"),
    )
    instance_id: UUID = Field(primary_key=True)
    definition_key: str = Field(max_length=100)
    deadline_at: datetime | None = _time(nullable=True)
    due_at: datetime | None = _time(nullable=True)  # earliest due time of pending tasks
    median_at: datetime | None = _time(nullable=True)
    p80_at: datetime | None = _time(nullable=True)
    step_median_at: datetime | None = _time(nullable=True)
    deadline_risk: bool = False
    sla_risk: bool = False
    at_risk: bool = False
    computed_at: datetime = _time()


class RiskFlag(SQLModel, table=True):
    __tablename__ = "risk_flag"
    __table_args__ = (sa.UniqueConstraint("subject_id", "reason"),)
    id: int | None = Field(default=None, primary_key=True)
    subject_id: UUID  # the request (reason deadline) or the task (reason sla)
    reason: str = Field(max_length=20)  # deadline | sla
    instance_id: UUID = Field(index=True)
    definition_key: str = Field(max_length=100)
    at: datetime = _time()
    expected_at: datetime | None = _time(nullable=True)  # p80 finish / likely decision
    limit_at: datetime | None = _time(nullable=True)  # the deadline / the due time


class RiskThreshold(SQLModel, table=True):
    __tablename__ = "risk_threshold"
    definition_key: str = Field(primary_key=True, max_length=100)
    warn_chance: float
    misses: int  # finished requests that missed their deadline, in the history used
    finished: int  # finished requests in the history used (the cache key, with ``until``)
    until: datetime | None = _time(nullable=True)  # the last finish in that history
    computed_at: datetime = _time()


class ReportClaim(SQLModel, table=True):
    __tablename__ = "report_claim"
    __table_args__ = (sa.UniqueConstraint("report", "day", "recipient"),)
    id: int | None = Field(default=None, primary_key=True)
    report: str = Field(max_length=100)  # the process key
    day: date
    recipient: str = Field(max_length=100)
    message_id: UUID
    at: datetime = _time()


__all__ = ["ForecastRow", "ReportClaim", "RiskFlag"]
