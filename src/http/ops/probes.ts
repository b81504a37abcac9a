/**
 * /healthz (the process answers) and /readyz (state restored, listeners up).
 * The sockets are bound before the state is restored, so the server answers
 * the probes itself until the app exists: a long restore must read as "alive,
 * not ready", never as a hung liveness probe that gets the process killed.
 * @module
 */

export const HEALTH_PATH = "/healthz";
export const READY_PATH = "/readyz";

const JSON_TYPE = { "Content-Type": "application/json" };

export function healthResponse(): Response {
  return new Response(JSON.stringify({ status: "ok" }), { status: 200, headers: JSON_TYPE });
}

export function readyResponse(ready: boolean): Response {
  return ready
    ? new Response(JSON.stringify({ status: "ready" }), { status: 200, headers: JSON_TYPE })
    : new Response(JSON.stringify({ status: "starting" }), { status: 503, headers: JSON_TYPE });
}

/** The probe answer while the app is still being built; null for every other request (it waits). */
export function probeBeforeApp(request: Request): Response | null {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  const path = new URL(request.url).pathname;
  if (path === HEALTH_PATH) return healthResponse();
  if (path === READY_PATH) return readyResponse(false);
  return null;
}
