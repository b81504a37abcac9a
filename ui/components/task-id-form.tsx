/** @jsxImportSource preact */
/**
 * The "which task?" bar of the graph and timeline views: typing a task id and
 * pressing Enter (or the button) writes `taskId` into the hash; extra
 * controls of the view go after it.
 * @module
 */
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { updateHash } from "../lib/hash.ts";

export function TaskIdForm({ taskId, label, placeholder, button, children }: { taskId: string; label: string; placeholder: string; button: string; children?: ComponentChildren }) {
  const [typed, setTyped] = useState(taskId);
  useEffect(() => setTyped(taskId), [taskId]);
  return (
    <form
      class="graph-controls"
      onSubmit={(e) => {
        e.preventDefault();
        updateHash({ taskId: typed.trim() || null });
      }}
    >
      <label class="field inline grow">
        {label}
        <input id="graph-task-id" type="text" value={typed} placeholder={placeholder} onInput={(e) => setTyped(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">
        {button}
      </button>
      {children}
    </form>
  );
}
