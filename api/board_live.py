"""The board's live stream: a ``board`` event whenever a command moved some request
(anything the command path announces on the bus: ``engine.store.messaging.notify``,
across processes through ``api.live``'s PostgreSQL listener). The event carries no data
(the page reads the board again with its own filters), so a requester learns nothing
but "something moved"; bursts are sent at most once per ``MIN_GAP`` seconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request

from api.live import PING_SECONDS, ensure_listener
from engine.store import Database, messaging

MIN_GAP = 1.0


async def board_events(db: Database, request: Request) -> AsyncIterator[str]:
    ensure_listener(db)
    loop = asyncio.get_running_loop()
    moved = asyncio.Event()

    def on_item(item: dict[str, Any]) -> None:
        if item.get("all") or item.get("inbox") or item.get("users"):
            loop.call_soon_threadsafe(moved.set)

    unsubscribe = messaging.bus_of(db.engine).subscribe(on_item)
    last = 0.0
    try:
        yield "retry: 3000\n\n"
        yield "event: ready\ndata: {}\n\n"
        while not await request.is_disconnected():
            try:
                await asyncio.wait_for(moved.wait(), PING_SECONDS)
            except TimeoutError:
                yield ": ping\n\n"
                continue
            gap = MIN_GAP - (time.monotonic() - last)
            if gap > 0:
                await asyncio.sleep(gap)
            moved.clear()
            last = time.monotonic()
            yield "event: board\ndata: {}\n\n"
    finally:
        unsubscribe()


__all__ = ["MIN_GAP", "board_events"]
