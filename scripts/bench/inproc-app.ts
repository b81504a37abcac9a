/**
 * The real app (engine, service, ops, state file, Hono, visualiser) in this
 * process, called through `app.fetch` with the headers Python's requests
 * sends: for the in-process benchmarks, which measure the server's own work
 * without sockets or a competing client.
 * @module
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultConfig } from "../../src/config/defaults.ts";
import { Engine } from "../../src/engine/engine.ts";
import { createApp } from "../../src/http/app.ts";
import type { AppContext } from "../../src/http/context.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { createLogger } from "../../src/lib/log.ts";
import { installOps } from "../../src/ops/ops.ts";
import { SchedulerService } from "../../src/rpc/service.ts";
import { attachStateStore } from "../../src/server/state.ts";

/** getConnInfo (the access log) asks the server for the peer's address. */
const fakeServer = { requestIP: () => ({ address: "127.0.0.1", family: "IPv4", port: 50000 }) };

export interface InProcessApp {
  service: SchedulerService;
  /** An RPC through the app; throws unless it answers 200. */
  call(method: string, data: Record<string, unknown>): Promise<unknown>;
  /** A GET through the app (the visualiser's /ui-api); throws unless it answers 200. */
  get(path: string): Promise<unknown>;
  calls(): number;
  close(): Promise<void>;
}

/** `state`: "file" (a temp SQLite file, as luigid runs) or "memory". */
export function startInProcess(state: string, resources: Record<string, number> = { db: 4 }): InProcessApp {
  const dir = mkdtempSync(join(tmpdir(), "luigid-inproc-"));
  const config = defaultConfig();
  config.statePath = state === "memory" ? ":memory:" : join(dir, "state.db");
  config.engine = { ...config.engine, resources };
  // The access log is formatted as in production, and written nowhere.
  const log = createLogger("luigi.server", { sink: () => {} });
  const engine = new Engine(config.engine);
  const service = new SchedulerService(engine, systemClock);
  const context: AppContext = { service, config, readiness: { ready: true }, log };
  context.ops = installOps(service, config, { log });
  attachStateStore(config, engine, service, log.child("luigi.scheduler"));
  const app = createApp(context);

  let calls = 0;
  const answer = async (request: Request, what: string): Promise<unknown> => {
    const reply = await app.fetch(request, fakeServer);
    // A reply past 1 MiB (task_list of many tasks) comes gzipped: no client in between to undo it.
    const text = reply.headers.get("content-encoding") === "gzip" ? new TextDecoder().decode(Bun.gunzipSync(await reply.bytes())) : await reply.text();
    calls++;
    if (reply.status !== 200) throw new Error(`${what} answered ${reply.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as unknown;
  };
  return {
    service,
    async call(method, data) {
      const body = `data=${encodeURIComponent(JSON.stringify(data))}`;
      // The headers Python's requests sends (a declared length: the body limit is checked from it).
      const request = new Request(`http://127.0.0.1:8082/api/${method}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "accept-encoding": "gzip, deflate", "content-length": String(Buffer.byteLength(body)) },
        body,
      });
      return ((await answer(request, method)) as { response: unknown }).response;
    },
    get: (path) => answer(new Request(`http://127.0.0.1:8082${path}`), path),
    calls: () => calls,
    async close() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
