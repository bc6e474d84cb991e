"""What approvers write. The company works in Chinese and English, so each remark comes
in both and an approver writes in one of them."""

from __future__ import annotations

import random

Remark = tuple[str, str]  # (English, Chinese)

_REJECT: dict[tuple[str, str], list[Remark]] = {
    ("sample_order", "store_manager"): [
        ("We still have these props from last season.", "上季的道具还在，无需再订。"),
        ("Quantities are far above what the window can hold.", "数量远超橱窗容量。"),
        ("Wrong season: these SKUs are not in our assortment.", "季节不对，本店不销售这些款。"),
    ],
    ("expense_claim", "manager"): [
        ("Not a business expense.", "不属于业务费用。"),
        ("Already claimed last month.", "上月已报销过。"),
    ],
    ("store_opening", "regional_review"): [
        ("Too close to our existing store in the same district.", "与同区现有门店距离太近。"),
        ("Footfall too low for this format.", "该业态客流不足。"),
    ],
}
_RETURN: dict[tuple[str, str], list[Remark]] = {
    ("sample_order", "store_manager"): [
        ("Please split the order by window and fitting room.", "请按橱窗和试衣间分开下单。"),
        ("Add the reason for the urgent flag.", "请补充加急原因。"),
    ],
    ("expense_claim", "finance_review"): [
        ("One receipt is missing; please attach it.", "缺少一张发票，请补充。"),
        ("The invoice title is wrong; reissue it to the company.", "发票抬头有误，请重开。"),
    ],
    ("store_opening", "site_review"): [
        ("The lease draft lacks the break clause.", "租赁合同草案缺少提前解约条款。"),
        ("Please attach the landlord's property certificate.", "请附上业主产权证明。"),
    ],
}
_GENERIC: dict[str, list[Remark]] = {
    "reject": [("Not justified at this time.", "目前理由不充分。"),
               ("Over budget for this quarter.", "超出本季度预算。")],
    "return": [("Please complete the missing details.", "请补充缺失的信息。"),
               ("Figures do not match the attachment; please correct.",
                "数字与附件不符，请修改。")],
    "approve": [("OK.", "同意。"), ("Approved, please keep costs tight.", "同意，请控制成本。"),
                ("Checked, fine.", "已核对，无误。"), ("Good location.", "位置不错。")],
    "delegate": [("Out of office this week, please handle.", "本周出差，请代为处理。")],
    "add_signer": [("Please have a second look at the contract.", "请再审一下合同。")],
    "withdraw": [("No longer needed.", "不再需要。"), ("Plans changed.", "计划有变。")],
}


def remark(kind: str, key: str, node: str, rng: random.Random) -> str:
    """A remark for ``kind`` (reject, return, approve, delegate, ...) at a step."""
    specific = {"reject": _REJECT, "return": _RETURN}.get(kind, {}).get((key, node))
    english, chinese = rng.choice(specific or _GENERIC[kind])
    return chinese if rng.random() < 0.5 else english


__all__ = ["remark"]
