// Download a file the API serves behind the bearer token (an <a href> cannot send it).
import { getToken } from "../api/client";

/** GET an API path with the bearer token and the UI's language; throws unless 2xx. */
async function fetchAuthorized(path: string): Promise<Response> {
  const headers: Record<string, string> = {
    "Accept-Language": localStorage.getItem("signoff.lang") ?? navigator.language ?? "en",
  };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(`/api${path}`, { headers });
  if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
  return r;
}

export async function downloadFile(path: string, filename: string): Promise<void> {
  const r = await fetchAuthorized(path);
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
  return (await fetchAuthorized(path)).text();
}
