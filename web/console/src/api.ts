// Calls the agent API with the access token; one error shape back.
import createClient from "openapi-fetch";
import type { paths } from "./api.gen";
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

/**
 * The agent API, typed by its OpenAPI document: the path and method decide the
 * parameters, the body and the answer's type (`src/api.gen.ts`, by `make openapi`).
 */
export const client = createClient<paths>({ cache: "no-store" });

client.use({
  onRequest({ request }) {
    request.headers.set("accept", "application/json");
    const t = token();
    if (t) request.headers.set("authorization", `Bearer ${t}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) {
      signOut();
      onUnauthorized();
    }
    return response;
  },
});

/** What a call answered: its data, or an {@link ApiError} in the one error shape. */
export async function data<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok || data === undefined) {
    const body = (error ?? {}) as Record<string, unknown>;
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
  return data;
}

/** As {@link data}, for a call whose success has no body (204). */
export async function completed(
  call: Promise<{ error?: unknown; response: Response }>,
): Promise<void> {
  const { error, response } = await call;
  if (!response.ok) {
    await data(Promise.resolve({ error, response }));
  }
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

/**
 * What a failed call says to the agent: each field's reason (after its name when
 * `named`), else the API's message; `fallback` when the call never answered.
 */
export function reasons(e: unknown, fallback: string, named = false): string {
  if (!(e instanceof ApiError)) return fallback;
  const said = e.body.error.fields?.map((f) => (named ? `${f.field}: ${f.reason}` : f.reason));
  return said?.join(" ") ?? e.message;
}

/**
 * Tells the API this console is closing, so alerts by mail go out at once. Sent
 * with `keepalive`, so it survives the page going away; a failure only delays
 * alerts until the console's presence runs out.
 */
export function leaveConsole(session: string | null = token()): void {
  const t = session;
  if (!t) return;
  void fetch("/api/agent/me/away", {
    method: "POST",
    keepalive: true,
    headers: { authorization: `Bearer ${t}`, accept: "application/json" },
  }).catch(() => undefined);
}
