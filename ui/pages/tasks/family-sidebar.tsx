/** @jsxImportSource preact */
/**
 * "TASK FAMILIES": families grouped into folders by the prefix before the
 * first dot (others under "Others"), each with its task count; clicking one
 * filters the table to exactly that family (server.md §5.1).
 * @module
 */
import { useMemo, useState } from "preact/hooks";
import type { UiSummary } from "../../../src/http/ui/types.ts";
import { updateHash } from "../../lib/hash.ts";

const OTHERS = "Others";

function folderOf(family: string): string {
  const dot = family.indexOf(".");
  return dot > 0 ? family.slice(0, dot) : OTHERS;
}

export function FamilySidebar({ summary, selected }: { summary: UiSummary | null; selected: string | null }) {
  const folders = useMemo(() => {
    const byFolder = new Map<string, Array<{ name: string; count: number }>>();
    for (const f of summary?.families ?? []) {
      const folder = folderOf(f.name);
      const list = byFolder.get(folder) ?? [];
      list.push(f);
      byFolder.set(folder, list);
    }
    for (const list of byFolder.values()) list.sort((a, b) => a.name.localeCompare(b.name));
    return [...byFolder].sort(([a], [b]) => (a === OTHERS ? 1 : b === OTHERS ? -1 : a.localeCompare(b)));
  }, [summary?.families]);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const selectedFolder = selected === null ? OTHERS : folderOf(selected);
  const isOpen = (folder: string) => open.has(folder) !== (folder === selectedFolder);
  const toggle = (folder: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(folder)) next.delete(folder);
      else next.add(folder);
      return next;
    });

  return (
    <aside class="sidebar" aria-label="Task families">
      <header>
        <span>TASK FAMILIES</span>
        {selected !== null && (
          <button type="button" class="chip" onClick={() => updateHash({ family: null, page: null })}>
            Clear selection
          </button>
        )}
      </header>
      {folders.length === 0 && <p class="muted small pad">No tasks yet.</p>}
      {summary && summary.familyCount > summary.families.length && (
        <p class="muted small pad">
          The {summary.families.length.toLocaleString()} largest of {summary.familyCount.toLocaleString()} families; use the filter box for the others.
        </p>
      )}
      {folders.map(([folder, families]) => (
        <div key={folder} class="folder">
          <button type="button" class="folder-head" aria-expanded={isOpen(folder)} onClick={() => toggle(folder)}>
            <span aria-hidden="true">{isOpen(folder) ? "▾" : "▸"}</span> {folder}
            <span class="muted small"> {families.length}</span>
          </button>
          {isOpen(folder) && (
            <ul>
              {families.map((f) => (
                <li key={f.name}>
                  <button
                    type="button"
                    class={`family${f.name === selected ? " selected" : ""}`}
                    data-family={f.name}
                    onClick={() => updateHash({ family: f.name === selected ? null : f.name, page: null })}
                  >
                    <span class="count">{f.count.toLocaleString()}</span>
                    <span class="family-name">{f.name || "(no family)"}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </aside>
  );
}
