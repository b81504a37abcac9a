/**
 * Live updates: the server pushes what its views show over SSE (at most
 * twice a second): `version` moves on any change, `tasks` only when tasks,
 * the pause flag or resources changed. Views refetch only what they show when
 * the counter they depend on moves; the task views ignore worker pings.
 * Falls back to polling /ui-api/version every 2 s where EventSource fails.
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import type { UiVersion } from "../../src/http/ui/types.ts";
import { EVENTS_URL, getVersion } from "../api/client.ts";

type Listener = (live: UiVersion) => void;
const listeners = new Set<Listener>();
let current: UiVersion = { version: -1, tasks: -1 };
let started = false;
let connected = false;

function publish(next: UiVersion): void {
  if (next.version === current.version && next.tasks === current.tasks) return;
  current = next;
  for (const listener of listeners) listener(next);
}

function start(): void {
  if (started) return;
  started = true;
  let source: EventSource | null = null;
  try {
    source = new EventSource(EVENTS_URL);
    source.addEventListener("version", (event) => {
      connected = true;
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
    getVersion().then(publish, () => {});
  }, 2000);
}

function useLive<K extends keyof UiVersion>(key: K): number {
  const [value, setValue] = useState(current[key]);
  useEffect(() => {
    start();
    const listener: Listener = (live) => setValue(live[key]);
    listeners.add(listener);
    setValue(current[key]);
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
