import { lazy, Suspense, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router-dom";
import { AuthProvider, useAuth } from "./auth";
import { Layout } from "./components/Layout";
import { Spinner } from "./components/ProblemView";
import SignIn from "./pages/SignIn";

const Inbox = lazy(() => import("./pages/Inbox"));
const TaskPage = lazy(() => import("./pages/TaskPage"));
const NewRequest = lazy(() => import("./pages/NewRequest"));
const MyRequests = lazy(() => import("./pages/MyRequests"));
const AllRequests = lazy(() => import("./pages/AllRequests"));
const RequestPage = lazy(() => import("./pages/RequestPage"));
const Processes = lazy(() => import("./pages/Processes"));
const ProcessPage = lazy(() => import("./pages/ProcessPage"));
const Dashboard = lazy(() => import("./pages/Dashboard"));
const Board = lazy(() => import("./pages/Board"));
const Settings = lazy(() => import("./pages/Settings"));
const AdminOutbox = lazy(() => import("./pages/AdminOutbox"));
const AdminAudit = lazy(() => import("./pages/AdminAudit"));

function RequireAuth({ children }: { children: ReactNode }) {
  const { user, ready } = useAuth();
  const location = useLocation();
  if (!ready) return <Spinner />;
  if (!user) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

function NotFound() {
  const { t } = useTranslation();
  return <div className="problem" role="alert"><strong>{t("errors.pageNotFound")}</strong></div>;
}

export default function App() {
  return (
    <AuthProvider>
      <BrowserRouter>
        <Suspense fallback={<Spinner />}>
          <Routes>
            <Route path="/login" element={<SignIn />} />
            <Route element={<RequireAuth><Layout /></RequireAuth>}>
              <Route index element={<Navigate to="/inbox" replace />} />
              <Route path="inbox" element={<Inbox />} />
              <Route path="tasks/:id" element={<TaskPage />} />
              <Route path="new" element={<NewRequest />} />
              <Route path="new/:key" element={<NewRequest />} />
              <Route path="requests" element={<MyRequests />} />
              <Route path="requests/all" element={<AllRequests />} />
              <Route path="requests/:id" element={<RequestPage />} />
              <Route path="processes" element={<Processes />} />
              <Route path="processes/:key" element={<ProcessPage />} />
              <Route path="board" element={<Board />} />
              <Route path="dashboard" element={<Dashboard />} />
              <Route path="dashboard/:key" element={<Dashboard />} />
              <Route path="settings" element={<Settings />} />
              <Route path="admin/outbox" element={<AdminOutbox />} />
              <Route path="admin/audit" element={<AdminAudit />} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </Suspense>
      </BrowserRouter>
    </AuthProvider>
  );
}
