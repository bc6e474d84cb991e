"""The worker as the app configures it: the org calendar, the channels from settings,
the retry policy. ``signoff worker`` and the worker embedded in ``signoff serve`` both
come from ``worker_for``."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from typing import Protocol

from api.channels import channels_from_settings
from api.clock import Clock, system_clock
from api.settings import ServiceConfig, Settings
from api.worker_metrics import ObservedWorker
from engine.analytics.calendar import WorkingCalendar, parse_hours
from engine.daily_report import ReportJob
from engine.demo.logistics import LogisticsSystem
from engine.forecast import ForecastDuty
from engine.notify.service import ServiceCaller
from engine.store import Database, messaging
from engine.worker import Worker, by_channel, channel_sender, service_sender


def org_calendar(settings: Settings) -> WorkingCalendar:
    start, end = parse_hours(settings.working_hours)
    return WorkingCalendar(country=settings.calendar_country or None,
                           timezone=settings.calendar_timezone, start=start, end=end)


def configure(settings: Settings, db: Database) -> None:
    """What every process that writes commands needs: the org calendar of ``db``."""
    messaging.set_calendar(db.engine, org_calendar(settings))


class Closing(Protocol):
    def close(self) -> None: ...


def worker_for(settings: Settings, db: Database,
               clock: Clock = system_clock) -> tuple[Worker, dict[str, Closing]]:
    """A worker over ``db`` delivering through the configured channels and to the
    configured outside systems (the caller closes them, by name); with none configured,
    messages wait in the outbox."""
    configure(settings, db)
    channels = channels_from_settings(settings)
    senders = dict.fromkeys(channels, channel_sender(channels, settings.public_url))
    closing: dict[str, Closing] = dict(channels)
    if settings.services:  # service steps' calls leave through the same outbox
        caller = ServiceCaller(settings.service_systems(), settings.public_url)
        senders[messaging.SERVICE_CHANNEL] = service_sender(caller)
        closing[messaging.SERVICE_CHANNEL] = caller
    deliver = by_channel(senders) if senders else None
    # ObservedWorker: deliveries, timers fired and heartbeats in /metrics, and a
    # heartbeat row per round for readiness (api.worker_metrics).
    worker = ObservedWorker(db, deliver, frozenset(senders), clock=clock,
                            max_attempts=settings.outbox_max_attempts,
                            backoff=timedelta(seconds=settings.outbox_backoff_seconds),
                            jobs=(ForecastDuty(timedelta(minutes=settings.forecast_minutes),
                                               org_calendar(settings)),
                                  ReportJob(org_calendar(settings))))
    return worker, closing


def demo_services(settings: Settings) -> LogisticsSystem | None:
    """In the demo, the simulated logistics system the sample orders wait on: a small
    HTTP service on a local port (``engine.demo.logistics``) that answers each shipment
    through the real callback endpoint (shipped, in transit, arrived), configured as the
    system ``logistics`` unless one is configured already. The caller stops it."""
    if not settings.demo or "logistics" in settings.services:
        return None
    # one secret for every app process of this demo (derived from the JWT secret)
    digest = hashlib.sha256(f"{settings.secret()}/demo-logistics".encode()).digest()
    system = LogisticsSystem(secret="whsec_" + base64.b64encode(digest[:24]).decode(),
                             auto=True, pace=settings.demo_logistics_pace).start()
    settings.services = {**settings.services,
                         "logistics": ServiceConfig(url=system.url, secret=system.secret)}
    return system


__all__ = ["configure", "demo_services", "org_calendar", "worker_for"]
