// 简体中文。键必须与 en.ts 完全一致（单元测试会检查）。
import type { Messages } from "./en";

const zh: Messages = {
  app: { name: "Signoff 审批", tagline: "看得见的审批" },
  nav: {
    inbox: "待办", newRequest: "发起申请", myRequests: "我的申请",
    processes: "流程", dashboard: "审批效率", signOut: "退出", language: "语言",
  },
  common: {
    loading: "加载中…", retry: "重试", cancel: "取消", close: "关闭", save: "保存",
    submit: "提交", comment: "意见", commentPlaceholder: "审批意见（可选）",
    none: "无", all: "全部", back: "返回", version: "版本", yes: "是", no: "否",
    working: "处理中…", open: "打开", noData: "暂无数据。",
  },
  errors: {
    title: "出错了",
    network: "无法连接服务器，请检查网络后重试。",
    notSignedIn: "登录已过期，请重新登录。",
    notPermitted: "您无权执行此操作。",
    notFound: "未找到该内容，可能已被删除。",
    conflict: "内容已被他人更新，请刷新后查看最新状态。",
    invalid: "部分输入无效。",
    server: "服务器出现问题，请稍后重试。",
    fieldErrors: "请更正标出的字段。",
    pageNotFound: "页面不存在。",
  },
  login: {
    title: "登录", username: "用户名", password: "密码", submit: "登录",
    demoUsers: "演示用户", demoHint: "演示模式：点击用户即可以该身份登录。",
    failed: "用户名或密码错误。",
  },
  status: {
    running: "审批中", returned: "已退回", approved: "已通过", rejected: "已驳回",
    withdrawn: "已撤回", cancelled: "已取消", pending: "待处理", waiting: "等待中",
    done: "已完成", overdue: "已超时", dueSoon: "即将到期",
  },
  actions: {
    approve: "同意", reject: "驳回", return: "退回", delegate: "转交",
    addSigner: "加签", withdraw: "撤回", resubmit: "重新提交",
    returnTo: "退回至", initiator: "申请人", delegateTo: "转交给",
    signer: "加签人", position: "位置", before: "在我之前", after: "在我之后",
    pickUser: "选择人员", done: "已{{action}}",
  },
  inbox: {
    title: "待办", empty: "没有待您处理的事项。",
    process: "流程", step: "环节", allProcesses: "全部流程", allSteps: "全部环节",
    selectAll: "全选", selected: "已选 {{count}} 项",
    bulkApprove: "批量同意（{{count}}）",
    bulkResult: "{{ok}} 项已同意，{{failed}} 项失败",
    from: "申请人：{{name}}", waitingFor: "已等待 {{duration}}", due: "截止 {{when}}",
    total: "{{count}} 项待办",
  },
  task: {
    title: "审批任务", form: "申请内容", timeline: "审批记录", diagram: "流程图",
    decide: "您的审批", notYours: "此任务已不需要您处理。",
    currentStep: "当前环节", holders: "处理人", since: "停留自",
  },
  timeline: {
    took: "用时 {{duration}}", started: "提交申请", entered: "到达",
    comment: "意见", finished: "结束", step: "环节",
    visits: "环节记录", enteredAt: "到达时间", leftAt: "离开时间", outcome: "结果",
    decidedBy: "处理人", duration: "用时", stillOpen: "进行中",
  },
  newRequest: {
    title: "发起申请", pick: "选择流程", start: "发起",
    submitted: "申请已提交", fill: "填写申请",
  },
  requests: {
    title: "我的申请", mine: "我发起的", cc: "抄送我的",
    empty: "暂无申请。", where: "当前环节", heldBy: "处理人", since: "停留自",
    status: "状态", started: "发起时间", process: "流程", request: "申请",
    withdrawConfirm: "确定撤回此申请？审批人将不再看到它。",
    resubmitHint: "此申请已退回给您，请修改后重新提交。",
    finishedAt: "结束时间", initiator: "申请人",
  },
  processes: {
    title: "流程", versions: "版本", nodes: "环节", yaml: "YAML",
    diagram: "流程图", approvers: "审批人", mode: "方式", sla: "时限", kind: "类型",
    next: "下一步", upload: "上传新版本", uploadHint:
      "粘贴 YAML 或选择文件。请先校验；发布后生成新版本。",
    validate: "校验", publish: "发布新版本", valid: "流程定义有效。",
    published: "已发布版本 {{version}}。", line: "第 {{line}} 行",
    chooseFile: "选择 YAML 文件", ownersOnly: "只有流程负责人可以上传新版本。",
    errorCount: "{{count}} 个问题",
  },
  dashboard: {
    title: "审批效率", pick: "流程", instances: "{{count}} 个申请",
    durations: "各环节用时", median: "中位数", p90: "90 分位",
    candidates: "疑似“橡皮图章”环节", noCandidates: "没有环节像是走过场。",
    evidence: "依据", confidence: "置信度", saving: "可节省", remedy: "建议",
    hoursPerYear: "每年节省审批人 {{hours}} 小时", cycleSaved: "周期缩短 {{duration}}",
    bottlenecks: "瓶颈", noBottlenecks: "未发现瓶颈。",
    share: "等待时间占比", trend: "月度趋势", month: "月份",
    whatIf: "如果去掉某个环节？", remove: "去掉", run: "计算",
    baseline: "现状", scenario: "去掉后", cycleTimeSaved: "缩短的周期",
    lostRejections: "只有该环节驳回的申请", lostNone: "无：其他环节不会漏掉任何问题。",
    steps: "环节", visits: "经过次数", approveRate: "同意率", rejectRate: "驳回率",
    returnRate: "退回率", commentRate: "填写意见率", step: "环节",
    kind_rubber_stamp: "橡皮图章", kind_low_value_gate: "低价值关卡",
    remedy_remove: "删除该环节", remedy_notify: "改为知会（保留记录）",
    remedy_skip: "满足条件时跳过", cycleTime: "审批周期", requests: "申请数",
  },
};

export default zh;
