/**
 * The history pages' stylesheet, inlined into each page so the pages need no
 * extra request and work under any proxy sub-path. A Bootstrap-3-like look,
 * close to the visualiser's, without shipping Bootstrap.
 * @module
 */
export const HISTORY_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.43 "Helvetica Neue",Helvetica,Arial,sans-serif;color:#333;background:#fff}
a{color:#337ab7;text-decoration:none}a:hover{text-decoration:underline}
.navbar{background:#222;color:#9d9d9d;padding:0 15px;display:flex;gap:20px;align-items:center;min-height:50px}
.navbar a{color:#9d9d9d}.navbar a:hover,.navbar .brand{color:#fff;text-decoration:none}
.navbar .brand{font-size:18px}
.container{max-width:1200px;margin:0 auto;padding:0 15px 40px}
h2,h3{font-weight:500;margin:20px 0 10px}
.table{width:100%;border-collapse:collapse;margin-bottom:20px}
.table th,.table td{border:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
.table thead th{border-bottom-width:2px}
.table tbody tr:nth-child(odd){background:#f9f9f9}
.table-condensed{border-collapse:collapse}.table-condensed td{padding:1px 6px 1px 0;border:0;background:none}
.params td:first-child{color:#777}
.muted{color:#777}.mono{font-family:Menlo,Consolas,monospace;font-size:12px}
.status-DONE{color:#3c763d}.status-FAILED{color:#a94442}.status-RUNNING{color:#31708f}.status-PENDING{color:#8a6d3b}
.controls{display:flex;gap:8px;align-items:center;margin:10px 0}
.controls select,.controls input,.controls button{font:inherit;padding:3px 6px}
.nav-pills{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:6px}
.nav-pills a{display:inline-block;padding:6px 12px;border-radius:4px;background:#337ab7;color:#fff}
.nav-pills .count{opacity:.75;margin-left:4px}
.filter{font:inherit;padding:4px 8px;margin:0 0 8px;width:280px;max-width:100%}
.alert{padding:12px 15px;border:1px solid #ebccd1;background:#f2dede;color:#a94442;border-radius:4px;margin:20px 0}
.chart{width:100%;height:auto;border:1px solid #eee}
.chart .axis{stroke:#999}.chart text{font-size:11px;fill:#555}
`;
