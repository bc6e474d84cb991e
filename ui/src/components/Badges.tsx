import { useTranslation } from "react-i18next";

export function StatusBadge({ status }: { status: string }) {
  const { t } = useTranslation();
  return <span className={`badge badge-${status}`}>{t(`status.${status}`, { defaultValue: status })}</span>;
}

export function DueBadge({ overdue, dueSoon }: { overdue: boolean; dueSoon: boolean }) {
  const { t } = useTranslation();
  if (overdue) return <span className="badge badge-overdue">{t("status.overdue")}</span>;
  if (dueSoon) return <span className="badge badge-due-soon">{t("status.dueSoon")}</span>;
  return null;
}
