/** @jsxImportSource preact */
/**
 * The per-task dialogs of Luigi's visualiser (server.md §5.5): the error
 * trace with a re-run command, the live status message and progress, and
 * sending a message to a running task (optionally awaiting its answer).
 * Everything shown is text: Preact escapes it.
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { asPercent } from "../../src/http/ui/percent.ts";
import type { UiTask } from "../../src/http/ui/types.ts";
import { rpc } from "../api/client.ts";
import { closeModal, Modal } from "./modal.tsx";
import { ProgressBar } from "./progress-bar.tsx";

interface FetchError {
  taskId: string;
  error: string | null;
  displayName?: string;
  taskParams?: Record<string, unknown>;
  taskModule?: string | null;
  taskFamily?: string;
}

/** Workers send tracebacks JSON-encoded; show the decoded text, or the raw text if it is not JSON. */
function decodeError(error: string | null): string {
  if (!error) return "";
  try {
    const value: unknown = JSON.parse(error);
    return typeof value === "string" ? value : error;
  } catch {
    return error;
  }
}

function rerunCommand(e: FetchError): string {
  const params = Object.entries(e.taskParams ?? {}).map(([k, v]) => ` --${k.replaceAll("_", "-")} ${JSON.stringify(v)}`);
  return `luigi --module ${e.taskModule ?? ""} ${e.taskFamily ?? ""}${params.join("")}`;
}

export function ErrorModal({ taskId, displayName }: { taskId: string; displayName: string }) {
  const [data, setData] = useState<FetchError | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  useEffect(() => {
    rpc<FetchError>("fetch_error", { task_id: taskId }).then(setData, (e: Error) => setFailure(e.message));
  }, [taskId]);
  return (
    <Modal title={`Traceback for ${data?.displayName ?? displayName}`} wide>
      {failure && <p class="callout danger">{failure}</p>}
      {!data && !failure && <p class="muted">Loading…</p>}
      {data && (
        <>
          <pre class="trace" data-testid="error-trace">{decodeError(data.error) || "(no error text was reported)"}</pre>
          {data.taskFamily && (
            <>
              <h3>Command to re-run:</h3>
              <pre class="command">{rerunCommand(data)}</pre>
            </>
          )}
        </>
      )}
    </Modal>
  );
}

export function StatusModal({ task }: { task: UiTask }) {
  const [message, setMessage] = useState<string | null>(task.statusMessage);
  const [progress, setProgress] = useState<number | null>(task.progressPercentage);
  useEffect(() => {
    let alive = true;
    const poll = async () => {
      try {
        const [m, p] = await Promise.all([
          rpc<{ statusMessage: string | null }>("get_task_status_message", { task_id: task.id }),
          rpc<{ progressPercentage: unknown }>("get_task_progress_percentage", { task_id: task.id }),
        ]);
        if (!alive) return;
        setMessage(m.statusMessage);
        setProgress(asPercent(p.progressPercentage));
      } catch {}
    };
    const timer = setInterval(poll, 500);
    void poll();
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [task.id]);
  return (
    <Modal title={`Status message for ${task.displayName}`}>
      {message !== null && message !== "" && <pre class="status-message">{message}</pre>}
      {progress !== null && <ProgressBar percent={progress} />}
      {(message === null || message === "") && progress === null && <p class="muted">No status message.</p>}
    </Modal>
  );
}

export function SendMessageModal({ task }: { task: UiTask }) {
  const [content, setContent] = useState("");
  const [await_, setAwait] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const [response, setResponse] = useState<unknown>(undefined);
  const [failure, setFailure] = useState<string | null>(null);

  const send = async () => {
    if (!content || !task.workerRunning || waiting) return;
    try {
      const sent = await rpc<{ message_id: string | null }>("send_scheduler_message", { worker: task.workerRunning, task: task.id, content });
      if (!await_) return closeModal();
      if (!sent.message_id) return setFailure("The scheduler does not send messages (send_messages is off).");
      setWaiting(true);
      for (;;) {
        await new Promise((r) => setTimeout(r, 1000));
        const got = await rpc<{ response: unknown }>("get_scheduler_message_response", { task_id: task.id, message_id: sent.message_id });
        if (got.response !== null && got.response !== undefined) {
          setResponse(got.response);
          setWaiting(false);
          return;
        }
      }
    } catch (e) {
      setFailure((e as Error).message);
      setWaiting(false);
    }
  };

  return (
    <Modal
      title={`Send message to ${task.displayName}`}
      footer={
        <>
          <button type="button" onClick={closeModal}>Cancel</button>
          <button type="button" class="primary" disabled={!content || waiting} onClick={send}>Send</button>
        </>
      }
    >
      <label class="field">
        Message:
        <input type="text" value={content} onInput={(e) => setContent(e.currentTarget.value)} onKeyDown={(e) => e.key === "Enter" && send()} />
      </label>
      <label class="check">
        <input type="checkbox" checked={await_} onChange={(e) => setAwait(e.currentTarget.checked)} /> Await response
      </label>
      {failure && <p class="callout danger">{failure}</p>}
      {(waiting || response !== undefined) && (
        <div class="field">
          Response:
          {waiting ? <span class="spinner" aria-label="waiting" /> : <pre class="status-message">{typeof response === "string" ? response : JSON.stringify(response)}</pre>}
        </div>
      )}
    </Modal>
  );
}
