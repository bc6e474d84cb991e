"""Approval-efficiency analytics: pure functions over a neutral history of visits.

Adapters turn a source into a :class:`History` (``logs.read_log`` for XES and CSV
event logs, ``store`` for Signoff's own tables); ``report.analyse`` turns a history
into the report (docs/analytics.md documents its JSON keys).
"""

from engine.analytics.calendar import CalendarInvalid, WorkingCalendar
from engine.analytics.logs import LogInvalid, read_log
from engine.analytics.mapping import IDENTITY, LabelMapping, MappingInvalid
from engine.analytics.model import Case, History, Outcome, Visit

__all__ = [
    "IDENTITY",
    "CalendarInvalid",
    "Case",
    "History",
    "LabelMapping",
    "LogInvalid",
    "MappingInvalid",
    "Outcome",
    "Visit",
    "WorkingCalendar",
    "read_log",
]
