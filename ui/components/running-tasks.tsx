/** @jsxImportSource preact */
/**
 * The running tasks of a worker or of a resource, as a compact table with the
 * usual task actions. The workers tab also shows what each task holds and
 * how far along it is (`details`).
 * @module
 */
import type { UiTask } from "../../src/http/ui/types.ts";
import { dateTime, resourceText } from "../lib/format.ts";
import { ProgressBar } from "./progress-bar.tsx";
import { TaskActions } from "./task-actions.tsx";

export function RunningTasks({ tasks, onDone, details = false, hideDone }: { tasks: UiTask[]; onDone: () => void; details?: boolean; hideDone?: boolean }) {
  return (
    <table class="tasks compact">
      <thead>
        <tr>
          <th>Name</th>
          <th>Priority</th>
          {details && <th>Resources</th>}
          {details && <th>Progress</th>}
          <th>Time</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t.id} data-task-id={t.id}>
            <td>{t.displayName}</td>
            <td class="num">{t.priority}</td>
            {details && <td class="small">{resourceText(t.resourcesRunning ?? t.resources)}</td>}
            {details && <td>{t.progressPercentage !== null ? <ProgressBar percent={t.progressPercentage} /> : "-"}</td>}
            <td class="nowrap">
              {dateTime(t.lastUpdated)}
              {details && t.timeRunning && <span class="muted"> | {Math.round((Date.now() / 1000 - t.timeRunning) / 60)} minutes</span>}
            </td>
            <td>
              <TaskActions task={t} onDone={onDone} hideDone={hideDone} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
