import i18n from "i18next";
import LanguageDetector from "i18next-browser-languagedetector";
import { initReactI18next } from "react-i18next";
import { i18nOptions } from "./options";

export { LANG_KEY } from "./options";

export const LANGUAGES = [
  { code: "en", label: "English" },
  { code: "zh-CN", label: "中文" },
] as const;

// The chosen language is kept in localStorage; the first visit follows the browser.
void i18n.use(LanguageDetector).use(initReactI18next).init(i18nOptions);

i18n.on("languageChanged", (lng) => {
  document.documentElement.lang = lng;
});

export default i18n;
