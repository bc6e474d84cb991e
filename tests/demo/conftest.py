"""The demo's org and definitions, loaded once, and a medium simulated run shared by the
statistical tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.core import (
    InstanceState,
    OrgDirectory,
    ProcessDefinition,
    load_definition_file,
    load_directory,
)
from engine.core.events import Event
from engine.demo import Simulation
from tests.conftest import ROOT

DEFINITIONS = ROOT / "definitions"
END = datetime(2026, 11, 26, 6, 30, tzinfo=UTC)  # a Thursday, 14:30 in Shanghai
START = END - timedelta(days=182)
MEDIUM_N = 900


@pytest.fixture(scope="session")
def org() -> OrgDirectory:
    return load_directory(DEFINITIONS / "org.yaml")


@pytest.fixture(scope="session")
def definitions(org: OrgDirectory) -> list[ProcessDefinition]:
    return [load_definition_file(p, org) for p in sorted(DEFINITIONS.glob("*.yaml"))
            if p.stem != "org"]


@pytest.fixture(scope="session")
def medium_run(definitions: list[ProcessDefinition], org: OrgDirectory,
               ) -> list[tuple[list[Event], InstanceState]]:
    sim = Simulation(definitions, org, START, END, seed=11)
    return list(sim.run(MEDIUM_N))
