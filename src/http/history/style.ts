/**
 * The history pages' stylesheet, inlined into each page so the pages need no
 * extra request and work under any proxy sub-path: the shell every page of
 * luigid shares (ui/shell.css: palette, base type and links, the top bar,
 * embedded in the binary as text), then what only these pages have, in the
 * visualiser's colours.
 * @module
 */
import SHELL_CSS from "../../../ui/shell.css" with { type: "text" };

const PAGES_CSS = `
.container{max-width:1200px;margin:0 auto;padding:0 15px 40px}
.subnav{display:flex;gap:16px;margin:14px 0 0}
h2,h3{font-weight:600;margin:20px 0 10px}
.table{width:100%;border-collapse:collapse;margin-bottom:20px;background:var(--panel)}
.table th,.table td{border:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
.table thead th{border-bottom-width:2px}
.table tbody tr:nth-child(odd){background:#f6f8fa}
.table-condensed{border-collapse:collapse}.table-condensed td{padding:1px 6px 1px 0;border:0;background:none}
.params td:first-child{color:var(--muted)}
.muted{color:var(--muted)}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
.status-DONE{color:var(--st-done)}.status-FAILED{color:var(--st-failed)}.status-RUNNING{color:var(--st-running)}.status-PENDING{color:var(--st-pending)}
.controls{display:flex;gap:8px;align-items:center;margin:10px 0}
.controls select,.controls input,.controls button{font:inherit;padding:3px 6px}
.nav-pills{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px}
.nav-pills a{display:inline-block;padding:6px 12px;border-radius:6px;background:var(--accent);color:#fff}
.nav-pills .count{opacity:.75;margin-left:4px}
.filter{font:inherit;padding:4px 8px;margin:0 0 8px;width:280px;max-width:100%}
.alert{padding:12px 15px;border:1px solid #ebccd1;background:#fff1f0;color:var(--st-failed);border-radius:6px;margin:20px 0}
.chart{width:100%;height:auto;border:1px solid var(--line);background:var(--panel)}
.chart .axis{stroke:#999}.chart text{font-size:11px;fill:#555}
`;

export const HISTORY_CSS = `${SHELL_CSS}${PAGES_CSS}`;
