// Pure helpers of the bell, the notification settings and the admins' outbox page.
import type { NotificationOut, PreferencesOut } from "../api/types";
import { localized, personName, type Named } from "./localize";

export const KINDS = ["task_assigned", "reminder", "escalated", "returned", "approved",
  "rejected", "now_with", "copied"] as const;

/** The i18n key and its values for one notification's sentence. */
export function describe(n: NotificationOut, people: Map<string, Named>, lang: string | undefined):
  { key: string; values: Record<string, string> } {
  const p = n.payload as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const holders = Array.isArray(p.holders) ? p.holders.filter((h): h is string => typeof h === "string") : [];
  const kind = (KINDS as readonly string[]).includes(n.kind) ? n.kind : "other";
  return {
    key: `bell.kind_${kind}`,
    values: {
      title: localized(p, "request_title", lang) || str(p.request_number),
      step: localized(p, "step", lang) || str(p.node),
      actor: personName(str(p.actor), people, lang),
      holders: holders.map((h) => personName(h, people, lang)).join(", "),
    },
  };
}

/** Where a notification leads in the UI: its path when it is a UI route, else the request. */
export function target(n: NotificationOut): string {
  const path = (n.payload as Record<string, unknown>).path;
  if (typeof path === "string" && /^\/(tasks|requests)\/[\w-]+$/.test(path)) return path;
  return n.instance_id ? `/requests/${n.instance_id}` : "/inbox";
}

/** The badge text: nothing at 0, "99+" past 99. */
export function badge(count: number): string {
  if (count <= 0) return "";
  return count > 99 ? "99+" : String(count);
}

export interface PreferenceForm {
  channels: string[];
  language: string;
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
  timezone: string;
  digest: boolean;
}

export function toForm(p: PreferencesOut, uiLanguage: string | undefined): PreferenceForm {
  return {
    channels: p.channels.includes("app") ? p.channels : ["app", ...p.channels],
    language: p.language ?? (uiLanguage?.startsWith("zh") ? "zh" : "en"),
    quiet: !!(p.quiet_start && p.quiet_end),
    quietStart: p.quiet_start ?? "22:00",
    quietEnd: p.quiet_end ?? "08:00",
    timezone: p.timezone,
    digest: p.digest,
  };
}

/** The i18n key of what is wrong with the form, or null. */
export function formError(f: PreferenceForm): string | null {
  if (f.quiet) {
    const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;
    if (!hhmm.test(f.quietStart) || !hhmm.test(f.quietEnd)) return "settings.badTime";
    if (f.quietStart === f.quietEnd) return "settings.sameTimes";
  }
  if (!f.timezone.trim()) return "settings.noTimezone";
  return null;
}

/** The PUT /me/preferences body. Without quiet hours both ends are cleared (""). */
export function toBody(f: PreferenceForm): Record<string, unknown> {
  return {
    channels: ["app", ...f.channels.filter((c) => c !== "app")],
    language: f.language,
    quiet_start: f.quiet ? f.quietStart : "",
    quiet_end: f.quiet ? f.quietEnd : "",
    timezone: f.timezone.trim(),
    digest: f.digest,
  };
}
