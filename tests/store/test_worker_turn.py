"""One running worker per SQLite file: a second waits for its turn (and takes over when
the first stops); on PostgreSQL every worker runs at once (claims use SKIP LOCKED)."""

from __future__ import annotations

import threading
from pathlib import Path

from engine.store.startup_lock import sqlite_worker_turn


def test_a_second_worker_on_one_sqlite_file_waits_for_its_turn(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/t.db"
    first_stop, second_stop = threading.Event(), threading.Event()
    got: list[bool] = []
    running = threading.Event()

    def second() -> None:
        with sqlite_worker_turn(url, second_stop, poll_seconds=0.05) as turn:
            got.append(turn)
            running.set()

    with sqlite_worker_turn(url, first_stop) as turn:
        assert turn
        thread = threading.Thread(target=second)
        thread.start()
        assert not running.wait(0.5)  # the first still runs: the second stands by
    assert running.wait(5)  # the first stopped: the second's turn
    thread.join(5)
    assert got == [True]


def test_a_waiting_worker_told_to_stop_never_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/t.db"
    stop = threading.Event()
    with sqlite_worker_turn(url, threading.Event()):
        stop.set()
        with sqlite_worker_turn(url, stop, poll_seconds=0.05) as turn:
            assert turn is False


def test_on_postgresql_every_worker_runs(pg_url: str) -> None:
    with sqlite_worker_turn(pg_url, threading.Event()) as one, \
            sqlite_worker_turn(pg_url, threading.Event()) as two:
        assert one and two
