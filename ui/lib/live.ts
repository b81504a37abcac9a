/**
 * Live updates: the server pushes the scheduler's version counter over SSE
 * (at most once a second); views refetch only what they show when it moves.
 * Falls back to polling /ui-api/version every 2 s where EventSource fails.
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { EVENTS_URL, getVersion } from "../api/client.ts";

type Listener = (version: number) => void;
const listeners = new Set<Listener>();
let current = -1;
let started = false;
let connected = false;

function publish(version: number): void {
  if (version === current) return;
  current = version;
  for (const listener of listeners) listener(version);
}

function start(): void {
  if (started) return;
  started = true;
  let source: EventSource | null = null;
  try {
    source = new EventSource(EVENTS_URL);
    source.addEventListener("version", (event) => {
      connected = true;
      const data = JSON.parse((event as MessageEvent<string>).data) as { version: number };
      publish(data.version);
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
    getVersion().then((v) => publish(v.version), () => {});
  }, 2000);
}

/** The scheduler's version; changes whenever something changed on the server. */
export function useLiveVersion(): number {
  const [version, setVersion] = useState(current);
  useEffect(() => {
    start();
    listeners.add(setVersion);
    return () => {
      listeners.delete(setVersion);
    };
  }, []);
  return version;
}
