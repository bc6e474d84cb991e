import { useState } from "react";
import { useTranslation } from "react-i18next";
import { fetchText } from "../lib/download";

/** Today's daily report of a process as the mail shows it (owners, product managers,
 * admins; processes without `report: daily:` answer 404 and show a note). */
export function DailyReportPreview({ process }: { process: string }) {
  const { t } = useTranslation();
  const [html, setHtml] = useState<string>();
  const [note, setNote] = useState<string>();
  const open = async () => {
    setNote(undefined);
    try {
      setHtml(await fetchText(`/reports/${encodeURIComponent(process)}/preview`));
    } catch (e) {
      setNote(String(e).includes("404") ? t("dailyReport.none") : String(e));
    }
  };
  return (
    <section className="card" data-testid="daily-report">
      <div className="row wrap gap-sm">
        <strong className="grow">{t("dailyReport.title")}</strong>
        <button type="button" className="btn btn-link" onClick={() => void (html ? setHtml(undefined) : open())}>
          {html ? t("common.close") : t("dailyReport.preview")}</button>
      </div>
      {note && <p className="muted small">{note}</p>}
      {html && <iframe title={t("dailyReport.title")} srcDoc={html} sandbox=""
        style={{ width: "100%", height: "640px", border: 0 }} />}
    </section>
  );
}
