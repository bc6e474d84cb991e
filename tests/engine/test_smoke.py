from engine.core import mermaid, replay
from tests.engine.helpers import DATA, EXAMPLES, INITIATOR, Run, definition


def test_store_opening_happy_path_with_cfo_step():
    run = Run(definition("store_opening"))
    run.start("xu.ming", {**DATA["store_opening"], "monthly_rent": 95000})
    assert run.holders() == ["zhao.lei"]
    run.act("zhao.lei")
    assert run.holders() == ["song.qian", "tang.lan"]
    run.act("tang.lan")
    run.act("song.qian")
    assert run.s.node == "finance_review"
    run.act("cao.li")
    assert run.s.node == "cfo_review"
    run.act("zhou.min")
    run.act("liu.yang")
    assert run.s.status == "approved"
    assert set(run.s.cc) == {"pan.xia", "du.kai"}
    assert replay(run.events) == run.s


def test_every_example_starts_and_draws():
    for key in EXAMPLES:
        run = Run(definition(key))
        run.start(INITIATOR[key], DATA[key])
        assert run.s.status == "running"
        assert "flowchart TD" in mermaid(run.defn, run.s.node)
