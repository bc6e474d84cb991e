import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import type { InstancePage, InstanceSummaryOut } from "../api/types";
import { useAuth } from "../auth";
import { StatusBadge } from "../components/Badges";
import { ListFilters, Pager } from "../components/ListControls";
import { ProblemView, Spinner } from "../components/ProblemView";
import { formatDateTime, formatDuration, secondsSince } from "../lib/format";
import { listQuery, offsetOf, PAGE_SIZE, REQUEST_SORTS } from "../lib/lists";
import { personName } from "../lib/localize";
import { useApi } from "../lib/useApi";

type Scope = "mine" | "cc" | "all";

/** Where an open request is: its step, or back with the requester. */
function Where({ r, scope }: { r: InstanceSummaryOut; scope: Scope }) {
  const { t, i18n } = useTranslation();
  const { people } = useAuth();
  const lang = i18n.language;
  if (r.status === "returned") {
    return (
      <div className="small row wrap gap-sm where" data-testid="where">
        <span><strong>{scope === "mine" ? t("lists.returnedToYou") : t("lists.returnedTo",
          { name: personName(r.initiator, people, lang) })}</strong></span>
        {r.since && <span>· {formatDuration(secondsSince(r.since), lang)}</span>}
      </div>
    );
  }
  return (
    <div className="small row wrap gap-sm where" data-testid="where">
      {(r.current_node_title ?? r.current_node) &&
        <span>{t("requests.where")}: <strong>{r.current_node_title ?? r.current_node}</strong></span>}
      {!!r.holders?.length && <span>· {t("requests.heldBy")}: {r.holders.map((h) => personName(h, people, lang)).join(", ")}</span>}
      {r.since && <span>· {formatDuration(secondsSince(r.since), lang)}</span>}
    </div>
  );
}

/** My requests (started by me, copied to me) and, for owners and admins, all requests:
 * searched, filtered, sorted and paged on the server. */
export default function MyRequests({ all = false }: { all?: boolean }) {
  const { t, i18n } = useTranslation();
  const { people, user } = useAuth();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const scope: Scope = all ? "all" : params.get("scope") === "cc" ? "cc" : "mine";
  const offset = offsetOf(params);
  const list = useApi<InstancePage>(`/instances?${listQuery(params, { scope }, { offset, limit: PAGE_SIZE })}`);
  const lang = i18n.language;
  const owner = !!user && (user.is_admin || user.is_process_owner);
  const tabs: Scope[] = owner ? ["mine", "cc", "all"] : ["mine", "cc"];
  const goTo = (n: number) => {
    const next = new URLSearchParams(params);
    next.set("offset", String(n));
    setParams(next);
  };
  const items = list.data?.items ?? [];
  return (
    <div className="page">
      <div className="page-head">
        <h1>{all ? t("lists.allTitle") : t("requests.title")}</h1>
        {list.data && <span className="muted" data-testid="list-total">
          {t(list.data.total_exact ? "lists.total" : "lists.totalAbout", { count: list.data.total })}</span>}
      </div>
      <div className="tabs" role="tablist">
        {tabs.map((s) => (
          <button key={s} type="button" role="tab" aria-selected={scope === s}
            className={scope === s ? "tab active" : "tab"}
            onClick={() => navigate(s === "all" ? "/requests/all" : `/requests?scope=${s}`)}>
            {s === "all" ? t("lists.allTitle") : t(`requests.${s}`)}
          </button>
        ))}
      </div>
      <ListFilters params={params} setParams={setParams} sorts={REQUEST_SORTS} statuses
        exportPath={`/instances.xlsx?${listQuery(params, { scope })}`} exportName="requests.xlsx" />
      {list.loading && !list.data && <Spinner />}
      {list.error && <ProblemView error={list.error} onRetry={list.reload} />}
      {list.data && items.length === 0 && <p className="empty">{t("requests.empty")}</p>}
      {items.length > 0 && (
        <ul className="request-list">
          {items.map((r) => {
            const open = r.status === "running" || r.status === "returned";
            return (
              <li key={r.id} className="card request-card" data-testid="request">
                <Link to={`/requests/${r.id}`} className="task-link">
                  <div className="row wrap gap-sm">
                    {r.number && <span className="request-number" data-testid="request-number">{r.number}</span>}
                    <strong className="grow">{r.title || r.definition_title || r.definition}</strong>
                    <StatusBadge status={r.status} />
                  </div>
                  <div className="muted small row wrap gap-sm">
                    <span>{r.definition_title ?? r.definition}</span>
                    {scope !== "mine" && <span>· {personName(r.initiator, people, lang)}</span>}
                    <span>· {t("requests.started")} {formatDateTime(r.started_at, lang)}</span>
                  </div>
                  {open && <Where r={r} scope={scope} />}
                </Link>
              </li>
            );
          })}
        </ul>
      )}
      {list.data && <Pager offset={offset} size={PAGE_SIZE} total={list.data.total}
        exact={list.data.total_exact} count={items.length} onPage={goTo} />}
    </div>
  );
}
