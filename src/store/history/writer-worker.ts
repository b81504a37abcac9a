/**
 * The history thread: owns a write connection to the history file and the
 * HistoryWriter, so SQLite's work runs beside the scheduler, not inside an RPC.
 * Messages are handled strictly in order (protocol.ts). Listed as a build
 * entry point in scripts/build.ts so the compiled binary embeds it.
 * @module
 */
import type { Database } from "bun:sqlite";
import { setPriority } from "node:os";
import { openDatabase } from "./connection.ts";
import type { FromWriter, ToWriter } from "./protocol.ts";
import { HistoryWriter, type PruneResult, type QueuedEvent } from "./writer.ts";

declare const self: Worker;

const send = (message: FromWriter) => self.postMessage(message);
let db: Database | null = null;
let writer: HistoryWriter | null = null;
const HISTORY_NICE = 10;
const NOTHING: PruneResult = { deleted: 0, forgotten: [] };

self.onmessage = (event: MessageEvent<ToWriter>) => {
  const message = event.data;
  try {
    handle(message);
  } catch (error) {
    // Never leave the server waiting: report, then answer as if done.
    send({ type: "warn", message: "task history thread error", error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    if (message.type === "write") send({ type: "written", seq: message.seq });
    else if (message.type !== "open") send({ type: "done", id: message.id, result: NOTHING });
    else send({ type: "failed", message: String(error) });
  }
};

function handle(message: ToWriter): void {
  switch (message.type) {
    case "open":
      try {
        // Only this thread (Linux sets nice per thread): when the CPUs are busy, the scheduler's
        // own thread goes first and history catches up with what is left.
        setPriority(HISTORY_NICE);
      } catch {}
      try {
        db = openDatabase({ kind: "file", path: message.path });
        writer = new HistoryWriter(db, (text, error) => send({ type: "warn", message: text, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
        send({ type: "ready" });
      } catch (error) {
        send({ type: "failed", message: (error as Error).message });
      }
      return;
    case "write":
      writer?.write(JSON.parse(message.events) as QueuedEvent[]);
      send({ type: "written", seq: message.seq });
      return;
    case "sync":
      send({ type: "done", id: message.id, result: NOTHING });
      return;
    case "prune":
      send({ type: "done", id: message.id, result: writer?.prune(message.cutoff) ?? NOTHING });
      return;
    case "close":
      db?.close();
      db = null;
      writer = null;
      send({ type: "done", id: message.id, result: NOTHING });
      return;
  }
}
