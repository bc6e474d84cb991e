import type { InitOptions } from "i18next";
import en from "./en";
import zh from "./zh-CN";

export const LANG_KEY = "signoff.lang";

/** Any Chinese variant the browser reports reads the zh-CN texts; anything else English. */
export function pickLanguage(lng: string): string {
  return lng.toLowerCase().startsWith("zh") ? "zh-CN" : "en";
}

export const i18nOptions: InitOptions = {
  resources: { en: { translation: en }, "zh-CN": { translation: zh } },
  fallbackLng: "en",
  supportedLngs: ["en", "zh-CN"],
  interpolation: { escapeValue: false },
  detection: {
    order: ["localStorage", "navigator"],
    lookupLocalStorage: LANG_KEY,
    caches: ["localStorage"],
    convertDetectedLanguage: pickLanguage,
  },
};
