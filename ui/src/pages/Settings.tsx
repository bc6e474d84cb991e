// Each person's notification settings: channels, language, quiet hours, digest.
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError } from "../api/client";
import type { ChannelsOut, PreferencesOut } from "../api/types";
import { ProblemView, Spinner } from "../components/ProblemView";
import { formError, toBody, toForm, type PreferenceForm } from "../lib/notifications";
import { useApi } from "../lib/useApi";

export default function Settings() {
  const { t, i18n } = useTranslation();
  const prefs = useApi<PreferencesOut>("/me/preferences");
  const channels = useApi<ChannelsOut>("/channels");
  const [form, setForm] = useState<PreferenceForm>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError>();
  useEffect(() => {
    if (prefs.data) setForm(toForm(prefs.data, i18n.language));
  }, [prefs.data, i18n.language]);

  if (prefs.error) return <ProblemView error={prefs.error} onRetry={prefs.reload} />;
  if (!form) return <Spinner />;
  const invalid = formError(form);
  const configured = new Set(channels.data?.configured ?? ["app"]);
  const set = (patch: Partial<PreferenceForm>) => {
    setForm({ ...form, ...patch });
    setSaved(false);
  };

  async function save() {
    if (!form || invalid) return;
    setBusy(true);
    setError(undefined);
    try {
      const out = await api<PreferencesOut>("/me/preferences", { method: "PUT", body: toBody(form) });
      setForm(toForm(out, i18n.language));
      setSaved(true);
    } catch (e) {
      if (e instanceof ApiError) setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page narrow">
      <div className="page-head"><h1>{t("settings.title")}</h1></div>
      <form className="card stack settings-form" onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}>
        <fieldset>
          <legend>{t("settings.channels")}</legend>
          <p className="muted small">{t("settings.channelsHint")}</p>
          {(channels.data?.available ?? ["app", "email"]).map((c) => (
            <label key={c} className="check">
              <input type="checkbox" name={`channel-${c}`} checked={c === "app" || form.channels.includes(c)}
                disabled={c === "app"} onChange={(e) => set({
                  channels: e.target.checked ? [...form.channels, c] : form.channels.filter((x) => x !== c),
                })} />
              <span>{t(`settings.channel_${c}`)}</span>
              {!configured.has(c) && <span className="badge">{t("settings.notSetUp")}</span>}
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>{t("settings.language")}</span>
          <select name="language" value={form.language} onChange={(e) => set({ language: e.target.value })}>
            <option value="zh">中文</option>
            <option value="en">English</option>
          </select>
        </label>
        <fieldset>
          <legend>{t("settings.quiet")}</legend>
          <label className="check">
            <input type="checkbox" name="quiet" checked={form.quiet} onChange={(e) => set({ quiet: e.target.checked })} />
            <span>{t("settings.quietOn")}</span>
          </label>
          {form.quiet && (
            <div className="row gap wrap">
              <label className="field"><span>{t("settings.from")}</span>
                <input type="time" name="quiet_start" value={form.quietStart} onChange={(e) => set({ quietStart: e.target.value })} /></label>
              <label className="field"><span>{t("settings.to")}</span>
                <input type="time" name="quiet_end" value={form.quietEnd} onChange={(e) => set({ quietEnd: e.target.value })} /></label>
            </div>
          )}
          <label className="field">
            <span>{t("settings.timezone")}</span>
            <input name="timezone" value={form.timezone} list="timezones" onChange={(e) => set({ timezone: e.target.value })} />
            <datalist id="timezones">
              {["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Singapore", "Asia/Tokyo", "Europe/London", "Europe/Berlin", "America/New_York", "UTC"]
                .map((z) => <option key={z} value={z} />)}
            </datalist>
          </label>
        </fieldset>
        <fieldset>
          <legend>{t("settings.delivery")}</legend>
          <label className="check">
            <input type="radio" name="digest" checked={!form.digest} onChange={() => set({ digest: false })} />
            <span>{t("settings.perMessage")}</span>
          </label>
          <label className="check">
            <input type="radio" name="digest" checked={form.digest} onChange={() => set({ digest: true })} />
            <span>{t("settings.digest")}</span>
          </label>
        </fieldset>
        {invalid && <p className="notice notice-warn" role="alert">{t(invalid)}</p>}
        {error && <ProblemView error={error} />}
        <div className="row gap">
          <button type="submit" className="btn btn-primary" disabled={busy || !!invalid}>{t("common.save")}</button>
          {saved && <span className="muted" role="status" data-testid="saved">{t("settings.saved")}</span>}
        </div>
      </form>
    </div>
  );
}
