import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, getToken, onUnauthorized, setToken } from "./api/client";
import type { LoginOut, UserOut } from "./api/types";
import type { Named } from "./lib/localize";

interface AuthState {
  user: UserOut | null;
  ready: boolean;
  people: Map<string, Named>;
  expired: boolean;
  signIn: (username: string, password: string) => Promise<UserOut>;
  signOut: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<UserOut | null>(null);
  const [ready, setReady] = useState(false);
  const [expired, setExpired] = useState(false);
  const [people, setPeople] = useState<Map<string, Named>>(new Map());

  const loadPeople = useCallback((me: UserOut) => {
    setPeople(new Map([[me.username, me]]));
    api<UserOut[]>("/users")
      .then((list) => setPeople(new Map([...list, me].map((u) => [u.username, u]))))
      .catch(() => undefined); // names fall back to usernames
  }, []);

  useEffect(() => {
    if (!getToken()) {
      setReady(true);
      return;
    }
    api<UserOut>("/me")
      .then((me) => {
        setUser(me);
        loadPeople(me);
      })
      .catch(() => setToken(null))
      .finally(() => setReady(true));
  }, [loadPeople]);

  useEffect(() => onUnauthorized(() => {
    setToken(null);
    setUser((u) => {
      if (u) setExpired(true);
      return null;
    });
  }), []);

  const signIn = useCallback(async (username: string, password: string) => {
    const out = await api<LoginOut>("/auth/login", { body: { username, password } });
    setToken(out.access_token);
    setExpired(false);
    setUser(out.user);
    loadPeople(out.user);
    return out.user;
  }, [loadPeople]);

  const signOut = useCallback(() => {
    setToken(null);
    setUser(null);
  }, []);

  const value = useMemo(() => ({ user, ready, people, expired, signIn, signOut }),
    [user, ready, people, expired, signIn, signOut]);
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}
