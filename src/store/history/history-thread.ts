/**
 * The history thread: owns the connection to the history file, writes the
 * recorder's batches and answers the pages' queries, so neither SQLite writes
 * nor long reads ever run on the scheduler's thread. Messages are handled
 * strictly in order (protocol.ts). A build entry point in scripts/build.ts, so
 * the compiled binary embeds it.
 * @module
 */
import type { Database } from "bun:sqlite";
import { setPriority } from "node:os";
import { openDatabase } from "./connection.ts";
import type { FromThread, ToThread } from "./protocol.ts";
import { HistoryQueries, type QueryName, runQuery } from "./queries.ts";
import { HistoryWriter, type QueuedEvent } from "./writer.ts";

declare const self: Worker;

/** Below the scheduler's thread: when the CPUs are busy, RPCs go first and history catches up. */
const HISTORY_NICE = 10;

const send = (message: FromThread) => self.postMessage(message);
const describe = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));
let db: Database | null = null;
let writer: HistoryWriter | null = null;
let queries: HistoryQueries | null = null;

self.onmessage = (event: MessageEvent<ToThread>) => {
  const message = event.data;
  try {
    handle(message);
  } catch (error) {
    // Never leave the server waiting: report, then answer as if done.
    send({ type: "warn", message: "task history thread error", error: describe(error) });
    if (message.type === "write") send({ type: "written", seq: message.seq });
    else if (message.type === "query") send({ type: "answer", id: message.id, error: (error as Error).message ?? String(error) });
    else if (message.type === "open") send({ type: "failed", message: String(error) });
    else send({ type: "done", id: message.id, deleted: 0 });
  }
};

function handle(message: ToThread): void {
  switch (message.type) {
    case "open":
      try {
        // Linux sets nice per thread: this lowers only the history thread.
        setPriority(HISTORY_NICE);
      } catch {}
      try {
        db = openDatabase({ kind: "file", path: message.path });
        writer = new HistoryWriter(db, (text, error) => send({ type: "warn", message: text, error: describe(error) }), message.firstOwnId);
        queries = new HistoryQueries(db);
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
      send({ type: "done", id: message.id, deleted: 0 });
      return;
    case "prune":
      send({ type: "done", id: message.id, deleted: writer?.prune(message.cutoff) ?? 0 });
      return;
    case "query":
      if (!queries) throw new Error("the task history database is not open");
      send({ type: "answer", id: message.id, value: runQuery(queries, message.name as QueryName, message.args as never) });
      return;
    case "close":
      // `true` finalizes the writer's prepared statements, so the connection really closes.
      db?.close(true);
      db = null;
      writer = null;
      queries = null;
      send({ type: "done", id: message.id, deleted: 0 });
      return;
  }
}
