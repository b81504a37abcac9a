/** @jsxImportSource preact */
/**
 * Workers tab (server.md §5.6): one card per worker, newest first, with its
 * running tasks; change its number of processes, disable it.
 * @module
 */
import { useState } from "preact/hooks";
import type { UiWorker } from "../../../src/http/ui/types.ts";
import { rpc, uiApi } from "../../api/client.ts";
import { CountControls } from "../../components/count-controls.tsx";
import { ConfirmModal, openModal } from "../../components/modal.tsx";
import { RunningTasks } from "../../components/running-tasks.tsx";
import { toast } from "../../components/toast.tsx";
import { dateTime } from "../../lib/format.ts";
import { graphHref } from "../../lib/hash.ts";
import { useFetch } from "../../lib/use-fetch.ts";

function WorkerCard({ worker, reload }: { worker: UiWorker; reload: () => void }) {
  const [busy, setBusy] = useState(false);
  const disabled = worker.state === "disabled";
  const setProcesses = async (n: number) => {
    setBusy(true);
    try {
      await rpc("set_worker_processes", { worker: worker.id, n: Math.max(1, n) });
      toast(`Asked ${worker.host ?? "the worker"} to run ${Math.max(1, n)} processes`);
    } catch (e) {
      toast(`Could not set processes: ${(e as Error).message}`, "error");
    }
    setBusy(false);
    reload();
  };
  const disable = async () => {
    try {
      await rpc("disable_worker", { worker: worker.id });
      toast("Worker disabled");
    } catch (e) {
      toast(`Could not disable: ${(e as Error).message}`, "error");
    }
    reload();
  };
  return (
    <article class={`card worker${disabled ? " disabled" : ""}`} data-worker-id={worker.id}>
      <header>
        <h3 class="mono">{worker.id}</h3>
        {worker.unreadMessages > 0 && <em class="danger-text small">{worker.unreadMessages} unread message{worker.unreadMessages === 1 ? "" : "s"}</em>}
        {!disabled && (
          <div class="tools">
            {worker.processes !== null && (
              <span class="group">
                <span class="muted small">Workers: {busy ? "…" : worker.processes}</span>
                <CountControls value={worker.processes ?? 1} noun="worker" placeholder="positive number" valid={(n) => n >= 1} onSet={setProcesses} />
              </span>
            )}
            <button
              type="button"
              class="danger"
              onClick={() =>
                openModal(
                  <ConfirmModal title="Disable worker?" action="Disable Worker" danger onConfirm={disable}>
                    <p>A disabled worker finishes the tasks it is running but is given no new ones. This cannot be undone from here.</p>
                    <p class="mono small">{worker.id}</p>
                  </ConfirmModal>,
                )
              }
            >
              Disable Worker
            </button>
          </div>
        )}
      </header>
      {disabled && <p class="callout muted">This worker is disabled: it will not start new tasks.</p>}
      <dl class="facts">
        <dt>Started</dt>
        <dd>{dateTime(worker.started)}</dd>
        <dt>Last Checkin</dt>
        <dd>{dateTime(worker.lastActive)}</dd>
        <dt>Root Task</dt>
        <dd>{worker.firstTask ? <a href={graphHref(worker.firstTask)}>{worker.firstTaskDisplayName}</a> : "–"}</dd>
        <dt>Running</dt>
        <dd data-testid="num-running">{worker.running.length}</dd>
        <dt>Pending</dt>
        <dd>{worker.numPending}</dd>
        <dt>Unique Pending</dt>
        <dd>{worker.numUniques}</dd>
      </dl>
      {worker.running.length > 0 && (
        <div class="table-wrap">
        <RunningTasks tasks={worker.running} onDone={reload} details hideDone={false} />
        </div>
      )}
    </article>
  );
}

export function WorkersPage({ version }: { version: number }) {
  const [nonce, setNonce] = useState(0);
  const { data: workers, error } = useFetch(() => uiApi.workers(), [version, nonce]);
  const reload = () => setNonce((n) => n + 1);
  return (
    <section class="content">
      {error && <p class="callout danger">{error}</p>}
      {workers && workers.length === 0 && <p class="callout info">No workers are connected.</p>}
      <div class="cards wide">{workers?.map((w) => <WorkerCard key={w.id} worker={w} reload={reload} />)}</div>
    </section>
  );
}
