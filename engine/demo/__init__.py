"""The demo: a realistic approval history, simulated through the real engine.

``signoff serve --demo`` and ``signoff demo`` call ``seed``; the analytics and UI tests
use the planted behaviour below to prove their point.

API
---
- ``simulate(definitions, directory, *, start, end, n_instances, seed, progress=None)``
  yields one event list per request. A discrete-event simulation in simulated time: each
  arrival, decision, delegation, added signer, return, resubmission and withdrawal is a
  command given to ``engine.core.decide`` with ``now`` the simulated moment, so the events
  are exactly what the engine emits. Requests still running at ``end`` are yielded last
  (pending tasks, some overdue). Deterministic for a seed, ids included.
- ``seed(db, *, definitions_dir=None, n_instances=3000, seed=DEFAULT_SEED, now=None,
  months=6, progress=None) -> SeedReport``: syncs ``org.yaml`` and the definitions of
  ``definitions_dir`` through ``engine.service`` (or uses what the database holds when
  ``definitions_dir`` is None), then writes the histories in batches with
  ``service.append_histories``, calling ``progress(done, total)``. Refuses a database that
  already holds requests.
- ``demo_users()``: ``DemoUser(username, password, name, description, name_zh)`` for the
  sign-in page; every one uses ``DEMO_PASSWORD`` (``signoff-demo``).

The company
-----------
A fashion retailer in China (``definitions/org.yaml``). Over the six months before
``now`` about 3,000 requests arrive (45% sample orders, 40% expense claims, 15% store
openings), more on Mondays, with morning and afternoon peaks and a few in the evening
or at the weekend, and volume growing over time. Approvers decide only in office hours,
09:00-18:00 China time, Monday to Friday, with China's public holidays off and the
official make-up working weekend days on (``holidays`` package). Store openings above
80,000 CNY rent go through the CFO step; claims above 5,000 go to the department head and
above 20,000 to the 2-of-3 committee. Some requests are returned and resubmitted (a few
withdrawn instead), about 2% are withdrawn while running, approvers occasionally
delegate to a colleague, and legal occasionally adds a second signer.

What is planted (``personas.PLANTED``)
-------------------------------------
- Rubber stamp: ``sample_order`` / ``sample_manager`` (the sample manager of the order's
  region: qian.yu for east, shen.jie for north, han.mei for south, through the org units
  of ``org.yaml``). Decided within minutes, never rejects or returns, never comments.
- Careful fast step: ``sample_order`` / ``store_manager`` (the store manager confirms the
  need). About as fast (median ~20 office minutes) but rejects ~10% and returns ~4%,
  always with a comment.
- Bottleneck approver: ``deng.hao`` (Deng Hao, finance manager), the second signature of
  ``expense_claim`` / ``finance_review`` (sequential after the AP clerk): days per task,
  a queue of dozens, many overdue at the end.
- Slow low-value gate: ``store_opening`` / ``vp_review`` (VP retail, liu.yang): signs the
  week's pile on Friday afternoon, seconds apart (bursts), so requests wait about three
  days there; never rejects or returns, never comments.
- Skip condition: ``expense_claim`` / ``manager`` approves every claim with
  ``amount < 1000``; above that it rejects ~8% and returns ~10%.

Deadlines (``deadline:`` in the definitions) are met or missed by the behaviour above, not
planted: an expense claim has 10 working days (the slow finance signature and returns
make a few percent miss); one store opening in four is filed five to eight weeks before
its opening date, so "30 days before opening" is tight; one sample order in eight is
urgent (needed in 2-6 days).

The demo approvers (zhao.lei, li.na, the sample managers) leave the tasks that reached
them in their last office day (zhao.lei: two) undecided, so their inboxes are not empty
when the demo starts; deng.hao's and liu.yang's queues are there anyway.
"""

from engine.demo.personas import PLANTED
from engine.demo.seeding import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DemoUser,
    SeedReport,
    demo_users,
    instance_count,
    seed,
)
from engine.demo.simulation import Simulation, simulate

__all__ = ["DEFAULT_SEED", "DEMO_PASSWORD", "PLANTED", "DemoUser", "SeedReport", "Simulation",
           "demo_users", "instance_count", "seed", "simulate"]
