/** @jsxImportSource preact */
/**
 * The action buttons of a task row (server.md §5.3), shown by the same rules
 * as Luigi's. Mutations go through Luigi's RPCs; the view refreshes itself
 * from the live version afterwards, and `onDone` lets it refetch at once.
 * @module
 */
import type { UiTask } from "../../src/http/ui/types.ts";
import { rpc } from "../api/client.ts";
import { safeUrl } from "../lib/format.ts";
import { graphHref, hashHref } from "../lib/hash.ts";
import { Icon } from "./icon.tsx";
import { openModal } from "./modal.tsx";
import { ErrorModal, SendMessageModal, StatusModal } from "./task-modals.tsx";
import { toast } from "./toast.tsx";

async function act(method: string, task: UiTask, verb: string, onDone?: () => void): Promise<void> {
  try {
    await rpc(method, { task_id: task.id });
    toast(`${verb}: ${task.displayName}`);
  } catch (e) {
    toast(`${verb} failed: ${(e as Error).message}`, "error");
  }
  onDone?.();
}

export function TaskActions({ task, onDone, hideDone = true }: { task: UiTask; onDone?: () => void; hideDone?: boolean }) {
  const s = task.status;
  const tracking = safeUrl(task.trackingUrl);
  return (
    <div class="actions">
      <a class="btn icon" href={graphHref(task.id, hideDone)} title="View graph" aria-label="View graph">
        <Icon name="graph" />
      </a>
      <a class="btn icon" href={hashHref({ tab: "timeline", taskId: task.id })} title="Run timeline" aria-label="Run timeline">
        <Icon name="timeline" />
      </a>
      {(s === "FAILED" || (s === "DISABLED" && task.reEnableAble)) && (
        <button type="button" class="icon danger-text" title="Show error" aria-label="Show error" onClick={() => openModal(<ErrorModal taskId={task.id} displayName={task.displayName} />)}>
          <Icon name="bug" />
        </button>
      )}
      {s === "FAILED" && (
        <button type="button" class="text" title="Forgive failures" onClick={() => act("forgive_failures", task, "Forgiven", onDone)}>
          Forgive
        </button>
      )}
      {s === "DISABLED" && task.reEnableAble && (
        <button type="button" class="text" title="Re-enable" onClick={() => act("re_enable_task", task, "Re-enabled", onDone)}>
          Re-enable
        </button>
      )}
      {(s === "RUNNING" || s === "FAILED" || s === "DISABLED") && (
        <button type="button" class="text" title="Mark as done" onClick={() => act("mark_as_done", task, "Marked as done", onDone)}>
          Mark done
        </button>
      )}
      {tracking && (
        <a class="btn icon" href={tracking} target="_blank" rel="noopener noreferrer" title="Track progress" aria-label="Track progress">
          <Icon name="eye" />
        </a>
      )}
      {(task.statusMessage || task.progressPercentage !== null) && (
        <button type="button" class="icon" title="Status message" aria-label="Status message" onClick={() => openModal(<StatusModal task={task} />)}>
          <Icon name="comment" />
        </button>
      )}
      {task.acceptsMessages && (
        <button type="button" class="icon" title="Send message" aria-label="Send message" onClick={() => openModal(<SendMessageModal task={task} />)}>
          <Icon name="send" />
        </button>
      )}
    </div>
  );
}
