/** @jsxImportSource preact */
/**
 * Task List tab (server.md §5.3): status boxes with counts, the family
 * sidebar, the filter box and a paged, sortable table. Filtering, sorting and
 * paging happen on the server (/ui-api/tasks), so 100k tasks open at once.
 * @module
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { type Category, isCategory, SORT_KEYS, type UiSummary, type UiTask } from "../../../src/http/ui/types.ts";
import { uiApi } from "../../api/client.ts";
import { TaskActions } from "../../components/task-actions.tsx";
import { dateTime, paramText, resourceText } from "../../lib/format.ts";
import { jsonList, updateHash } from "../../lib/hash.ts";
import { CATEGORY_INFO, CATEGORY_LABEL, statusColor } from "../../lib/status.ts";
import { useFetch } from "../../lib/use-fetch.ts";
import { FamilySidebar } from "./family-sidebar.tsx";

const PAGE_SIZES = [10, 25, 50, 100];
const COLUMNS = ["Status", "Name", "Details", "Priority", "Time", "Actions"];

function StatusBoxes({ summary, active }: { summary: UiSummary | null; active: Category[] }) {
  const toggle = (key: Category) => {
    const next = active.includes(key) ? active.filter((k) => k !== key) : [...active, key];
    updateHash({ statuses: next.length ? JSON.stringify(next) : null, page: null });
  };
  return (
    <div class="boxes">
      {CATEGORY_INFO.filter((c) => c.key !== "UNKNOWN" || (summary?.counts.UNKNOWN ?? 0) > 0).map((c) => {
        const on = active.includes(c.key);
        return (
          <button
            key={c.key}
            type="button"
            class={`box${on ? " active" : ""}`}
            style={{ "--box": statusColor(c.key) }}
            aria-pressed={on}
            data-category={c.key}
            onClick={() => toggle(c.key)}
          >
            <span class="box-glyph" aria-hidden="true">{c.glyph}</span>
            <span class="box-text">
              <span class="box-label">{c.label} Tasks</span>
              <span class="box-count" data-testid={`count-${c.key}`}>{summary ? summary.counts[c.key].toLocaleString() : "?"}</span>
            </span>
          </button>
        );
      })}
    </div>
  );
}

export function StatusBadge({ category }: { category: string }) {
  return (
    <span class="badge" style={{ "--badge": statusColor(category) }}>
      {category}
    </span>
  );
}

function TimeCell({ task }: { task: UiTask }) {
  const minutes = task.status === "RUNNING" && task.timeRunning ? Math.round((Date.now() / 1000 - task.timeRunning) / 60) : null;
  return (
    <span class="nowrap">
      {dateTime(task.lastUpdated)}
      {minutes !== null && <span class="muted"> | {minutes} minutes</span>}
    </span>
  );
}

export function TasksPage({ hash, summary, version, refresh }: { hash: URLSearchParams; summary: UiSummary | null; version: number; refresh: () => void }) {
  const statuses = jsonList(hash, "statuses").filter(isCategory);
  const family = hash.get("family");
  const search = hash.get("search__search") ?? "";
  const [orderCol, orderDir] = (hash.get("order") ?? "").split(",");
  const sortIndex = Number(orderCol);
  const sort = orderCol !== undefined && orderCol !== "" && SORT_KEYS[sortIndex] ? SORT_KEYS[sortIndex] : null;
  const desc = orderDir === "desc";
  const length = PAGE_SIZES.includes(Number(hash.get("length"))) ? Number(hash.get("length")) : 10;
  const page = Math.max(0, Number(hash.get("page") ?? 0) || 0);

  const [typed, setTyped] = useState(search);
  const [nonce, setNonce] = useState(0);
  useEffect(() => setTyped(search), [search]);

  const statusKey = statuses.join(",");
  const { data, error } = useFetch(
    () => uiApi.tasks({ categories: statusKey, family, search, sort, dir: desc ? "desc" : "", offset: page * length, limit: length }),
    [statusKey, family, search, sort, desc, length, page, version, nonce],
  );

  // Typing filters after a pause, as Luigi's server filter did (400 ms).
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const onType = (value: string) => {
    setTyped(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => updateHash({ search__search: value, page: null }, { replace: true }), 300);
  };
  const afterAction = () => {
    setNonce((n) => n + 1);
    refresh();
  };

  const setOrder = (index: number) => {
    const dir = sort === SORT_KEYS[index] && !desc ? "desc" : "asc";
    updateHash({ order: `${index},${dir}`, page: null });
  };
  const pages = data ? Math.max(1, Math.ceil(data.matched / length)) : 1;
  const callout = useMemo(() => {
    if (!statuses.length && !family && !search) return null;
    const parts: string[] = [];
    parts.push(statuses.length ? `${statuses.map((s) => CATEGORY_LABEL.get(s)).join(", ")} tasks` : "tasks");
    if (family) parts.push(`of family ${family}`);
    if (search) parts.push(`filtered by "${search}"`);
    return `Displaying ${parts.join(" ")}.`;
  }, [statusKey, family, search]);

  return (
    <div class="with-sidebar">
      <FamilySidebar summary={summary} selected={family} />
      <section class="content">
        <StatusBoxes summary={summary} active={statuses} />
        {callout && (
          <p class="callout info" data-testid="filter-callout">
            {callout}{" "}
            <button type="button" class="link" onClick={() => updateHash({ statuses: null, family: null, search__search: null, page: null })}>
              Clear filters
            </button>
          </p>
        )}
        <div class="table-tools">
          <label class="field inline">
            Show
            <select value={length} onChange={(e) => updateHash({ length: e.currentTarget.value === "10" ? null : e.currentTarget.value, page: null })}>
              {PAGE_SIZES.map((n) => (
                <option key={n} value={n}>{n}</option>
              ))}
            </select>
            entries
          </label>
          <label class="field inline grow">
            Filter table:
            <input id="task-filter" type="search" value={typed} placeholder="words in the name or parameters   ( / )" onInput={(e) => onType(e.currentTarget.value)} />
          </label>
        </div>
        {error && <p class="callout danger">Could not load tasks: {error}</p>}
        <div class="table-wrap">
          <table class="tasks" data-testid="task-table">
            <thead>
              <tr>
                {COLUMNS.map((label, index) => (
                  <th key={label} class={index < 5 ? "sortable" : ""} onClick={index < 5 ? () => setOrder(index) : undefined} aria-sort={sort === SORT_KEYS[index] ? (desc ? "descending" : "ascending") : undefined}>
                    {label}
                    {sort === SORT_KEYS[index] && <span aria-hidden="true">{desc ? " ▾" : " ▴"}</span>}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data?.rows.map((task) => (
                <tr key={task.id} data-task-id={task.id}>
                  <td><StatusBadge category={task.category} /></td>
                  <td class="name">{task.name}</td>
                  <td class="details">
                    <div>{paramText(task.params)}</div>
                    {resourceText(task.resourcesRunning ?? task.resources) && <div class="muted small">{resourceText(task.resourcesRunning ?? task.resources)}</div>}
                    {task.statusMessage && <div class="muted small">“{task.statusMessage}”</div>}
                  </td>
                  <td class="num">{task.priority}</td>
                  <td><TimeCell task={task} /></td>
                  <td><TaskActions task={task} onDone={afterAction} /></td>
                </tr>
              ))}
              {data && data.rows.length === 0 && (
                <tr>
                  <td colSpan={6} class="empty">No tasks match.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        {data && (
          <div class="pager">
            <span class="muted" data-testid="table-info">
              Showing {data.matched === 0 ? 0 : data.offset + 1} to {Math.min(data.offset + length, data.matched)} of {data.matched.toLocaleString()} entries
              {data.matched !== data.total && ` (filtered from ${data.total.toLocaleString()} total entries)`}
            </span>
            <span class="pages">
              <button type="button" disabled={page === 0} onClick={() => updateHash({ page: page > 1 ? String(page - 1) : null })}>Previous</button>
              <span class="muted">Page {page + 1} of {pages.toLocaleString()}</span>
              <button type="button" disabled={page + 1 >= pages} onClick={() => updateHash({ page: String(page + 1) })}>Next</button>
            </span>
          </div>
        )}
      </section>
    </div>
  );
}
