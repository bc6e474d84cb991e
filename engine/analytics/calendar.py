"""The working calendar analytics uses: ``engine.core.calendar`` (one calendar for the
whole engine), re-exported under its analytics name."""

from engine.core.calendar import CalendarInvalid, WorkingCalendar, parse_hours

__all__ = ["CalendarInvalid", "WorkingCalendar", "parse_hours"]
