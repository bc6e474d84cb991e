import { useTranslation } from "react-i18next";
import { NavLink, Outlet } from "react-router-dom";
import { useAuth } from "../auth";
import { LANGUAGES } from "../i18n";
import { localized } from "../lib/localize";
import { Bell } from "./Bell";

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <label className="lang-switch">
      <span className="sr-only">{t("nav.language")}</span>
      <select aria-label={t("nav.language")} value={i18n.resolvedLanguage ?? "en"}
        onChange={(e) => void i18n.changeLanguage(e.target.value)}>
        {LANGUAGES.map((l) => <option key={l.code} value={l.code}>{l.label}</option>)}
      </select>
    </label>
  );
}

export function Layout() {
  const { t, i18n } = useTranslation();
  const { user, signOut } = useAuth();
  const links = [
    { to: "/inbox", label: t("nav.inbox") },
    { to: "/new", label: t("nav.newRequest") },
    { to: "/requests", label: t("nav.myRequests") },
    { to: "/board", label: t("nav.board") },
    { to: "/processes", label: t("nav.processes") },
    { to: "/dashboard", label: t("nav.dashboard") },
    ...(user?.is_admin ? [{ to: "/admin/outbox", label: t("nav.outbox") }] : []),
  ];
  return (
    <div className="app">
      <header className="topbar">
        <NavLink to="/inbox" className="brand">
          <img src="/favicon.svg" alt="" width="22" height="22" />
          <span>{t("app.name")}</span>
        </NavLink>
        <nav className="nav" aria-label={t("nav.main")}>
          {links.map((l) => <NavLink key={l.to} to={l.to}>{l.label}</NavLink>)}
        </nav>
        <div className="topbar-right">
          <LanguageSwitch />
          <NavLink to="/settings" className="topbar-link">{t("nav.settings")}</NavLink>
          <Bell />
          {user && <span className="me" data-testid="me">{localized(user, "name", i18n.language) || user.username}</span>}
          <button type="button" className="btn btn-link" onClick={signOut}>{t("nav.signOut")}</button>
        </div>
      </header>
      <main className="main">
        <Outlet />
      </main>
    </div>
  );
}
