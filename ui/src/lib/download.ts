// Download a file the API serves behind the bearer token (an <a href> cannot send it).
import { getToken } from "../api/client";

export async function downloadFile(path: string, filename: string): Promise<void> {
  const headers: Record<string, string> = {
    "Accept-Language": localStorage.getItem("signoff.lang") ?? navigator.language ?? "en",
  };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(`/api${path}`, { headers });
  if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

/** GET a text resource (an HTML preview) behind the bearer token. */
export async function fetchText(path: string): Promise<string> {
  const headers: Record<string, string> = {
    "Accept-Language": localStorage.getItem("signoff.lang") ?? navigator.language ?? "en",
  };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(`/api${path}`, { headers });
  if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
  return r.text();
}
