"""In-app notifications (the bell), notification preferences, the admins' outbox, and
the live event stream (Server-Sent Events)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from api.audit import note as audit_note
from api.auth import events_ticket, unauthorized, user_for_events_ticket, user_for_token
from api.channels import configured_channels
from api.deps import AdminDep, NowDep, ReadSessionDep, RuntimeDep, UserDep
from api.list_params import AnyOffset
from api.live import live_events
from api.notification_schemas import (
    ChannelsOut,
    ChannelTestMessageOut,
    ChannelTestOut,
    EventsTicketOut,
    MarkReadIn,
    MarkReadOut,
    NotificationOut,
    OutboxPageOut,
    PreferencesIn,
    PreferencesOut,
    RetryIn,
    RetryOut,
    UnreadOut,
    outbox_out,
)
from api.openapi import SIGNED_IN, problem_responses
from engine import outbox
from engine.store.org import current_directory

router = APIRouter(tags=["notifications"], responses=problem_responses(*SIGNED_IN, 403, 422))


@router.get("/notifications", response_model=list[NotificationOut])
def list_notifications(user: UserDep, session: ReadSessionDep,
                       unread: Annotated[bool, Query(description="Unread ones only")] = False,
                       limit: Annotated[int, Query(ge=1, le=200)] = 50,
                       before: Annotated[datetime | None, Query(
                           description="Older than this (the last one's created_at)")] = None,
                       ) -> list[NotificationOut]:
    """The caller's notifications, newest first."""
    rows = outbox.notifications(session, user.username, unread_only=unread, limit=limit,
                                before=before)
    return [NotificationOut.model_validate(r, from_attributes=True) for r in rows]


@router.get("/notifications/unread-count", response_model=UnreadOut)
def unread_count(user: UserDep, session: ReadSessionDep) -> UnreadOut:
    return UnreadOut(count=outbox.unread_count(session, user.username))


@router.post("/notifications/read", response_model=MarkReadOut)
def mark_read(body: MarkReadIn, user: UserDep, runtime: RuntimeDep, now: NowDep
              ) -> MarkReadOut:
    """Mark the given notifications read (``ids``), or all of the caller's (``all``)."""
    with runtime.db.session() as session:
        marked = outbox.mark_read(session, user.username, None if body.all else body.ids, now)
        session.commit()
        left = outbox.unread_count(session, user.username)
    return MarkReadOut(marked=marked, unread=left)


@router.get("/me/preferences", response_model=PreferencesOut)
def get_preferences(user: UserDep, session: ReadSessionDep) -> PreferencesOut:
    return PreferencesOut(**outbox.preferences(session, user.username))


@router.put("/me/preferences", response_model=PreferencesOut)
def put_preferences(body: PreferencesIn, user: UserDep, runtime: RuntimeDep, now: NowDep
                    ) -> PreferencesOut:
    """Set how the caller is told: channels, language, quiet hours, digest."""
    with runtime.db.session() as session:
        saved = outbox.save_preferences(session, user.username, body.model_dump(), now)
        session.commit()
    return PreferencesOut(**saved)


@router.get("/admin/outbox", response_model=OutboxPageOut)
def admin_outbox(admin: AdminDep, session: ReadSessionDep, runtime: RuntimeDep,
                 status: Annotated[str | None, Query(pattern="^(pending|sent|dead)$")] = None,
                 recipient: str | None = None,
                 limit: Annotated[int, Query(ge=1, le=500)] = 50,
                 offset: AnyOffset = 0) -> OutboxPageOut:
    """Messages to deliver outside (newest first) and how many there are per status,
    each with its rendered subject and plain text. With no channel configured they stay
    ``pending`` here, readable in full."""
    rows = outbox.list_messages(session, status=status, recipient=recipient, limit=limit,
                                offset=offset)
    return OutboxPageOut(items=[outbox_out(r, runtime.settings.public_url) for r in rows],
                         counts=outbox.count_messages(session))


@router.post("/admin/outbox/retry", response_model=RetryOut)
def admin_retry(body: RetryIn, admin: AdminDep, runtime: RuntimeDep, now: NowDep
                ) -> RetryOut:
    """Queue messages again (``ids``; without them every dead one): attempts reset."""
    with runtime.db.session() as session:
        queued = outbox.retry(session, body.ids, now)
        audit_note(session, "outbox.retried", admin.username,
                   "dead messages" if body.ids is None else f"{len(body.ids)} message(s)",
                   now, ids=[str(i) for i in body.ids or []], queued=queued)
        session.commit()
    return RetryOut(queued=queued)


@router.get("/channels", response_model=ChannelsOut)
def channels(user: UserDep, runtime: RuntimeDep) -> ChannelsOut:
    """Which channels the operator has set up (the others keep their messages in the
    outbox, readable by admins, until they are)."""
    return ChannelsOut(available=list(outbox.CHANNELS),
                       configured=["app", *configured_channels(runtime.settings)])


@router.post("/admin/channels/test", response_model=ChannelTestOut)
def test_channels(admin: AdminDep, runtime: RuntimeDep, now: NowDep) -> ChannelTestOut:
    """Send the caller a test message on each configured channel (e-mail when none is:
    kept in the outbox, readable there). The worker sends them, never this request."""
    names = configured_channels(runtime.settings) or ["email"]
    with runtime.db.session() as session:
        written = outbox.send_test(session, admin.username, names,
                                   current_directory(session), now)
        session.commit()
    configured = set(configured_channels(runtime.settings))
    return ChannelTestOut(messages=[ChannelTestMessageOut(id=i, channel=c,
                                                          configured=c in configured)
                                    for i, c in written])


@router.post("/events/ticket", response_model=EventsTicketOut)
def events_ticket_(user: UserDep, runtime: RuntimeDep, now: NowDep) -> EventsTicketOut:
    """A ticket to open ``/api/events?ticket=`` (``EventSource`` cannot send headers): good
    for a minute and for the stream only, so a URL in an access log opens nothing else."""
    ticket = events_ticket(user, runtime.secret, now)
    return EventsTicketOut(ticket=ticket.token, expires_at=ticket.expires_at)


def _stream_user(request: Request, runtime: RuntimeDep, now: datetime,
                 ticket: str | None) -> str:
    header = request.headers.get("authorization", "")
    bearer = header[7:] if header.lower().startswith("bearer ") else None
    if not bearer and not ticket:
        raise unauthorized("Sign in first: send Authorization: Bearer <token>, or "
                           "?ticket= from POST /api/events/ticket")
    with runtime.db.session(write=False) as session:
        directory = current_directory(session)
        if bearer:
            return user_for_token(session, bearer, runtime.secret, now, directory).username
        assert ticket is not None
        return user_for_events_ticket(session, ticket, runtime.secret, now,
                                      directory).username


@router.get("/events", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "Server-Sent Events"}})
async def events(request: Request, runtime: RuntimeDep, now: NowDep,
                 ticket: Annotated[str | None, Query(description=(
                     "A ticket from POST /api/events/ticket, for EventSource (no "
                     "headers)"))] = None,
                 ) -> StreamingResponse:
    """Live updates for the caller: ``notification`` (new notifications or reads; data:
    the unread count) and ``inbox`` (the caller's pending tasks changed). A comment line
    every 15 s keeps proxies from closing the stream."""
    username = await asyncio.to_thread(_stream_user, request, runtime, now, ticket)

    async def stream() -> AsyncIterator[str]:
        yield "retry: 3000\n\n"
        async for kind, data in live_events(runtime.db, username, request):
            if kind == "ping":
                yield ": ping\n\n"
            else:
                yield f"event: {kind}\ndata: {json.dumps(data)}\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
