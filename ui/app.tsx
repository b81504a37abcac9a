/** @jsxImportSource preact */
/**
 * The page: header with the tabs, the pause switch and the History link; the
 * current tab from the URL hash; keyboard shortcuts (1–5 tabs, / search,
 * ? help). The summary (counts, families, pause state) follows the server's
 * live version.
 * @module
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import type { UiSummary } from "../src/http/ui/types.ts";
import { VIEWS } from "../src/http/ui/views.ts";
import { rpc, uiApi } from "./api/client.ts";
import { closeModal, Modal, ModalHost, openModal } from "./components/modal.tsx";
import { toast, ToastHost } from "./components/toast.tsx";
import { hashHref, type Tab, tabOf, useHash } from "./lib/hash.ts";
import { useLiveTasks, useLiveVersion, useReachable } from "./lib/live.ts";
import { useFetch } from "./lib/use-fetch.ts";
import { GraphPage } from "./pages/graph/index.tsx";
import { ResourcesPage } from "./pages/resources/index.tsx";
import { TasksPage } from "./pages/tasks/index.tsx";
import { TimelinePage } from "./pages/timeline/index.tsx";
import { WorkersPage } from "./pages/workers/index.tsx";

/** The last hash seen on each tab, so that coming back to a tab restores its view. */
const lastHash = new Map<Tab, URLSearchParams>();

/**
 * Tab links carry that tab's own state, as last seen on it (Luigi lost the
 * typed task id here; server.md §5.10). Graph and timeline share the task.
 */
function tabHref(tab: Tab, hash: URLSearchParams): string {
  const current = tabOf(hash);
  const source = (t: Tab) => (current === t ? hash : (lastHash.get(t) ?? new URLSearchParams()));
  const keep = (from: URLSearchParams, keys: string[]) => Object.fromEntries(keys.map((k) => [k, from.get(k)]));
  if (tab === "tasks") return hashHref({ tab: "tasks", ...keep(source("tasks"), ["statuses", "family", "search__search", "filterOnServer", "order", "length"]) });
  if (tab === "graph" || tab === "timeline") {
    const graph = current === "graph" || current === "timeline" ? hash : (lastHash.get(tab) ?? lastHash.get(tab === "graph" ? "timeline" : "graph") ?? new URLSearchParams());
    return hashHref({ tab, ...keep(graph, ["taskId", "hideDone", "invert", "visType", "hops", "limit"]) });
  }
  if (tab === "resources") return hashHref({ tab, ...keep(source("resources"), ["resources"]) });
  return hashHref({ tab });
}

function PauseSwitch({ summary, onChange }: { summary: UiSummary; onChange: () => void }) {
  if (!summary.pauseEnabled) return null;
  const toggle = async () => {
    try {
      await rpc(summary.paused ? "unpause" : "pause");
      toast(summary.paused ? "Scheduler running: workers get new tasks again" : "Scheduler paused: no new tasks are handed out");
    } catch (e) {
      toast(`Could not ${summary.paused ? "unpause" : "pause"}: ${(e as Error).message}`, "error");
    }
    onChange();
  };
  return (
    <button type="button" class={`pause-switch ${summary.paused ? "paused" : "running"}`} role="switch" aria-checked={!summary.paused} data-testid="pause-toggle" onClick={toggle} title="Pause or resume handing out tasks">
      <span class="knob" />
      {summary.paused ? "Paused" : "Running"}
    </button>
  );
}

function HelpModal() {
  return (
    <Modal title="Keyboard shortcuts">
      <table class="compact">
        <tbody>
          {VIEWS.map((t) => (
            <tr key={t.tab}>
              <td><kbd>{t.key}</kbd></td>
              <td>{t.label}</td>
            </tr>
          ))}
          <tr>
            <td><kbd>/</kbd></td>
            <td>Filter the task list, or type a task id on the graph</td>
          </tr>
          <tr>
            <td><kbd>[</kbd></td>
            <td>Show or hide the family sidebar</td>
          </tr>
          <tr>
            <td><kbd>Esc</kbd></td>
            <td>Close a dialog</td>
          </tr>
        </tbody>
      </table>
    </Modal>
  );
}

export function App() {
  const hash = useHash();
  const tab = tabOf(hash);
  lastHash.set(tab, hash);
  const version = useLiveVersion();
  const tasksVersion = useLiveTasks();
  const [nonce, setNonce] = useState(0);
  const [sidebar, setSidebar] = useState(true);
  const refresh = useCallback(() => setNonce((n) => n + 1), []);

  const { data: summary, error: failure } = useFetch(() => uiApi.summary(), [tasksVersion, nonce]);
  // A failed summary fetch leaves the page as stale as a failed poll does: the dot and the banner say the same.
  const live = useReachable() && !failure;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      if (document.querySelector(".modal")) {
        // Also here, not only in the dialog: a key pressed right after it opened must close it too.
        if (e.key === "Escape") closeModal();
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA")) return;
      const hit = VIEWS.find((t) => t.key === e.key);
      if (hit) {
        e.preventDefault();
        window.location.hash = tabHref(hit.tab, new URLSearchParams(window.location.hash.slice(1)));
      } else if (e.key === "/") {
        e.preventDefault();
        document.querySelector<HTMLInputElement>("#task-filter, #graph-task-id, .graph-controls input")?.focus();
      } else if (e.key === "[") {
        setSidebar((s) => !s);
      } else if (e.key === "?") {
        openModal(<HelpModal />);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    document.title = summary?.paused ? "Luigi Task Visualiser (paused)" : "Luigi Task Visualiser";
  }, [summary?.paused]);

  return (
    <div class={`app${sidebar ? "" : " no-sidebar"}`}>
      <header class="topbar">
        <button type="button" class="icon hamburger" aria-label="Toggle sidebar" title="Toggle sidebar ( [ )" onClick={() => setSidebar((s) => !s)}>
          ☰
        </button>
        <a class="brand" href="#">Luigi Task Status</a>
        <nav aria-label="Views">
          {VIEWS.map((t) => (
            <a key={t.tab} href={tabHref(t.tab, hash)} class={t.tab === tab ? "active" : ""} aria-current={t.tab === tab ? "page" : undefined} title={`${t.label} (${t.key})`}>
              {t.label}
            </a>
          ))}
          {summary?.hasHistory && (
            <a href="../../history" data-testid="history-link">History</a>
          )}
        </nav>
        <span class="spacer" />
        {summary && (
          <span class="muted small live" title={live ? "Updates live" : "Not connected: showing the last data received"}>
            <span class={live ? "dot" : "dot down"} /> {summary.workers} worker{summary.workers === 1 ? "" : "s"} · {summary.total.toLocaleString()} tasks
          </span>
        )}
        {summary && <PauseSwitch summary={summary} onChange={refresh} />}
        <button type="button" class="icon help" aria-label="Keyboard shortcuts" onClick={() => openModal(<HelpModal />)}>
          ?
        </button>
      </header>
      {!live && (
        <p class="callout danger banner" data-testid="unreachable">
          Cannot reach the scheduler{failure ? `: ${failure}` : ""}. Retrying…
        </p>
      )}
      <main>
        {tab === "tasks" && <TasksPage hash={hash} summary={summary} version={tasksVersion} refresh={refresh} />}
        {tab === "graph" && <GraphPage hash={hash} version={tasksVersion} />}
        {tab === "timeline" && <TimelinePage hash={hash} version={tasksVersion} />}
        {tab === "workers" && <WorkersPage version={version} />}
        {tab === "resources" && <ResourcesPage hash={hash} version={version} />}
      </main>
      <ModalHost />
      <ToastHost />
    </div>
  );
}

