"""Org units in the directory and the approver rules that scope by them: ``in_unit``
(holders of a role inside a unit named by a form field, the initiator's unit or a fixed
unit) and ``head_of`` (the head of such a unit, ``level`` counting up the tree)."""

from __future__ import annotations

import pytest

from engine.core import DecideTask, StartInstance, load_definition, replay, rules
from engine.core.decide import decide
from engine.core.directory import directory_from_csv, directory_from_yaml
from engine.core.errors import DirectoryInvalid
from tests.engine.helpers import T0, Run, definition, directory


@pytest.mark.parametrize(("raw", "initiator", "data", "label", "users"), [
    # the sample manager of the region in the form, one per region
    ({"role": "sample_manager", "in_unit": {"field": "region"}}, "bai.lu", {"region": "east"},
     "role:sample_manager@field:region", ["qian.yu"]),
    ({"role": "sample_manager", "in_unit": {"field": "region"}}, "bai.lu", {"region": "south"},
     "role:sample_manager@field:region", ["han.mei"]),
    # an empty field, or one naming no unit: nobody
    ({"role": "sample_manager", "in_unit": {"field": "region"}}, "bai.lu", {},
     "role:sample_manager@field:region", []),
    ({"role": "sample_manager", "in_unit": {"field": "region"}}, "bai.lu", {"region": "mars"},
     "role:sample_manager@field:region", []),
    # the initiator's unit is their store; level 2 is its region (stores under it count)
    ({"role": "store_manager", "in_unit": {"unit_of": "initiator"}}, "bai.lu", {},
     "role:store_manager@unit_of:initiator", ["li.na"]),
    ({"role": "store_manager", "in_unit": {"unit_of": "initiator", "level": 2}}, "kong.yi", {},
     "role:store_manager@unit_of:initiator:2", ["guo.hui", "he.xin", "ma.jun"]),
    # without a role: every member of the unit and the units under it
    ({"in_unit": {"unit": "logistics"}}, "bai.lu", {}, "members@unit:logistics",
     ["lu.wen", "tian.hao", "xie.bin"]),
    # heads: the initiator's store, its region, the division above
    ({"head_of": {"unit_of": "initiator"}}, "fang.qi", {}, "head_of:unit_of:initiator",
     ["lin.yu"]),
    ({"head_of": {"unit_of": "initiator", "level": 2}}, "fang.qi", {},
     "head_of:unit_of:initiator:2", ["huang.tao"]),
    ({"head_of": {"unit_of": "initiator", "level": 3}}, "fang.qi", {},
     "head_of:unit_of:initiator:3", ["liu.yang"]),
    ({"head_of": {"unit_of": "initiator", "level": 9}}, "fang.qi", {},
     "head_of:unit_of:initiator:9", []),
    ({"head_of": {"field": "store_code"}}, "bai.lu", {"store_code": "BJ007"},
     "head_of:field:store_code", ["ma.jun"]),
    ({"head_of": {"unit": "finance"}}, "bai.lu", {}, "head_of:unit:finance", ["zhou.min"]),
    # a user without a unit has no unit to scope by
    ({"head_of": {"unit_of": "initiator"}}, "admin", {}, "head_of:unit_of:initiator", []),
])
def test_unit_rules_parse_label_and_resolve(raw: dict[str, object], initiator: str,
                                            data: dict[str, object], label: str,
                                            users: list[str]) -> None:
    [rule] = rules.parse(raw)
    assert str(rule) == label
    assert rules.resolve(rule, initiator, data, directory()) == users


def test_the_demo_sample_order_goes_to_the_one_sample_manager_of_its_region() -> None:
    defn = definition("sample_order")
    org = directory()
    for initiator, region, manager in (("bai.lu", "east", "qian.yu"),
                                       ("kong.yi", "north", "shen.jie"),
                                       ("fang.qi", "south", "han.mei")):
        run = Run(defn, org)
        run.start(initiator, {"store_code": "SH012", "region": region, "season": "SS26",
                              "items": [{"sku": "SS26-DRS-001", "quantity": 1}],
                              "needed_by": "2026-04-01"})
        store_manager = org.manager_of(initiator)
        assert store_manager is not None
        run.act(store_manager, "approve")
        assert run.holders() == [manager]
        assert run.task(manager).rule == "role:sample_manager@field:region"


YAML = """
key: unit_demo
title: Unit demo
form: {type: object, properties: {department: {type: string}}}
start: head
nodes:
  head:
    approvers: {head_of: {field: department}}
    on: {approve: done, reject: done}
  done: {final: approved}
"""


def test_a_unit_without_a_head_finds_nobody_and_the_fallback_takes_it() -> None:
    org = directory()
    defn = load_definition(YAML, "unit.yaml", org)
    start = StartInstance(definition_key="unit_demo", initiator="bai.lu",
                          data={"department": "finance"})
    state = replay(decide(defn, None, start, T0, org))
    assert [t.assignee for t in state.tasks] == ["zhou.min"]
    with_fallback = load_definition(YAML.replace("start: head",
                                                 "policies: {fallback_approver: deng.hao}\n"
                                                 "start: head"), "unit.yaml", org)
    nobody = StartInstance(definition_key="unit_demo", initiator="bai.lu",
                           data={"department": "nowhere"})
    state = replay(decide(with_fallback, None, nobody, T0, org))
    assert [(t.assignee, t.rule) for t in state.tasks] == [("deng.hao", "fallback:deng.hao")]
    decide(with_fallback, state, DecideTask(task_id=state.tasks[0].task_id, actor="deng.hao",
                                            action="approve"), T0, org)


ORG = """
units:
  - {id: top, name: Top, head: boss}
  - {id: a, parent: top, head: ann}
users:
  - {username: boss}
  - {username: ann, manager: boss, unit: a}
"""


@pytest.mark.parametrize(("change", "message"), [
    (("parent: top, head: ann", "parent: gone, head: ann"), "unit 'a': unknown parent unit 'gone'"),
    (("{id: top, name: Top, head: boss}", "{id: top, parent: a, head: boss}"),
     "unit 'top': its parent units loop back"),
    (("head: ann}", "head: nobody}"), "unit 'a': unknown head 'nobody'"),
    (("unit: a}", "unit: b}"), "user 'ann': unknown unit 'b'"),
    (("  - {id: a,", "  - {id: top,"), "duplicate unit 'top'"),
    (("  - {id: a,", "  - {name: x,"), "unit without an id"),
])
def test_directory_unit_mistakes_are_reported_where_they_are(change: tuple[str, str],
                                                             message: str) -> None:
    text = ORG.replace(*change)
    assert text != ORG
    with pytest.raises(DirectoryInvalid) as info:
        directory_from_yaml(text, "org.yaml")
    assert message in [e.message for e in info.value.errors]
    line = max(i for i, t in enumerate(text.splitlines(), 1) if change[1] in t)
    assert any(e.line == line for e in info.value.errors), info.value.errors


def test_units_come_from_a_units_csv_next_to_the_users_csv() -> None:
    users = "username,name,manager,roles,unit\nboss,Boss,,ceo,top\nann,Ann,boss,sales,shop\n"
    units = ("id,name,name_zh,kind,parent,head\n"
             "top,Top,总部,company,,boss\nshop,Shop,,store,top,ann\n")
    org = directory_from_csv(users, "users.csv", units, "units.csv")
    assert org.unit_of("ann") == "shop" and org.unit_of("ann", 2) == "top"
    assert org.head_of("top") == "boss" and org.units["top"].name_zh == "总部"
    assert org.members("top") == ("ann", "boss") and org.members("top", deep=False) == ("boss",)
    with pytest.raises(DirectoryInvalid) as info:
        directory_from_csv(users, "users.csv", units.replace(",top,ann", ",top,zed"), "units.csv")
    assert [str(e) for e in info.value.errors] == ["units.csv:3:1: unit 'shop': unknown head 'zed'"]
