"""Live events for Server-Sent Events: what the command path announces (``engine.store
.messaging.notify``) reaches every app process. On PostgreSQL one listener thread per
process and database ``LISTEN``s on the schema's events channel and fans out to the
in-process bus; on SQLite the bus is fed directly after each commit."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request

from engine import outbox
from engine.store import Database, messaging

log = logging.getLogger("signoff.live")
PING_SECONDS = 15.0
_listeners: dict[str, threading.Thread] = {}
_guard = threading.Lock()


def _listen(db: Database) -> None:
    import psycopg
    with db.engine.connect() as c:
        channel = messaging.events_channel(messaging.schema_of(c))
    bus = messaging.bus_of(db.engine)
    url = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
    while True:
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f'LISTEN "{channel}"')
                for note in conn.notifies():
                    try:
                        bus.publish(json.loads(note.payload))
                    except ValueError:
                        continue
        except Exception:  # the database went away: listen again shortly
            log.warning("live events listener lost its connection; reconnecting")
            threading.Event().wait(2.0)


def ensure_listener(db: Database) -> None:
    if db.dialect != "postgresql":
        return
    key = db.url.render_as_string(hide_password=True)
    with _guard:
        if key in _listeners and _listeners[key].is_alive():
            return
        thread = threading.Thread(target=_listen, args=(db,), daemon=True,
                                  name="signoff-live-listener")
        _listeners[key] = thread
        thread.start()


def _unread(db: Database, username: str) -> int:
    with db.session(write=False) as session:
        return outbox.unread_count(session, username)


async def live_events(db: Database, username: str, request: Request
                      ) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(event, data) for ``username`` until the client goes away: ``notification`` with
    the unread count (first at once), ``inbox`` when their pending tasks changed, and
    ``ping`` every ``PING_SECONDS``."""
    ensure_listener(db)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)

    def on_item(item: dict[str, Any]) -> None:
        if item.get("all") or username in item.get("users", ()) \
                or username in item.get("inbox", ()):
            loop.call_soon_threadsafe(_put, queue, item)

    unsubscribe = messaging.bus_of(db.engine).subscribe(on_item)
    try:
        yield "notification", {"unread": await asyncio.to_thread(_unread, db, username)}
        while not await request.is_disconnected():
            try:
                item = await asyncio.wait_for(queue.get(), PING_SECONDS)
            except TimeoutError:
                yield "ping", {}
                continue
            if item.get("all") or username in item.get("users", ()):
                unread = await asyncio.to_thread(_unread, db, username)
                yield "notification", {"unread": unread}
            if item.get("all") or username in item.get("inbox", ()):
                yield "inbox", {}
    finally:
        unsubscribe()


def _put(queue: asyncio.Queue[dict[str, Any]], item: dict[str, Any]) -> None:
    if not queue.full():
        queue.put_nowait(item)


__all__ = ["ensure_listener", "live_events"]
