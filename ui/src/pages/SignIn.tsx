import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation, useNavigate } from "react-router-dom";
import { ApiError } from "../api/client";
import type { DemoUserOut } from "../api/types";
import { useAuth } from "../auth";
import { LanguageSwitch } from "../components/Layout";
import { ProblemView, Spinner } from "../components/ProblemView";
import { localized } from "../lib/localize";
import { useApi } from "../lib/useApi";

export default function SignIn() {
  const { t, i18n } = useTranslation();
  const { user, signIn, expired } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? "/inbox";
  const demo = useApi<DemoUserOut[]>("/auth/demo-users");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  if (user) return <Navigate to={from} replace />;

  async function go(u: string, p: string) {
    setBusy(true);
    setError(undefined);
    try {
      await signIn(u, p);
      navigate(from, { replace: true });
    } catch (e) {
      setError(e instanceof ApiError ? e : undefined);
      setBusy(false);
    }
  }
  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void go(username, password);
  }

  return (
    <div className="login-page">
      <div className="login-top"><LanguageSwitch /></div>
      <div className="login-card card">
        <h1 className="brand-big"><img src="/favicon.svg" alt="" width="32" height="32" /> {t("app.name")}</h1>
        <p className="muted">{t("app.tagline")}</p>
        {expired && <div className="notice">{t("errors.notSignedIn")}</div>}
        <form onSubmit={onSubmit} className="stack">
          <label>{t("login.username")}
            <input name="username" autoComplete="username" value={username}
              onChange={(e) => setUsername(e.target.value)} required />
          </label>
          <label>{t("login.password")}
            <input name="password" type="password" autoComplete="current-password" value={password}
              onChange={(e) => setPassword(e.target.value)} required />
          </label>
          {error && (error.status === 401 || error.status === 422
            ? <div className="problem" role="alert"><strong>{t("login.failed")}</strong></div>
            : <ProblemView error={error} />)}
          <button className="btn btn-primary" type="submit" disabled={busy}>
            {busy ? t("common.working") : t("login.submit")}
          </button>
        </form>
        {demo.loading && <Spinner />}
        {demo.data && demo.data.length > 0 && (
          <section className="demo-users">
            <h2>{t("login.demoUsers")}</h2>
            <p className="muted small">{t("login.demoHint")}</p>
            <ul>
              {demo.data.map((d) => (
                <li key={d.username}>
                  <button type="button" className="demo-user" data-username={d.username}
                    disabled={busy} onClick={() => void go(d.username, d.password)}>
                    <strong>{localized(d, "name", i18n.language) || d.username}</strong>
                    <span className="muted small">{d.username} · {localized(d, "description", i18n.language)}</span>
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>
    </div>
  );
}
