/**
 * The composition root: builds the engine, the service every change goes
 * through, the HTTP app and its listeners, the prune timer; and tears them
 * down in order on stop. The only module that knows every part exists.
 * @module
 */
import type { Hono } from "hono";
import type { Config } from "../config/types.ts";
import { Engine } from "../engine/engine.ts";
import { createApp } from "../http/app.ts";
import { MAX_BODY_BYTES } from "../http/api.ts";
import type { AppContext } from "../http/context.ts";
import { probeBeforeApp } from "../http/ops/probes.ts";
import { withAbsoluteUrl } from "../http/url.ts";
import { type Clock, systemClock } from "../lib/clock.ts";
import { type Logger, stderrLogger } from "../lib/log.ts";
import { type Ops, installOps } from "../ops/ops.ts";
import { registerPersistenceGauges } from "../ops/metrics/persistence.ts";
import { authWarnings } from "../ops/warnings.ts";
import { SchedulerService } from "../rpc/service.ts";
import { GzipThread } from "./gzip-thread.ts";
import { StartupError } from "./startup-error.ts";
import { attachStateStore } from "./state.ts";
import { attachHistory } from "./history.ts";
import { type FetchHandler, type Listener, listenTcp, listenUnix } from "./listeners.ts";
import { collectWhenQuiet } from "./quiet-gc.ts";
import { collectYoungEvery } from "./young-gc.ts";
import { endOnShutdown, isEventStream } from "./streams.ts";

export interface ServerOptions {
  /** TCP port (ignored with unixSocket). Default 8082. */
  port?: number;
  /** `--address`: bind only this host's addresses. Default: all interfaces, v4 and v6. */
  address?: string | null;
  /** `--unix-socket`: listen here instead of TCP. */
  unixSocket?: string | null;
  clock?: Clock;
  /** Root logger (`luigi.server`); children are made for the other Luigi logger names. */
  log?: Logger;
  /** Prune period; Luigi's is 60 s. */
  pruneIntervalMs?: number;
  /** Longest wait for in-flight requests at shutdown before connections are cut. */
  drainTimeoutMs?: number;
}

export interface RunningServer {
  engine: Engine;
  service: SchedulerService;
  app: Hono;
  context: AppContext;
  listeners: Listener[];
  /** The TCP port actually bound (null on a unix socket). */
  port: number | null;
  /** Stops accepting, drains in-flight requests (bounded), closes the service. Idempotent. */
  stop(): Promise<void>;
}

/** Something to close at shutdown, in reverse order of opening. */
type Closer = () => void | Promise<void>;

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const { port = 8082, address = null, unixSocket = null, clock = systemClock, log = stderrLogger } = options;
  const { pruneIntervalMs = 60_000, drainTimeoutMs = 5_000 } = options;
  const schedulerLog = log.child("luigi.scheduler");

  for (const source of config.sources) log.child("luigi-interface").info(`Loaded configuration from ${source}`);
  if (config.sources.length === 0) log.child("luigi-interface").info("No configuration file found (luigi.cfg, /etc/luigi/luigi.cfg, $LUIGI_CONFIG_PATH): using the defaults");
  for (const warning of config.warnings) log.child("luigi-interface").warning(warning);

  const engine = new Engine(config.engine);
  const service = new SchedulerService(engine, clock);
  const context: AppContext = { service, config, readiness: { ready: false }, log };
  const closers: Closer[] = [];

  // Bind first: a busy port or a foreign socket file stops startup before any
  // state file is opened, so a failed start never touches it. Requests that
  // arrive before the app exists wait for it (restore is bounded; clients retry).
  let app: Hono | null = null;
  let openGate: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    openGate = resolve;
  });
  const closing = new AbortController();
  // The server goes in as Hono's env: getConnInfo (access log) reads the peer address from it.
  const fetch: FetchHandler = async (received, server) => {
    const request = withAbsoluteUrl(received);
    if (app === null) {
      // Probes answer at once (alive, not ready) instead of hanging through a long restore.
      const probe = probeBeforeApp(request);
      if (probe) return probe;
      await gate;
    }
    const response = await (app as unknown as Hono).fetch(request, server);
    // An open visualiser tab (Server-Sent Events) must not hold shutdown until the drain timeout.
    if (isEventStream(response)) return new Response(endOnShutdown(response.body as ReadableStream<Uint8Array>, closing.signal), response);
    return response;
  };
  // Bun answers 413 itself above its own limit; keep it just above the app's so the app's JSON reason wins.
  const listenOptions = { fetch, maxRequestBodySize: MAX_BODY_BYTES + 64 * 1024 };
  const listeners: Listener[] = unixSocket ? [await listenUnix(unixSocket, listenOptions)] : await listenTcp(address, port, listenOptions);

  try {
    // ---- ATTACHMENTS ---------------------------------------------------------
    // The durable store (STATE), task history (HISTORY) and ops (OPS) attach
    // here, after the sockets are bound and before any request is served:
    // restore into `engine`, add EngineListeners to `service`, observers via
    // `service.observeCalls`, members of `context` for their HTTP areas, and a
    // closer to `closers` for whatever is not an EngineListener (listeners are
    // closed by service.close()). A reason not to start is a StartupError
    // (src/server/startup-error.ts): one line, exit 1.
    // OPS first, so the others can feed gauges through context.ops.metrics.registerGauge.
    context.ops = attachOps(service, config, log);
    for (const warning of authWarnings(config, { address, unixSocket })) log.warning(warning);
    // STATE: restore what the engine had, then follow every change into the state file.
    const stateStore = attachStateStore(config, engine, service, schedulerLog);
    // HISTORY: recorder as a listener, context.history for the pages; its database closes after the service.
    const closeHistory = attachHistory(service, context, clock, log);
    if (closeHistory) closers.push(closeHistory);
    registerPersistenceGauges(context.ops.metrics, { state: stateStore.stats, historyQueue: () => context.history?.recorder.pending ?? 0 });
    // ---- END ATTACHMENTS -----------------------------------------------------
    app = createApp(context);
    // Big replies (task_list) are gzipped on a thread of their own, started by the first one.
    const gzipThread = new GzipThread({ warn: (message) => log.warning(message), info: (message) => log.info(message) });
    const uninstallGzip = gzipThread.install();
    closers.push(() => {
      uninstallGzip();
      gzipThread.close();
    });
  } catch (error) {
    await Promise.all(listeners.map((l) => l.server.stop(true)));
    await closeAll(service, closers, log);
    throw error;
  }
  // Before the gate opens: after a restore it collects what reading the state file left.
  const stopYoungGc = collectYoungEvery(service, engine.taskCount());
  openGate();
  for (const l of listeners) log.info(`Listening on ${l.description}`);

  const pruneTimer = setInterval(() => {
    service.prune().catch((error) => schedulerLog.error("Error while pruning the task graph", error));
  }, pruneIntervalMs);
  const stopQuietGc = collectWhenQuiet(service);

  context.readiness.ready = true;
  log.info("Scheduler starting up");

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      context.readiness.ready = false;
      clearInterval(pruneTimer);
      stopQuietGc();
      stopYoungGc();
      closing.abort();
      await drain(listeners, drainTimeoutMs, log);
      await closeAll(service, closers, log);
    })();
    return stopping;
  };

  const tcpPort = unixSocket ? null : (listeners[0]?.server.port ?? port);
  return { engine, service, app: app as Hono, context, listeners, port: tcpPort, stop };
}

/** Ops refuses unsupported collectors and e-mail methods: that is a config mistake, one line at startup. */
function attachOps(service: SchedulerService, config: Config, log: Logger): Ops {
  try {
    return installOps(service, config, { log });
  } catch (error) {
    throw new StartupError((error as Error).message, { cause: error });
  }
}

/** Stop accepting; let requests in flight finish, up to `timeoutMs`, then cut connections. */
async function drain(listeners: Listener[], timeoutMs: number, log: Logger): Promise<void> {
  const graceful = Promise.all(listeners.map((l) => l.server.stop(false)));
  let timer: Timer | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), timeoutMs);
  });
  const cut = await Promise.race([graceful.then(() => false), timedOut]);
  clearTimeout(timer);
  if (cut) {
    log.warning(`Requests still in flight after ${timeoutMs} ms; closing their connections`);
    await Promise.all(listeners.map((l) => l.server.stop(true)));
  }
}

async function closeAll(service: SchedulerService, closers: Closer[], log: Logger): Promise<void> {
  await service.close();
  for (const close of closers.reverse()) {
    try {
      await close();
    } catch (error) {
      log.error("Error during shutdown", error);
    }
  }
}
