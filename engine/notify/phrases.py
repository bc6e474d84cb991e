"""The words of every message kind in English and Chinese.

Each phrase is a small Jinja template over already formatted plain strings (``request``,
``step``, ``due``, ``reason``, ``actor``, ``holders``, ``process``, ``period``, ``n``,
``expected``, ``channel``, ``overdue``). ``render`` escapes them where HTML needs it, so
no phrase may contain markup.
"""

from __future__ import annotations

from typing import Final

# kind -> language -> (subject, sentence)
PHRASES: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "task_assigned": {
        "en": ("Approval needed: {{ request }}",
               "“{{ step }}” of {{ request }} is waiting for your decision."),
        "zh": ("待审批：{{ request }}", "{{ request }} 的「{{ step }}」环节等待你审批。"),
    },
    "reminder": {
        "en": ("{% if overdue %}Overdue{% else %}Reminder{% endif %}: {{ request }}",
               "“{{ step }}” of {{ request }} {% if overdue %}was due {{ due }} and is "
               "overdue{% else %}is due {{ due }}{% endif %}."),
        "zh": ("{% if overdue %}已逾期{% else %}提醒{% endif %}：{{ request }}",
               "{{ request }} 的「{{ step }}」{% if overdue %}已于 {{ due }} 到期，现已逾期"
               "{% else %}将于 {{ due }} 到期{% endif %}。"),
    },
    "escalated": {
        "en": ("Escalated: {{ request }}",
               "“{{ step }}” of {{ request }} is overdue and has been escalated."),
        "zh": ("已升级：{{ request }}", "{{ request }} 的「{{ step }}」已逾期，已升级处理。"),
    },
    "returned": {
        "en": ("Returned to you: {{ request }}",
               "{{ actor or 'An approver' }} returned {{ request }} to you."),
        "zh": ("已退回给你：{{ request }}", "{{ actor or '审批人' }} 将 {{ request }} 退回给你。"),
    },
    "approved": {
        "en": ("Approved: {{ request }}", "Your request {{ request }} was approved."),
        "zh": ("已通过：{{ request }}", "你的申请 {{ request }} 已审批通过。"),
    },
    "rejected": {
        "en": ("Rejected: {{ request }}", "Your request {{ request }} was rejected."),
        "zh": ("已驳回：{{ request }}", "你的申请 {{ request }} 已被驳回。"),
    },
    "now_with": {
        "en": ("{{ request }} is now with {{ holders }}",
               "Your request {{ request }} reached “{{ step }}” and is now with {{ holders }}."),
        "zh": ("{{ request }} 已流转至 {{ holders }}",
               "你的申请 {{ request }} 已进入「{{ step }}」，当前处理人：{{ holders }}。"),
    },
    "copied": {
        "en": ("For your information: {{ request }}",
               "{{ actor or 'Someone' }} copied you on {{ request }}."),
        "zh": ("抄送：{{ request }}", "{{ actor or '有人' }} 将 {{ request }} 抄送给你。"),
    },
    "at_risk": {
        "en": ("At risk: {{ request }}",
               "“{{ step }}” of {{ request }} may miss its deadline ({{ due }})."),
        "zh": ("可能超时：{{ request }}",
               "{{ request }} 的「{{ step }}」可能无法在 {{ due }} 前完成。"),
    },
    "daily_report": {
        "en": ("Signoff daily report {{ period }}", "Your approval report for {{ period }}."),
        "zh": ("Signoff 每日报告 {{ period }}", "这是 {{ period }} 的审批报告。"),
    },
    "test": {
        "en": ("Signoff test message",
               "This is a test message from Signoff through {{ channel }}. If you can read "
               "it, the channel works."),
        "zh": ("Signoff 测试消息",
               "这是 Signoff 通过 {{ channel }} 发送的测试消息。能看到它，说明该渠道配置正确。"),
    },
    "digest": {
        "en": ("{{ n }} update{% if n != 1 %}s{% endif %} from Signoff",
               "Here is what happened since your last message:"),
        "zh": ("Signoff：{{ n }} 条新动态", "以下是自上次通知以来的动态："),
    },
}

# kind -> data fields shown under the sentence, in this order (absent ones are skipped)
FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "task_assigned": ("process", "request", "step", "initiator", "due"),
    "reminder": ("process", "request", "step", "due"),
    "escalated": ("process", "request", "step", "holders", "due", "reason"),
    "returned": ("process", "request", "step", "actor", "reason"),
    "approved": ("process", "request", "actor"),
    "rejected": ("process", "request", "step", "actor", "reason"),
    "now_with": ("process", "request", "step", "holders", "due"),
    "copied": ("process", "request", "actor", "reason"),
    "at_risk": ("process", "request", "step", "holders", "due", "expected"),
    "daily_report": ("period",),
    "test": ("channel", "sent_by"),
    "digest": (),
}

LABELS: Final[dict[str, dict[str, str]]] = {
    "process": {"en": "Process", "zh": "流程"},
    "request": {"en": "Request", "zh": "申请"},
    "step": {"en": "Step", "zh": "环节"},
    "initiator": {"en": "Requested by", "zh": "申请人"},
    "due": {"en": "Due", "zh": "截止时间"},
    "holders": {"en": "With", "zh": "当前处理人"},
    "actor": {"en": "By", "zh": "处理人"},
    "reason": {"en": "Reason", "zh": "原因"},
    "expected": {"en": "Expected", "zh": "预计完成"},
    "period": {"en": "Period", "zh": "日期"},
    "channel": {"en": "Channel", "zh": "渠道"},
    "sent_by": {"en": "Sent by", "zh": "发送人"},
}

# what the link opens: the task, the request, the dashboard
LINK_LABELS: Final[dict[str, dict[str, str]]] = {
    "task": {"en": "Open the task", "zh": "去处理"},
    "request": {"en": "Open the request", "zh": "查看申请"},
    "report": {"en": "Open the dashboard", "zh": "打开看板"},
    "app": {"en": "Open Signoff", "zh": "打开 Signoff"},
}
LINK_TARGET: Final[dict[str, str]] = {
    "task_assigned": "task", "reminder": "task", "escalated": "task", "at_risk": "task",
    "returned": "request", "approved": "request", "rejected": "request",
    "now_with": "request", "copied": "request", "daily_report": "report", "test": "app",
    "digest": "app",
}

TONES: Final[dict[str, str]] = {
    "approved": "good", "rejected": "bad", "escalated": "warn", "at_risk": "warn",
    "returned": "warn",
}

GREETING: Final[dict[str, str]] = {"en": "Hello {{ name }},", "zh": "{{ name }}，你好："}
FOOTER: Final[dict[str, str]] = {
    "en": "Sent by Signoff. Choose your channels, language and quiet hours in your settings.",
    "zh": "此消息由 Signoff 自动发送。可在个人设置中选择接收渠道、语言和免打扰时段。",
}
NONE_LEFT: Final[dict[str, str]] = {"en": "nobody yet", "zh": "暂无"}
LIST_SEP: Final[dict[str, str]] = {"en": ", ", "zh": "、"}
COLON: Final[dict[str, str]] = {"en": ": ", "zh": "："}

__all__ = ["COLON", "FIELDS", "FOOTER", "GREETING", "LABELS", "LINK_LABELS", "LINK_TARGET",
           "LIST_SEP", "NONE_LEFT", "PHRASES", "TONES"]
