/** @jsxImportSource preact */
/**
 * Resources tab (server.md §5.7): usage bars sorted by how full they are,
 * change a capacity, expand the running tasks holding a resource (the set of
 * expanded resources lives in the hash, key `resources`).
 * @module
 */
import { useState } from "preact/hooks";
import type { UiResource } from "../../../src/http/ui/types.ts";
import { rpc, uiApi } from "../../api/client.ts";
import { CountControls } from "../../components/count-controls.tsx";
import { ProgressBar } from "../../components/progress-bar.tsx";
import { RunningTasks } from "../../components/running-tasks.tsx";
import { toast } from "../../components/toast.tsx";
import { jsonList, updateHash } from "../../lib/hash.ts";
import { useFetch } from "../../lib/use-fetch.ts";

function usage(r: UiResource): number {
  return r.total > 0 ? r.used / r.total : r.used > 0 ? Infinity : 0;
}

function ResourceCard({ resource, expanded, toggle, reload }: { resource: UiResource; expanded: boolean; toggle: () => void; reload: () => void }) {
  const set = async (amount: number) => {
    if (!Number.isInteger(amount) || amount < 0) return;
    try {
      const ok = await rpc<boolean>("update_resource", { resource: resource.name, amount });
      toast(ok ? `${resource.name}: capacity ${amount}` : `${resource.name}: capacity refused`, ok ? "info" : "error");
    } catch (e) {
      toast(`Could not change ${resource.name}: ${(e as Error).message}`, "error");
    }
    reload();
  };
  const u = usage(resource);
  return (
    <article class="card resource" data-resource={resource.name}>
      <header>
        <h3>{resource.name}</h3>
        <div class="tools">
          <CountControls value={resource.total} noun="resource" placeholder="non-negative integer" valid={(n) => n >= 0} onSet={set} canDecrease={resource.total !== 0} />
        </div>
      </header>
      <ProgressBar percent={resource.total > 0 ? (resource.used / resource.total) * 100 : resource.used > 0 ? 100 : 0} label={`${resource.used}/${resource.total}`} tone={u >= 1 ? "full" : u > 0.5 ? "warn" : "ok"} />
      {resource.running.length > 0 && (
        <button type="button" class="link" aria-expanded={expanded} onClick={toggle}>
          {expanded ? "▾" : "▸"} {resource.running.length} running task{resource.running.length === 1 ? "" : "s"}
        </button>
      )}
      {expanded && resource.running.length > 0 && (
        <RunningTasks tasks={resource.running} onDone={reload} />
      )}
    </article>
  );
}

export function ResourcesPage({ hash, version }: { hash: URLSearchParams; version: number }) {
  const [nonce, setNonce] = useState(0);
  const expanded = jsonList(hash, "resources");
  const { data: resources, error } = useFetch(() => uiApi.resources(), [version, nonce]);
  const toggle = (name: string) => {
    const next = expanded.includes(name) ? expanded.filter((n) => n !== name) : [...expanded, name];
    updateHash({ resources: next.length ? JSON.stringify(next) : null }, { replace: true });
  };
  const sorted = [...(resources ?? [])].sort((a, b) => usage(b) - usage(a) || b.used - a.used || a.name.localeCompare(b.name));
  return (
    <section class="content">
      {error && <p class="callout danger">{error}</p>}
      {resources && resources.length === 0 && <p class="callout info">No resources are configured ([resources] in luigi.cfg).</p>}
      <div class="cards">
        {sorted.map((r) => (
          <ResourceCard key={r.name} resource={r} expanded={expanded.includes(r.name)} toggle={() => toggle(r.name)} reload={() => setNonce((n) => n + 1)} />
        ))}
      </div>
    </section>
  );
}
