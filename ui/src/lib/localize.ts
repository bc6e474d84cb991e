// Demo data carries Chinese names beside English ones (name_zh, title_zh, ...).
import { normLang } from "./format";

type Bag = object | null | undefined;

/** obj[field + "_zh"] when the UI speaks Chinese and it is set, else obj[field]. */
export function localized(obj: Bag, field: string, lang: string | undefined): string {
  if (!obj) return "";
  const rec = obj as Record<string, unknown>;
  if (normLang(lang) === "zh-CN") {
    const zh = rec[`${field}_zh`];
    if (typeof zh === "string" && zh) return zh;
  }
  const v = rec[field];
  return typeof v === "string" ? v : "";
}

export interface Named {
  username: string;
  name?: string | null;
  name_zh?: string | null;
}

/** A person's display name in the UI language; the username when unknown. */
export function personName(username: string | null | undefined, people: Map<string, Named>,
  lang: string | undefined): string {
  if (!username) return "";
  const p = people.get(username);
  return (p && localized(p, "name", lang)) || username;
}
