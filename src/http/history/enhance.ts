/**
 * The pages' only browser code, inlined: they are complete without it (every
 * run and link is in the HTML). With it, the look-back choice applies as soon
 * as it changes, and a filter box narrows the table's rows as you type.
 * @module
 */
export const ENHANCE_JS = `(function () {
  var days = document.getElementById("days");
  if (days && days.form) days.addEventListener("change", function () { days.form.submit(); });
  var table = document.querySelector("table.records, table.runs");
  if (!table || !table.tBodies[0] || table.tBodies[0].rows.length < 2) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var input = document.createElement("input");
  input.type = "search";
  input.className = "filter";
  input.placeholder = "Filter these " + rows.length + " rows";
  input.setAttribute("aria-label", "Filter rows");
  table.parentNode.insertBefore(input, table);
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    rows.forEach(function (row) { row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0; });
  });
})();`;
