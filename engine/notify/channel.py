"""The channel protocol and ``deliver``, the one call the outbox worker makes."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from engine.notify.message import DeliveryFailed, Message, Rendered


@runtime_checkable
class Channel(Protocol):
    """One way out: e-mail, a signed webhook, a chat robot.

    ``send`` returns once the receiver accepted the message and raises ``DeliveryFailed``
    otherwise. ``close`` releases pooled connections; a closed channel is not reused.
    """

    name: str

    def send(self, rendered: Rendered, message: Message) -> None: ...

    def close(self) -> None: ...


def deliver(channel: Channel, rendered: Rendered, message: Message) -> None:
    """Send ``message`` (already rendered) over ``channel``.

    Raises ``DeliveryFailed`` and nothing else: an unexpected error inside a channel is
    reported as retryable (the outbox dead-letters it after its last attempt)."""
    try:
        channel.send(rendered, message)
    except DeliveryFailed:
        raise
    except Exception as exc:  # a bug or an unforeseen library error: let the outbox retry
        raise DeliveryFailed(True, f"{channel.name}: {type(exc).__name__}: {exc}") from exc


__all__ = ["Channel", "deliver"]
