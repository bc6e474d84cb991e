"""The query parameters every long list takes (inbox, my requests, all requests, and
their Excel exports): search, filters, sort and page, read into a ``queries.ListFilter``.
Dates are calendar days in the organisation's time zone; ``to`` is inclusive."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Query

from api.deps import RuntimeDep
from api.problems import Problem
from engine.queries import ListFilter

Search = Annotated[str | None, Query(
    alias="q", max_length=200,
    description="Words that must all appear in the request number, title or form data")]
Status = Annotated[str | None, Query(
    pattern="^(running|returned|open|finished|approved|rejected|withdrawn|cancelled)$",
    description="open: running or returned; finished: any final status")]
Overdue = Annotated[bool | None, Query(
    description="true: a pending task is past its due time or the request past its "
                "deadline; false: neither")]
From = Annotated[date | None, Query(alias="from", description="Started (inbox: arrived) "
                                    "on or after this day")]
To = Annotated[date | None, Query(alias="to", description="... on or before this day")]
Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=100_000, description="Rows to skip (at most "
                              "100,000: narrow the filters to go further)")]
# lists paged to their end (board, audit, outbox): any offset a database integer holds
AnyOffset = Annotated[int, Query(ge=0, le=2**63 - 1)]


def _day_start(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))


async def filters(runtime: RuntimeDep, q: Search = None,
            definition: Annotated[str | None, Query(max_length=100)] = None,
            node: Annotated[str | None, Query(max_length=100)] = None,
            overdue: Overdue = None, from_: From = None, to: To = None) -> ListFilter:
    if from_ is not None and to is not None and to < from_:
        raise Problem(422, f"'to' ({to}) is before 'from' ({from_})")
    zone = runtime.settings.calendar_timezone
    return ListFilter(
        search=q.strip() or None if q else None, definition=definition or None,
        node=node or None, overdue=overdue,
        since=_day_start(from_, zone) if from_ else None,
        until=_day_start(to + timedelta(days=1), zone) if to else None)


FiltersDep = Annotated[ListFilter, Depends(filters)]

__all__ = ["AnyOffset", "FiltersDep", "Limit", "Offset", "Status", "filters"]
