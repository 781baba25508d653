// Calls the agent API with the access token; one error shape back.
import { signOut, token } from "./auth";
import type { ApiErrorBody } from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody & Record<string, unknown>,
  ) {
    super(body.error?.message ?? `HTTP ${status}`);
  }
}

export type Unauthorized = () => void;
let onUnauthorized: Unauthorized = () => location.reload();

export function whenSignedOut(handler: Unauthorized): void {
  onUnauthorized = handler;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  const t = token();
  if (t) headers.authorization = `Bearer ${t}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`/api/agent${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    cache: "no-store",
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (response.status === 401) {
    signOut();
    onUnauthorized();
  }
  if (!response.ok) {
    const shaped = (
      body.error
        ? body
        : {
            error: {
              code: `http_${response.status}`,
              message: String(body.message ?? "The request failed."),
            },
          }
    ) as ApiErrorBody & Record<string, unknown>;
    throw new ApiError(response.status, shaped);
  }
  return body as T;
}

/** Fetches a file from the API (with the token) and hands it to the browser to save. */
export async function download(path: string, filename: string): Promise<void> {
  const t = token();
  const response = await fetch(`/api/agent${path}`, {
    headers: t ? { authorization: `Bearer ${t}` } : {},
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`The download failed (HTTP ${response.status}).`);
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
