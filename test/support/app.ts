/**
 * The in-process app for HTTP tests: the real createApp over a real Engine and
 * SchedulerService, driven by a FakeClock. No sockets: requests go through
 * `app.request()` (or the `call` helper, which posts like Luigi's client).
 */
import type { Hono } from "hono";
import { defaultConfig } from "../../src/config/defaults.ts";
import type { Config } from "../../src/config/types.ts";
import { Engine } from "../../src/engine/engine.ts";
import type { EngineConfig } from "../../src/engine/types.ts";
import { createApp } from "../../src/http/app.ts";
import type { AppContext } from "../../src/http/context.ts";
import { FakeClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/log.ts";
import { SchedulerService } from "../../src/rpc/service.ts";
import type { RpcReply } from "./rpc.ts";

export interface TestAppOptions {
  /** Overrides of the default Config, merged one level deep (e.g. `{ cors: { enabled: true } }`). */
  config?: { [K in keyof Config]?: Config[K] extends unknown[] ? Config[K] : Config[K] extends object ? Partial<Config[K]> : Config[K] };
  /** Shorthand for `config.engine`. */
  engine?: Partial<EngineConfig>;
  clock?: FakeClock;
  /** Extra context members (history, ops) before the app is built. */
  context?: Partial<AppContext>;
}

export interface TestApp {
  app: Hono;
  engine: Engine;
  service: SchedulerService;
  clock: FakeClock;
  config: Config;
  context: AppContext;
  /** POST /api/<method> with form `data=<json>` like Luigi's client; `data` may be raw text. */
  call(method: string, data?: unknown): Promise<RpcReply>;
  /** The `response` of a call that must succeed (throws on non-200). */
  rpc<T = unknown>(method: string, data?: Record<string, unknown>): Promise<T>;
}

/** Builds a Config from the defaults plus one-level-deep overrides. */
export function testConfig(overrides: TestAppOptions["config"] = {}, engine: Partial<EngineConfig> = {}): Config {
  const config = defaultConfig();
  config.statePath = ":memory:";
  for (const [key, value] of Object.entries(overrides)) {
    const current = (config as unknown as Record<string, unknown>)[key];
    (config as unknown as Record<string, unknown>)[key] =
      current && typeof current === "object" && !Array.isArray(current) && value && typeof value === "object" && !Array.isArray(value) ? { ...current, ...value } : value;
  }
  config.engine = { ...config.engine, ...engine };
  return config;
}

export function createTestApp(options: TestAppOptions = {}): TestApp {
  const config = testConfig(options.config, options.engine);
  const clock = options.clock ?? new FakeClock();
  const engine = new Engine(config.engine);
  const service = new SchedulerService(engine, clock);
  const context: AppContext = { service, config, readiness: { ready: true }, log: silentLogger, ...options.context };
  const app = createApp(context);
  const call = async (method: string, data?: unknown): Promise<RpcReply> => {
    const init: RequestInit = { method: "POST" };
    if (data !== undefined) {
      // The headers Python's requests sends, Content-Length included: so these calls take the RPC lane as a worker's do.
      const body = new URLSearchParams({ data: typeof data === "string" ? data : JSON.stringify(data) }).toString();
      init.body = body;
      init.headers = { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(Buffer.byteLength(body)) };
    }
    const response = await app.request(`/api/${method}`, init);
    const text = await response.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: response.status, body, text };
  };
  const rpc = async <T>(method: string, data: Record<string, unknown> = {}): Promise<T> => {
    const reply = await call(method, data);
    if (reply.status !== 200) throw new Error(`${method} answered ${reply.status}: ${reply.text.slice(0, 500)}`);
    return (reply.body as { response: T }).response;
  };
  return { app, engine, service, clock, config, context, call, rpc };
}
