/**
 * Live updates: the server pushes what its views show over SSE (at most
 * twice a second): `version` moves on any change, `tasks` only when tasks,
 * the pause flag or resources changed. Views refetch only what they show when
 * the counter they depend on moves; the task views ignore worker pings.
 * Falls back to polling /ui-api/version every 2 s where EventSource fails;
 * a poll that fails marks the scheduler unreachable (useReachable) until a
 * poll or the stream answers again, so the page never shows stale data as live.
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import type { UiVersion } from "../../src/http/ui/types.ts";
import { EVENTS_URL, getVersion } from "../api/client.ts";

type Listener = (ticks: UiVersion) => void;
const listeners = new Set<Listener>();
/** The server's counters as last seen. */
let current: UiVersion = { version: -1, tasks: -1 };
/**
 * What the views depend on: each moves when its server counter moves, and
 * both move once after an outage, since a restarted scheduler may report the
 * very counters the page saw before it went down.
 */
const ticks: UiVersion = { version: 0, tasks: 0 };
let resync = false;
let started = false;
let connected = false;
let reachable = true;
const reachListeners = new Set<(reachable: boolean) => void>();

function setReachable(next: boolean): void {
  if (next === reachable) return;
  reachable = next;
  if (next) resync = true;
  for (const listener of reachListeners) listener(next);
}

function publish(next: UiVersion): void {
  const moved = { version: resync || next.version !== current.version, tasks: resync || next.tasks !== current.tasks };
  resync = false;
  current = next;
  if (!moved.version && !moved.tasks) return;
  if (moved.version) ticks.version++;
  if (moved.tasks) ticks.tasks++;
  for (const listener of listeners) listener({ ...ticks });
}

function start(): void {
  if (started) return;
  started = true;
  let source: EventSource | null = null;
  try {
    source = new EventSource(EVENTS_URL);
    source.addEventListener("version", (event) => {
      connected = true;
      setReachable(true);
      publish(JSON.parse((event as MessageEvent<string>).data) as UiVersion);
    });
    source.onerror = () => {
      connected = false;
    };
  } catch {
    source = null;
  }
  // Safety net: if the stream is down (proxy without streaming, server restart), poll.
  setInterval(() => {
    if (connected && source?.readyState === EventSource.OPEN) return;
    getVersion().then(
      (next) => {
        setReachable(true);
        publish(next);
      },
      () => setReachable(false),
    );
  }, 2000);
}

function useLive<K extends keyof UiVersion>(key: K): number {
  const [value, setValue] = useState(ticks[key]);
  useEffect(() => {
    start();
    const listener: Listener = (live) => setValue(live[key]);
    listeners.add(listener);
    setValue(ticks[key]);
    return () => {
      listeners.delete(listener);
    };
  }, [key]);
  return value;
}

/** Moves whenever anything changed on the server (workers' check-ins included). */
export function useLiveVersion(): number {
  return useLive("version");
}

/** Moves when tasks, the pause flag or resources changed. */
export function useLiveTasks(): number {
  return useLive("tasks");
}

/** False while the scheduler does not answer (the last data received stays on screen). */
export function useReachable(): boolean {
  const [value, setValue] = useState(reachable);
  useEffect(() => {
    start();
    reachListeners.add(setValue);
    setValue(reachable);
    return () => {
      reachListeners.delete(setValue);
    };
  }, []);
  return value;
}
