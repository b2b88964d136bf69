"""The page's inline stylesheet and script. The page allows exactly these two by hash in its
Content-Security-Policy, so markup that slipped through escaping could still run nothing."""

from __future__ import annotations

import base64
import hashlib

STYLE = """
:root { --ink: #1d2330; --muted: #5b6472; --line: #d9dee5; --signal: #fff4d6;
  --evans: #c2410c; --eb05: #7c3aed; --both: #b91c1c; --prr: #2563eb; --ror: #db2777;
  --drug: #cfe3ff; --event: #ffd3de; --dose: #d3f3da; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); margin: 0; }
header, main, footer { max-width: 1340px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 18px; padding-bottom: 10px; border-bottom: 1px solid var(--line); }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 26px 0 6px; }
h3 { font-size: 15px; margin: 0 0 4px; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(300px, 1fr));
  gap: 2px 24px; margin: 0 0 8px; }
dl.facts div { display: flex; gap: 8px; }
dt { color: var(--muted); min-width: 70px; }
dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.unit { background: #eef4ff; border-left: 3px solid var(--prr); padding: 6px 10px; margin: 6px 0; }
nav a { margin-right: 16px; }
.note { color: var(--muted); margin: 4px 0 8px; }
.controls { display: flex; gap: 18px; align-items: center; margin: 8px 0; }
.controls input[type=search] { padding: 5px 8px; width: 300px; font: inherit; }
.table-wrap { max-height: 70vh; overflow: auto; border: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; font-size: 13px;
  font-variant-numeric: tabular-nums; }
th { position: sticky; top: 0; background: #f3f5f8; border-bottom: 1px solid var(--line); }
th button { all: unset; cursor: pointer; display: block; padding: 6px 8px; font-weight: 600;
  white-space: nowrap; }
th button:focus-visible { outline: 2px solid var(--prr); }
th[aria-sort=ascending] button::after { content: " ▲"; }
th[aria-sort=descending] button::after { content: " ▼"; }
td { padding: 3px 8px; border-bottom: 1px solid #eef0f3; text-align: right; white-space: nowrap; }
td:nth-child(-n+2) { text-align: left; white-space: normal; }
tr.signal { background: var(--signal); }
tr.signal td:first-child { box-shadow: inset 3px 0 var(--evans); }
.badge { display: inline-block; padding: 0 6px; margin-left: 3px; border-radius: 9px;
  font-size: 11px; font-weight: 600; color: #fff; vertical-align: 1px; }
.badge.evans { background: var(--evans); }
.badge.eb05 { background: var(--eb05); }
mark { padding: 0 2px; border-radius: 3px; color: inherit; }
mark.drug { background: var(--drug); }
mark.event { background: var(--event); }
mark.dose { background: var(--dose); }
section.pair { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px;
  margin: 10px 0; }
section.pair .meta { color: var(--muted); margin: 0 0 6px; }
ol.evidence { margin: 0; padding-left: 22px; }
blockquote { margin: 4px 0 2px; padding: 6px 10px; background: #fafbfc;
  border-left: 3px solid var(--line); white-space: pre-wrap; }
li.not-counted blockquote { color: var(--muted); border-left-color: #9ca3af; }
.assertion { font-weight: 600; }
.assertion.negated, .assertion.speculated, .assertion.family { color: var(--both); }
.prov { color: var(--muted); font-size: 12px; margin: 0 0 8px; }
.warn { color: var(--both); font-size: 12px; margin: 0; }
.structured { font-style: italic; margin: 4px 0; }
figure { margin: 6px 0; overflow-x: auto; }
svg text { font: 12px system-ui, sans-serif; fill: var(--ink); }
svg .tick, svg .row-note { fill: var(--muted); font-size: 11px; }
svg .axis-label { fill: var(--muted); }
svg .grid { stroke: #eceff3; }
svg .axis { stroke: #8a94a3; }
svg .ref { stroke: #374151; stroke-width: 1.2; }
svg .ref2 { stroke: #9ca3af; stroke-dasharray: 4 3; }
svg .ci { stroke-width: 2; }
svg .ci.m-prr { stroke: var(--prr); }
svg .ci.m-ror { stroke: var(--ror); }
svg .m-prr { fill: var(--prr); }
svg .m-ror { fill: var(--ror); }
svg g.signal .row-label { font-weight: 600; }
svg .pt { fill-opacity: 0.8; stroke: #fff; stroke-width: 0.8; }
svg .pt.none { fill: #9ca3af; }
svg .pt.evans { fill: var(--evans); }
svg .pt.eb05 { fill: var(--eb05); }
svg .pt.both { fill: var(--both); }
footer { color: var(--muted); font-size: 12.5px; border-top: 1px solid var(--line);
  margin-top: 30px; padding-bottom: 30px; }
footer li { margin: 3px 0; }
@media print { .controls { display: none; } .table-wrap { max-height: none; overflow: visible; } }
"""

# Sorts the table by a header's column (numbers by data-v, names alphabetically, empty and
# n/a cells last either way, ties in the original order), filters rows by the search box,
# and reads "#sort=col:dir&filter=text&signals=1" on load so a view can be linked.
SCRIPT = """
"use strict";
(() => {
  const table = document.getElementById("signals");
  if (!table) { document.documentElement.dataset.ready = "1"; return; }
  const body = table.tBodies[0];
  const headers = Array.from(table.tHead.rows[0].cells);
  const filter = document.getElementById("filter");
  const onlySignals = document.getElementById("only-signals");
  const shown = document.getElementById("shown");
  const rows = Array.from(body.rows);
  const position = new Map(rows.map((row, i) => [row, i]));
  const names = new Map(rows.map((row) =>
    [row, `${row.cells[0].textContent} ${row.cells[1].textContent}`.toLowerCase()]));

  const cellValue = (row, index, numeric) => {
    const cell = row.cells[index];
    if (!numeric) return cell.textContent;
    return cell.dataset.v === "" ? NaN : Number(cell.dataset.v);
  };

  const sortBy = (col, dir) => {
    const index = headers.findIndex((th) => th.dataset.col === col);
    if (index < 0) return;
    const numeric = headers[index].dataset.type === "num";
    const sign = dir === "asc" ? 1 : -1;
    const keyed = rows.map((row) => [cellValue(row, index, numeric), position.get(row), row]);
    keyed.sort(([x, xi], [y, yi]) => {
      const xMissing = numeric && Number.isNaN(x);
      const yMissing = numeric && Number.isNaN(y);
      if (xMissing !== yMissing) return xMissing ? 1 : -1;
      let order = 0;
      if (!xMissing) {
        order = numeric ? (x === y ? 0 : x < y ? -1 : 1)
                        : x.localeCompare(y, undefined, { sensitivity: "base" });
      }
      return order !== 0 ? sign * order : xi - yi;
    });
    const fragment = document.createDocumentFragment();
    keyed.forEach((entry) => fragment.appendChild(entry[2]));
    body.appendChild(fragment);
    headers.forEach((th, i) => th.setAttribute("aria-sort",
      i !== index ? "none" : dir === "asc" ? "ascending" : "descending"));
    table.dataset.sortedBy = col;
    table.dataset.sortDir = dir;
  };

  const applyFilter = () => {
    const terms = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
    let visible = 0;
    for (const row of rows) {
      const show = (!onlySignals.checked || row.classList.contains("signal"))
        && terms.every((term) => names.get(row).includes(term));
      row.hidden = !show;
      if (show) visible += 1;
    }
    shown.textContent = String(visible);
    table.dataset.visible = String(visible);
  };

  const saveView = () => {
    const view = new URLSearchParams();
    view.set("sort", `${table.dataset.sortedBy}:${table.dataset.sortDir}`);
    if (filter.value) view.set("filter", filter.value);
    if (onlySignals.checked) view.set("signals", "1");
    history.replaceState(null, "", `#${view}`);
  };

  headers.forEach((th) => th.querySelector("button").addEventListener("click", () => {
    const again = table.dataset.sortedBy === th.dataset.col;
    const dir = again ? (table.dataset.sortDir === "asc" ? "desc" : "asc")
                      : (th.dataset.type === "num" ? "desc" : "asc");
    sortBy(th.dataset.col, dir);
    saveView();
  }));
  filter.addEventListener("input", () => { applyFilter(); saveView(); });
  onlySignals.addEventListener("change", () => { applyFilter(); saveView(); });

  const view = new URLSearchParams(location.hash.slice(1));
  const [col, dir] = (view.get("sort") || "").split(":");
  if (col) sortBy(col, dir === "asc" ? "asc" : "desc");
  filter.value = view.get("filter") || "";
  onlySignals.checked = view.get("signals") === "1";
  applyFilter();
  document.documentElement.dataset.ready = "1";
})();
"""


def csp_hash(source: str) -> str:
    """The Content-Security-Policy source expression that allows exactly this inline text."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; script-src {csp_hash(SCRIPT)}; style-src {csp_hash(STYLE)}; "
    "base-uri 'none'; form-action 'none'"
)
