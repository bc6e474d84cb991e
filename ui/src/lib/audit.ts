// The audit log in words: who (a person's name, not a username), what (an action in
// words; its code stays the filter value and a tooltip), on what, and the detail with
// labels, names and dates instead of raw keys and ISO strings.
import type { TFunction } from "i18next";
import type { AuditEntryOut } from "../api/types";
import { formatDateTime } from "./format";
import { personName, type Named } from "./localize";

/** Every action the server records (engine.store.audit and its callers). */
export const AUDIT_ACTIONS = [
  "sign_in.failed", "sign_in.locked", "password.changed", "password.reset",
  "definition.published", "definition.retired", "definition.unretired",
  "token.issued", "token.revoked", "outbox.retried", "org.synced",
] as const;

const key = (code: string) => code.replace(/\./g, "_");

export function actionWords(t: TFunction, code: string): string {
  return t(`audit.act_${key(code)}`, { defaultValue: code });
}

type People = Map<string, Named>;
type Titles = Map<string, string>;

/** Who acted: a person's name, the command line's user, or nobody signed in. */
export function actorWords(t: TFunction, actor: string | null | undefined, people: People,
  lang: string): string {
  if (!actor) return t("audit.nobody");
  if (actor === "cli" || actor.startsWith("cli:")) return t("audit.cli", { user: actor.slice(4) || "—" });
  return personName(actor, people, lang);
}

/** What the action was about, in words. */
export function subjectWords(t: TFunction, r: AuditEntryOut, people: People, titles: Titles,
  lang: string): string {
  const d = r.detail ?? {};
  const area = r.action.split(".")[0];
  if (area === "sign_in" || area === "password") return personName(r.subject, people, lang);
  if (area === "definition" && typeof d.key === "string") {
    const title = titles.get(d.key) ?? d.key;
    return d.version != null ? t("audit.subjectVersion", { title, version: d.version }) : title;
  }
  const token = /^token (\S+)$/.exec(r.subject);
  if (token) return t("audit.subjectToken", { id: token[1] });
  if (area === "outbox") {
    const ids = Array.isArray(d.ids) ? d.ids.length : 0;
    return ids ? t("audit.subjectMessages", { count: ids }) : t("audit.subjectDead");
  }
  return r.subject;
}

const SHOWN_IN_SUBJECT = new Set(["key", "version", "ids"]);
const PEOPLE_LISTS = new Set(["new", "moved", "changed", "left"]);
const WHEN = new Set(["until", "expires_at"]);

/** The detail as "label: value" pieces (names, dates and reasons in words). */
export function detailWords(t: TFunction, r: AuditEntryOut, people: People, lang: string): string[] {
  return Object.entries(r.detail ?? {})
    .filter(([k, v]) => !SHOWN_IN_SUBJECT.has(k) && v != null && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => {
      let value: string;
      if (PEOPLE_LISTS.has(k) && Array.isArray(v)) value = v.map((u) => personName(String(u), people, lang)).join(", ");
      else if (WHEN.has(k) && typeof v === "string") value = formatDateTime(v, lang);
      else if (k === "reason" && typeof v === "string") value = t(`audit.reason_${v}`, { defaultValue: v });
      else value = Array.isArray(v) ? v.join(", ") : typeof v === "string" ? v : JSON.stringify(v);
      return `${t(`audit.d_${k}`, { defaultValue: k })}: ${value}`;
    });
}
