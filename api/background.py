"""The worker as the app configures it: the org calendar, the channels from settings,
the retry policy. ``signoff worker`` and the worker embedded in ``signoff serve`` both
come from ``worker_for``."""

from __future__ import annotations

from datetime import timedelta

from api.channels import channels_from_settings
from api.clock import Clock, system_clock
from api.settings import Settings
from api.worker_metrics import ObservedWorker
from engine.analytics.calendar import WorkingCalendar, parse_hours
from engine.daily_report import ReportJob
from engine.forecast import ForecastDuty
from engine.notify import Channel
from engine.store import Database, messaging
from engine.worker import Worker, channel_sender


def org_calendar(settings: Settings) -> WorkingCalendar:
    start, end = parse_hours(settings.working_hours)
    return WorkingCalendar(country=settings.calendar_country or None,
                           timezone=settings.calendar_timezone, start=start, end=end)


def configure(settings: Settings, db: Database) -> None:
    """What every process that writes commands needs: the org calendar of ``db``."""
    messaging.set_calendar(db.engine, org_calendar(settings))


def worker_for(settings: Settings, db: Database,
               clock: Clock = system_clock) -> tuple[Worker, dict[str, Channel]]:
    """A worker over ``db`` delivering through the configured channels (the caller
    closes them); with none configured, messages wait in the outbox."""
    configure(settings, db)
    channels = channels_from_settings(settings)
    deliver = channel_sender(channels, settings.public_url) if channels else None
    # ObservedWorker: deliveries, timers fired and heartbeats in /metrics, and a
    # heartbeat row per round for readiness (api.worker_metrics).
    worker = ObservedWorker(db, deliver, frozenset(channels), clock=clock,
                            max_attempts=settings.outbox_max_attempts,
                            backoff=timedelta(seconds=settings.outbox_backoff_seconds),
                            jobs=(ForecastDuty(timedelta(minutes=settings.forecast_minutes),
                                               org_calendar(settings)),
                                  ReportJob(org_calendar(settings))))
    return worker, channels


__all__ = ["configure", "org_calendar", "worker_for"]
