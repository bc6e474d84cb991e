// Definition errors in the reader's language. The server words them in plain English
// (engine/core/explain.py keeps only the root errors and says YAML syntax errors as what
// to do); this turns the common ones into Chinese. A message no pattern knows stays
// English rather than being guessed at. The parser's own words, "(YAML: ...)", are kept.

type Rule = [RegExp, (m: RegExpMatchArray) => string];

const q = (s: string) => `“${s}”`;

const ZH: Rule[] = [
  [/^step '([^']+)' is never reached, and (\d+) route\(s\) go to '([^']+)', which is no step \(line ([\d, ]+)\): one of the two names is misspelt$/,
    (m) => `步骤 ${q(m[1])} 永远不会被走到，而有 ${m[2]} 条路线指向不存在的步骤 ${q(m[3])}（第 ${m[4]} 行）：两个名字中有一个拼错了`],
  [/^unknown target node '([^']+)': no step has that name \(did you mean '([^']+)'\?\)$/,
    (m) => `没有名为 ${q(m[1])} 的步骤（是否想写 ${q(m[2])}？）`],
  [/^unknown target node '([^']+)'$/, (m) => `没有名为 ${q(m[1])} 的步骤`],
  [/^unknown key '([^']+)' in the definition \(did you mean '([^']+)'\?\)$/,
    (m) => `定义顶层有未知的键 ${q(m[1])}（是否想写 ${q(m[2])}？）`],
  [/^unknown key '([^']+)' in (.+) \(did you mean '([^']+)'\?\)$/,
    (m) => `${m[2]} 中有未知的键 ${q(m[1])}（是否想写 ${q(m[3])}？）`],
  [/^unknown key '([^']+)' in the definition \(allowed: (.*)\)$/,
    (m) => `定义顶层有未知的键 ${q(m[1])}（允许：${m[2]}）`],
  [/^unknown key '([^']+)' in (.+) \(allowed: (.*)\)$/,
    (m) => `${m[2]} 中有未知的键 ${q(m[1])}（允许：${m[3]}）`],
  [/^(.+): '([^']*)' is not one of (.+) \(did you mean '([^']+)'\?\)$/,
    (m) => `${where(m[1])}：${q(m[2])} 不是可选值（${m[3]}）之一（是否想写 ${q(m[4])}？）`],
  [/^(.+): '([^']*)' is not one of (.+)$/,
    (m) => `${where(m[1])}：${q(m[2])} 不是可选值 ${m[3]} 之一`],
  [/^(.+): '(\w+)' is a required property$/, (m) => `${where(m[1])}：缺少必填的 ${q(m[2])}`],
  [/^(.+): '([^']*)' must be a duration such as 2d, 4h, 1d12h or 30m$/,
    (m) => `${where(m[1])}：${q(m[2])} 应为时长，如 2d、4h、1d12h 或 30m`],
  [/^(.+): '([^']*)' must be lower_snake_case .*$/,
    (m) => `${where(m[1])}：${q(m[2])} 只能用小写字母、数字和下划线，并以字母开头`],
  [/^(.+): (.+) is not of type '(\w+)'$/, (m) => `${where(m[1])}：${m[2]} 的类型应为 ${m[3]}`],
  [/^unknown role '([^']+)'$/, (m) => `组织目录中没有角色 ${q(m[1])}`],
  [/^unknown user '([^']+)'$/, (m) => `组织目录中没有用户 ${q(m[1])}`],
  [/^node '([^']+)' cannot be reached from start '([^']+)'$/,
    (m) => `从开始步骤 ${q(m[2])} 走不到步骤 ${q(m[1])}`],
  [/^no final node can be reached from '([^']+)'$/, (m) => `从 ${q(m[1])} 走不到任何结束步骤`],
  [/^start node '([^']+)' is not defined$/, (m) => `开始步骤 ${q(m[1])} 没有定义`],
  [/^approval node '([^']+)' needs 'approvers'$/, (m) => `审批步骤 ${q(m[1])} 需要 approvers（审批人）`],
  [/^approval node '([^']+)' needs 'on: \{approve: \.\.\.\}'$/,
    (m) => `审批步骤 ${q(m[1])} 需要 on: {approve: ...}（通过后去哪一步）`],
  [/^(final|notify) node '([^']+)' cannot have '(\w+)'$/,
    (m) => `${m[1] === "final" ? "结束" : "抄送"}步骤 ${q(m[2])} 不能有 ${q(m[3])}`],
  [/^notify node '([^']+)' needs 'next'$/, (m) => `抄送步骤 ${q(m[1])} 需要 next（下一步）`],
  [/^condition '(.+)' names '([^']+)', which the form does not have$/,
    (m) => `条件 ${q(m[1])} 用到了表单中没有的字段 ${q(m[2])}`],
  [/^condition (.+) does not parse: (.+)$/, (m) => `条件 ${m[1]} 无法解析：${m[2]}`],
  [/^return target '([^']+)' is not an earlier approval node$/,
    (m) => `退回目标 ${q(m[1])} 不是之前的审批步骤`],
  [/^routes for '(\w+)' need a last entry without 'if'$/,
    (m) => `${q(m[1])} 的路线需要最后一条不带 if 的默认路线`],
  [/^approver field '([^']+)' is not in the form$/, (m) => `审批人字段 ${q(m[1])} 不在表单中`],
  [/^in_unit field '([^']+)' is not in the form$/, (m) => `in_unit 字段 ${q(m[1])} 不在表单中`],
  [/^in_unit field '([^']+)' can hold '([^']+)', which is not an org unit$/,
    (m) => `in_unit 字段 ${q(m[1])} 可能取值 ${q(m[2])}，但它不是组织单元`],
  [/^unknown org unit '([^']+)'$/, (m) => `组织目录中没有单元 ${q(m[1])}`],
  [/^'(\w+)' needs exactly one of (.+?)( \(found: (.+)\))?$/,
    (m) => `${q(m[1])} 需要且只能有 ${m[2]} 之一${m[4] ? `（现有：${m[4]}）` : ""}`],
  [/^invalid form schema: (.+)$/, (m) => `表单定义（form）无效：${m[1]}`],
  [/^expected a mapping at the top$/, () => "文件顶层应为映射（key: value 形式）"],
  // YAML syntax, as engine/core/explain.py words it
  [/^this line is indented more than the one above it, so YAML reads it as the rest of that line's value: line it up with the keys above$/,
    () => "这一行比上一行缩进得多，YAML 把它当成上一行值的延续：请与上面的键对齐"],
  [/^this line is indented differently from the lines above it: keys of one mapping must start in the same column$/,
    () => "这一行的缩进与上面的行不一致：同一层的键必须从同一列开始"],
  [/^this list is indented differently from the lines above it: line up each '- ' item$/,
    () => "这个列表的缩进与上面的行不一致：每个 “- ” 项要对齐"],
  [/^a '- ' list item where a key was expected: indent the list under its key$/,
    () => "这里应为键，却出现了 “- ” 列表项：请把列表缩进到它的键下面"],
  [/^this line is indented differently from the lines above it$/, () => "这一行的缩进与上面的行不一致"],
  [/^this line does not line up with the keys above it: check its indentation$/,
    () => "这一行没有与上面的键对齐：请检查缩进"],
  [/^this line does not line up with the '- ' items above it: check its indentation$/,
    () => "这一行没有与上面的 “- ” 项对齐：请检查缩进"],
  [/^a second ':' on one line: .*$/,
    () => "一行中出现了第二个 “:”：含有 “: ” 的文字请加引号，或把值另起一行缩进书写"],
  [/^a key without ':' .*$/, () => "键后面缺少 “:”（或者跨行的文字应加引号）"],
  [/^a tab character: YAML indents with spaces only$/, () => "出现了制表符：YAML 只能用空格缩进"],
  [/^a quote is opened and never closed$/, () => "引号没有闭合"],
  [/^a \[ \.\.\. \] list is not closed with '\]' or misses a ','$/, () => "[ ... ] 列表没有用 “]” 闭合，或缺少 “,”"],
  [/^a \{ \.\.\. \} mapping is not closed with '\}' or misses a ','$/, () => "{ ... } 映射没有用 “}” 闭合，或缺少 “,”"],
  [/^the key '(.*)' appears twice in the same mapping: keep one$/, (m) => `键 ${q(m[1])} 在同一层出现了两次：只保留一个`],
  [/^the character '(.)' cannot start a value here: put the value in quotes$/,
    (m) => `字符 ${q(m[1])} 不能作为值的开头：请给值加引号`],
  [/^YAML anchors and aliases .*$/, () => "不允许使用 YAML 锚点和别名（&name、*name）"],
  [/^YAML syntax error: (.*)$/, (m) => `YAML 语法错误：${m[1]}`],
  // warnings (engine/core/lint.py)
  [/^approval node '([^']+)' has no 'reject:' route: its approvers cannot reject$/,
    (m) => `审批步骤 ${q(m[1])} 没有 reject: 路线：审批人无法驳回`],
  [/^route to '([^']+)' for '(\w+)' can never be taken: (.+)$/,
    (m) => `${q(m[2])} 去往 ${q(m[1])} 的路线永远不会被走到：${m[3]}`],
  [/^the approvers of '([^']+)' can be empty: (.+)$/, (m) => `步骤 ${q(m[1])} 的审批人可能为空：${m[2]}`],
];

/** "nodes.a.mode" stays as it is; "the definition" is the top level. */
function where(path: string): string {
  return path === "the definition" ? "定义顶层" : path;
}

/** The message in Chinese when ``lang`` is Chinese and the message is a known one. */
export function translateDefinitionMessage(message: string, lang: string): string {
  if (!lang.toLowerCase().startsWith("zh")) return message;
  const yamlAt = message.indexOf(" (YAML: ");
  const [body, said] = yamlAt >= 0 ? [message.slice(0, yamlAt), message.slice(yamlAt)] : [message, ""];
  for (const [pattern, say] of ZH) {
    const m = body.match(pattern);
    if (m) return say(m) + (said ? `（YAML 原文：${said.slice(" (YAML: ".length, -1)}）` : "");
  }
  return message;
}

export interface LineError {
  line?: number | null;
  column?: number | null;
  message: string;
  severity?: string | null;
}

/** A 1-based line and column as an offset into ``text`` (clamped to the text). */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  const lines = text.split("\n");
  const l = Math.min(Math.max(line, 1), lines.length);
  for (let i = 0; i < l - 1; i++) offset += lines[i].length + 1;
  return offset + Math.min(Math.max(column - 1, 0), lines[l - 1].length);
}
