/**
 * An RPC client that speaks like Luigi's Python client: POST /api/<method>
 * with a form-encoded body `data=<json>`. Works over TCP and unix sockets.
 */

export interface RpcTarget {
  /** Base URL, e.g. `http://127.0.0.1:8123` (no trailing slash needed). */
  url: string;
  /** Path of a unix socket to connect through (the URL's host is then ignored). */
  unix?: string;
}

export interface RpcReply {
  status: number;
  /** Parsed JSON body, or null when the body was not JSON. */
  body: unknown;
  text: string;
}

const base = (target: string | RpcTarget): RpcTarget => (typeof target === "string" ? { url: target } : target);

/** Posts `data=<json>` (or nothing when data is undefined) and returns status and body, whatever they are. */
export async function rpcRaw(target: string | RpcTarget, method: string, data?: unknown, init: RequestInit = {}): Promise<RpcReply> {
  const { url, unix } = base(target);
  const body = data === undefined ? undefined : new URLSearchParams({ data: typeof data === "string" ? data : JSON.stringify(data) });
  const response = await fetch(`${url.replace(/\/+$/, "")}/api/${method}`, {
    method: "POST",
    body,
    ...init,
    ...(unix ? { unix } : {}),
  } as RequestInit);
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, body: parsed, text };
}

/** Calls an RPC and returns its `response`; throws with the body on any non-200. */
export async function rpc<T = unknown>(target: string | RpcTarget, method: string, data: Record<string, unknown> = {}): Promise<T> {
  const reply = await rpcRaw(target, method, data);
  if (reply.status !== 200) throw new Error(`${method} answered ${reply.status}: ${reply.text.slice(0, 500)}`);
  return (reply.body as { response: T }).response;
}
