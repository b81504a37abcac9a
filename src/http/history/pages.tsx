/** @jsxImportSource preact */
/**
 * The history pages as Preact components, rendered to HTML on the server so
 * the runs and their links are in the page itself (curl-readable, as Luigi's
 * Tornado templates are). Content follows server.md §4.8–4.9; every piece of
 * text goes through Preact, which escapes it.
 * @module
 */
import type { ComponentChildren } from "preact";
import { renderToString } from "preact-render-to-string";
import type { FamilyCount, FamilyRuns, RecordDetail, RecordSummary } from "../../store/history/queries.ts";
import { formatDuration, type TaskRun } from "../../store/history/runs.ts";
import { displayTs } from "../../store/history/timestamp.ts";
import { DurationChart } from "./chart.tsx";
import { ENHANCE_JS } from "./enhance.ts";
import type { Links } from "./links.ts";
import { VIEWS } from "../ui/views.ts";
import { HISTORY_CSS } from "./style.ts";

/** Renders a page component to a complete HTML document. */
export function renderPage(page: preact.VNode): string {
  return `<!DOCTYPE html>${renderToString(page)}`;
}

function Layout({ links, children }: { links: Links; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Luigi History Viewer</title>
        <style dangerouslySetInnerHTML={{ __html: HISTORY_CSS }} />
      </head>
      <body>
        <header class="topbar">
          <a class="brand" href={links.visualiser}>
            Luigi Task Status
          </a>
          <nav aria-label="Views">
            {VIEWS.map((view) => (
              <a key={view.tab} href={links.view(view.tab)}>
                {view.label}
              </a>
            ))}
            <a class="active" aria-current="page" href={links.recent}>
              History
            </a>
          </nav>
        </header>
        <div class="container">
          <nav class="subnav" aria-label="History">
            <a href={links.recent}>Recent runs</a>
            <a href={links.tasklist}>Durations</a>
          </nav>
          {children}
        </div>
        <script dangerouslySetInnerHTML={{ __html: ENHANCE_JS }} />
      </body>
    </html>
  );
}

const Ts = ({ ts }: { ts: string | null | undefined }) => <>{ts ? displayTs(ts) : ""}</>;
const Status = ({ status }: { status: string | null | undefined }) => <span class={`status-${status ?? ""}`}>{status ?? ""}</span>;

function runText(run: TaskRun | null): string {
  if (!run) return "";
  if (run.outcome === null) return run.ended === null ? "running or lost" : "";
  return `${formatDuration(run.seconds)} (${run.outcome})`;
}

/** Luigi's list table (Name | Host | Last Action | Status | Parameters), plus each record's last run. */
function RecordTable({ records, links }: { records: readonly RecordSummary[]; links: Links }) {
  return (
    <table class="table table-striped table-bordered records">
      <thead>
        <tr>
          <th>Name</th>
          <th>Host</th>
          <th>Last Action</th>
          <th>Status</th>
          <th>Parameters</th>
          <th>Last run</th>
        </tr>
      </thead>
      <tbody>
        {records.map((r) => (
          <tr key={r.id} data-record-id={r.id}>
            <td>
              <a href={links.byId(r.id)}>{r.name ?? ""}</a>
            </td>
            <td>{r.host ?? "None"}</td>
            <td>
              <Ts ts={r.last?.ts} />
            </td>
            <td>
              <Status status={r.last?.status} />
            </td>
            <td>
              {r.params.map((p) => (
                <table class="table-condensed params" key={p.name}>
                  <tbody>
                    <tr>
                      <td>{p.name}</td>
                      <td>{p.value ?? ""}</td>
                    </tr>
                  </tbody>
                </table>
              ))}
            </td>
            <td>{runText(r.lastRun)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Truncation({ shown, total, more }: { shown: number; total: number; more: string | null }) {
  if (shown >= total) return <p class="muted">{`${total} record${total === 1 ? "" : "s"}.`}</p>;
  return (
    <p class="muted">
      {`Showing ${shown} of ${total} records. `}
      {more ? <a href={more}>Show more</a> : null}
    </p>
  );
}

/** Choices of the /history look-back control, in days ("all": no limit). */
export const LOOK_BACK: ReadonlyArray<[string, string]> = [
  ["1", "past 24 hours"],
  ["7", "past 7 days"],
  ["30", "past 30 days"],
  ["365", "past year"],
  ["all", "all time"],
];

export function RecentPage(props: { links: Links; records: RecordSummary[]; total: number; days: string; more: string | null }) {
  const { links, records, total, days, more } = props;
  const choices = LOOK_BACK.some(([value]) => value === days) ? LOOK_BACK : [...LOOK_BACK, [days, `past ${days} days`] as [string, string]];
  return (
    <Layout links={links}>
      <h2>Luigi Task History</h2>
      <form class="controls" method="get" action="">
        <label for="days">Runs active in the</label>
        <select id="days" name="days">
          {choices.map(([value, label]) => (
            <option key={value} value={value} selected={value === days}>
              {label}
            </option>
          ))}
        </select>
        <button type="submit">Show</button>
      </form>
      <RecordTable records={records} links={links} />
      <Truncation shown={records.length} total={total} more={more} />
    </Layout>
  );
}

export function NamePage(props: { links: Links; name: string; params: Record<string, unknown> | null; records: RecordSummary[]; total: number; more: string | null }) {
  const { links, name, params, records, total, more } = props;
  return (
    <Layout links={links}>
      <h2>Luigi Task History</h2>
      <p class="muted">
        {`Runs of ${name}`}
        {params && Object.keys(params).length > 0 ? ` with ${JSON.stringify(params)}` : ""}
        {" · "}
        <a href={links.family(name)}>durations over time</a>
      </p>
      <RecordTable records={records} links={links} />
      <Truncation shown={records.length} total={total} more={more} />
    </Layout>
  );
}

export function DetailPage({ links, record }: { links: Links; record: RecordDetail }) {
  const name = record.name ?? "";
  return (
    <Layout links={links}>
      <h3>Info</h3>
      <table class="table table-striped table-bordered info">
        <tbody>
          <tr>
            <td>Task Id</td>
            <td>{record.id}</td>
          </tr>
          <tr>
            <td>Task Name</td>
            <td>{name}</td>
          </tr>
          <tr>
            <td>Host</td>
            <td>{record.host ?? "None"}</td>
          </tr>
          <tr>
            <td>Scheduler task id</td>
            <td class="mono">{record.taskId ?? ""}</td>
          </tr>
          <tr>
            <td>More</td>
            <td>
              <a href={links.byName(name)}>{`All "${name}" runs`}</a>
              {" · "}
              {/* A NULL value never compares equal in SQL, so such parameters are left out of the match. */}
              <a href={links.byParams(name, Object.fromEntries(record.params.filter((p) => p.value !== null).map((p) => [p.name, p.value])))}>runs with these parameters</a>
              {" · "}
              <a href={links.family(name)}>durations over time</a>
            </td>
          </tr>
        </tbody>
      </table>
      <h3>Parameters</h3>
      <table class="table table-striped table-bordered parameters">
        <thead>
          <tr>
            <th>Name</th>
            <th>Value</th>
          </tr>
        </thead>
        <tbody>
          {record.params.map((p) => (
            <tr key={p.name}>
              <td>{p.name}</td>
              <td>{p.value ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Runs</h3>
      <RunTable runs={record.runs} />
      <h3>Actions</h3>
      <table class="table table-striped table-bordered actions">
        <thead>
          <tr>
            <th>Status</th>
            <th>Action Time</th>
          </tr>
        </thead>
        <tbody>
          {record.events.map((e) => (
            <tr key={e.id}>
              <td>
                <Status status={e.status} />
              </td>
              <td>
                <Ts ts={e.ts} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

function RunTable({ runs, links }: { runs: readonly TaskRun[]; links?: Links }) {
  if (runs.length === 0) return <p class="muted">No runs: the task never started here.</p>;
  return (
    <table class="table table-striped table-bordered runs">
      <thead>
        <tr>
          {links ? <th>Record</th> : null}
          <th>Started</th>
          <th>Ended</th>
          <th>Outcome</th>
          <th>Duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run, i) => (
          <tr key={i}>
            {links ? (
              <td>
                <a href={links.byId(run.recordId)}>{run.recordId}</a>
              </td>
            ) : null}
            <td>
              <Ts ts={run.started} />
            </td>
            <td>
              <Ts ts={run.ended} />
            </td>
            <td>
              <Status status={run.outcome ?? (run.ended === null ? "no outcome" : "")} />
            </td>
            <td>{formatDuration(run.seconds)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TasklistPage({ links, families }: { links: Links; families: FamilyCount[] }) {
  return (
    <Layout links={links}>
      {families.length > 0 ? (
        <>
          <h3>[ Task History ]</h3>
          <ul class="nav nav-pills">
            {families.map((f) => (
              <li key={f.name} class="active">
                <a href={links.family(f.name)}>
                  {f.name}
                  <span class="count">{`(${f.records})`}</span>
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="muted">No task has been recorded yet.</p>
      )}
    </Layout>
  );
}

/** How many runs the family page draws and lists (the newest ones). */
export const FAMILY_RUNS_SHOWN = 500;

export function FamilyPage({ links, family }: { links: Links; family: FamilyRuns }) {
  const runs = family.runs.slice(-FAMILY_RUNS_SHOWN);
  const luigiData = { status_results: family.statusResults, task_results: family.taskResults };
  return (
    <Layout links={links}>
      <h3>{`${family.name} History`}</h3>
      <p class="muted">
        <a href={links.byName(family.name)}>{`All "${family.name}" runs`}</a>
        {family.runs.length > runs.length ? ` · the newest ${runs.length} of ${family.runs.length} runs are shown` : ""}
      </p>
      <DurationChart runs={runs} />
      <h3>Runs</h3>
      <RunTable runs={[...runs].reverse()} links={links} />
      {/* Luigi's page embeds these two data sets for its chart script; scripts that scraped them keep working. */}
      <script type="application/json" id="luigi-chart-data" dangerouslySetInnerHTML={{ __html: jsonForScript(luigiData) }} />
    </Layout>
  );
}

/** JSON safe inside a <script> element: no `</script>` or `<!--` can close it. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

export function MessagePage({ links, title, message }: { links: Links; title: string; message: ComponentChildren }) {
  return (
    <Layout links={links}>
      <h2>{title}</h2>
      <div class="alert">{message}</div>
    </Layout>
  );
}
