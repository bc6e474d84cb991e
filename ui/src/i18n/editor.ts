// Texts of the owner's editor and of retiring a process (kept apart from en.ts and
// zh-CN.ts so parallel work on those files does not collide; both are merged there).
export const editorEn = {
  open: "Edit YAML", close: "Close the editor", title: "Edit the definition",
  hint: "Type the YAML: it is checked as you type, and Ctrl+Space suggests keys and values.",
  label: "YAML definition", chooseFile: "Load a YAML file", checking: "Checking…",
  valid: "No problems found.", problems: "{{count}} problems", problems_one: "1 problem",
  hidden: "{{count}} more that follow from these are hidden: fix these first.",
  warnings: "{{count}} warnings", warnings_one: "1 warning", line: "Line {{line}}",
  draftDiagram: "Diagram of this draft", noDiagram: "The diagram is drawn when the draft has no errors.",
  review: "Review and publish", diffTitle: "Changes against published version {{version}}",
  newProcess: "A new process: nothing is published as {{key}} yet.",
  unchanged: "Nothing changed against the published version.",
  confirm: "Publish this as version {{version}} of {{key}}? Running requests keep the version they started with.",
  publish: "Publish", cancel: "Cancel", published: "Version {{version}} published.",
  retire: "Retire process", unretire: "Take back into use", retired: "Retired",
  retireConfirm: "Retire “{{title}}”? No new request can start; running requests finish as usual.",
  retiredBy: "Retired on {{date}} by {{who}}: no new request can start; running requests finish.",
  unretired: "New requests can start again.",
};

export const editorZh: typeof editorEn = {
  open: "编辑 YAML", close: "关闭编辑器", title: "编辑流程定义",
  hint: "直接输入 YAML：边输入边检查，按 Ctrl+空格 提示可用的键和值。",
  label: "YAML 流程定义", chooseFile: "载入 YAML 文件", checking: "检查中…",
  valid: "没有发现问题。", problems: "{{count}} 个问题", problems_one: "1 个问题",
  hidden: "另有 {{count}} 个由这些问题引起的错误未显示：请先改正这些。",
  warnings: "{{count}} 条提醒", warnings_one: "1 条提醒", line: "第 {{line}} 行",
  draftDiagram: "草稿的流程图", noDiagram: "草稿没有错误时才画出流程图。",
  review: "检查差异并发布", diffTitle: "与已发布的第 {{version}} 版相比的改动",
  newProcess: "新流程：{{key}} 还没有发布过。",
  unchanged: "与已发布的版本相比没有改动。",
  confirm: "发布为 {{key}} 的第 {{version}} 版？进行中的申请仍按它们开始时的版本办理。",
  publish: "发布", cancel: "取消", published: "第 {{version}} 版已发布。",
  retire: "停用流程", unretire: "恢复使用", retired: "已停用",
  retireConfirm: "停用“{{title}}”？之后不能再发起新申请；进行中的申请照常办完。",
  retiredBy: "{{who}} 于 {{date}} 停用：不能再发起新申请，进行中的申请照常办完。",
  unretired: "已恢复，可以发起新申请。",
};
