/**
 * The sockets luigid serves on (server.md §1.3): one dual-stack TCP socket on
 * "::" by default, every address of `--address` otherwise, or a unix socket
 * instead of TCP. Every bind failure becomes a StartupError with one clear
 * line; nothing here touches the scheduler.
 * @module
 */
import { chmodSync, lstatSync, unlinkSync } from "node:fs";
import { lookup } from "node:dns/promises";
import { connect } from "node:net";
import type { Server } from "bun";
import { StartupError } from "./startup-error.ts";

/** What every listener serves. */
export type FetchHandler = (request: Request, server: Server<undefined>) => Response | Promise<Response>;

export interface ListenOptions {
  fetch: FetchHandler;
  /** Bun's own limit, a little above the app's so the app answers 413 itself. */
  maxRequestBodySize: number;
}

export interface Listener {
  server: Server<undefined>;
  /** How to reach it, for the startup log: `http://[::]:8082` or `unix:/path`. */
  description: string;
}

/** Parses `--port` as Luigi would at bind time: a decimal integer 0–65535. */
export function parsePort(text: string): number {
  const trimmed = text.trim();
  const port = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError(`invalid port ${JSON.stringify(text)}: expected a number from 0 to 65535`);
  return port;
}

function bindError(error: unknown, where: string): StartupError {
  const code = (error as { code?: string }).code;
  if (code === "EADDRINUSE") return new StartupError(`cannot listen on ${where}: address already in use (is another luigid running?)`, { cause: error });
  if (code === "EADDRNOTAVAIL") return new StartupError(`cannot listen on ${where}: address not available on this host`, { cause: error });
  if (code === "EACCES") return new StartupError(`cannot listen on ${where}: permission denied`, { cause: error });
  return new StartupError(`cannot listen on ${where}: ${(error as Error).message ?? String(error)}`, { cause: error });
}

const hostPort = (host: string, port: number) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);

function serveTcp(hostname: string, port: number, options: ListenOptions): Listener {
  try {
    const server = Bun.serve({
      hostname,
      port,
      // Without this a second process could silently share the port (SO_REUSEPORT).
      reusePort: false,
      // Luigi's Tornado keeps idle keep-alive connections an hour; Bun's default
      // is 10 s. Closing a pooled connection a worker is about to reuse costs it a
      // failed attempt and a 30 s retry wait, so keep them as long as Bun allows.
      idleTimeout: 255,
      development: false,
      maxRequestBodySize: options.maxRequestBodySize,
      fetch: options.fetch,
    });
    return { server, description: `http://${hostPort(hostname, server.port ?? port)}` };
  } catch (error) {
    throw bindError(error, hostPort(hostname, port));
  }
}

/**
 * TCP listeners. No address: one dual-stack socket on "::" (IPv4 only when the
 * host has no IPv6). An address: each address it resolves to, on one port.
 */
export async function listenTcp(address: string | null, port: number, options: ListenOptions): Promise<Listener[]> {
  if (address === null || address === "") {
    try {
      return [serveTcp("::", port, options)];
    } catch (error) {
      const code = ((error as StartupError).cause as { code?: string } | undefined)?.code;
      if (code === "EADDRINUSE" || code === "EACCES") throw error;
      return [serveTcp("0.0.0.0", port, options)];
    }
  }
  let addresses: string[];
  try {
    addresses = [...new Set((await lookup(address, { all: true, verbatim: true })).map((a) => a.address))];
  } catch (error) {
    throw new StartupError(`cannot resolve --address ${JSON.stringify(address)}: ${(error as Error).message}`, { cause: error });
  }
  const listeners: Listener[] = [];
  try {
    for (const host of addresses) {
      // With --port 0 every address shares the port the first one got.
      const first = listeners[0];
      try {
        listeners.push(serveTcp(host, first ? (first.server.port ?? port) : port, options));
      } catch (error) {
        // As Tornado does: "localhost" on a host without an IPv6 loopback binds 127.0.0.1 alone.
        const code = ((error as StartupError).cause as { code?: string } | undefined)?.code;
        if (address === "localhost" && host === "::1" && code === "EADDRNOTAVAIL") continue;
        throw error;
      }
    }
    if (listeners.length === 0) throw new StartupError(`--address ${address} has no address this host can listen on`);
  } catch (error) {
    for (const l of listeners) l.server.stop(true);
    throw error;
  }
  return listeners;
}

/** Resolves true when something accepts connections on the unix socket at `path`. */
function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    const done = (alive: boolean) => {
      socket.destroy();
      resolve(alive);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    setTimeout(() => done(false), 1000).unref();
  });
}

/**
 * A unix-socket listener with mode 0600. A stale socket left by a crash is
 * replaced; one a live process answers on, or a file that is not a socket,
 * is refused.
 */
export async function listenUnix(path: string, options: ListenOptions): Promise<Listener> {
  let stat: ReturnType<typeof lstatSync> | undefined;
  try {
    stat = lstatSync(path);
  } catch {
    stat = undefined;
  }
  if (stat) {
    if (!stat.isSocket()) throw new StartupError(`File ${path} exists and is not a socket`);
    if (await socketAnswers(path)) throw new StartupError(`unix socket ${path} is in use by another running process`);
    unlinkSync(path);
  }
  // The socket is created with the umask applied: no window where others may connect.
  const previous = process.umask(0o177);
  try {
    const server = Bun.serve({ unix: path, development: false, maxRequestBodySize: options.maxRequestBodySize, fetch: options.fetch });
    chmodSync(path, 0o600);
    return { server, description: `unix:${path}` };
  } catch (error) {
    throw bindError(error, `unix socket ${path}`);
  } finally {
    process.umask(previous);
  }
}
