// nbaprops dashboard charts: Plotly figures from the JSON each page embeds.
"use strict";

const PALETTE = ["#2456c7", "#d9822b", "#1a7f4b", "#b4462b", "#7b4bc4", "#0f8b8d", "#c23b80", "#6b7383", "#a5a82b"];
const BASE = {
  margin: { l: 52, r: 16, t: 8, b: 40 },
  font: { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#1d2330" },
  paper_bgcolor: "#fff", plot_bgcolor: "#fff",
  legend: { orientation: "h", y: -0.18 },
  xaxis: { gridcolor: "#eef0f3" }, yaxis: { gridcolor: "#eef0f3", zerolinecolor: "#c9cfdb" },
};
const CONFIG = { displayModeBar: false, responsive: true };

function data(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

function label(p) {
  return p.source === "predictions" ? p.system + " (baseline)" : p.system;
}

function groupBy(rows, key) {
  const out = new Map();
  for (const r of rows) {
    const k = key(r);
    if (!out.has(k)) out.set(k, []);
    out.get(k).push(r);
  }
  return out;
}

function hexA(hex, a) {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

// one line per system with its 95% band drawn as a filled area beneath it
function bandChart(id, rows, value, ci, yaxis, reference) {
  const traces = [];
  let i = 0;
  for (const [name, pts] of groupBy(rows.filter((r) => r[value] !== null), label)) {
    const c = PALETTE[i++ % PALETTE.length];
    const x = pts.map((p) => p.game_date);
    const withCi = pts.filter((p) => p[ci]);
    traces.push({ x: withCi.map((p) => p.game_date), y: withCi.map((p) => p[ci][1]), mode: "lines",
      line: { width: 0 }, hoverinfo: "skip", showlegend: false, legendgroup: name, type: "scatter" });
    traces.push({ x: withCi.map((p) => p.game_date), y: withCi.map((p) => p[ci][0]), mode: "lines",
      line: { width: 0 }, fill: "tonexty", fillcolor: hexA(c, 0.12), hoverinfo: "skip", showlegend: false,
      legendgroup: name, type: "scatter" });
    traces.push({ x, y: pts.map((p) => p[value]), name, mode: "lines", line: { color: c, width: 2 },
      legendgroup: name, type: "scatter",
      hovertemplate: `${name}<br>%{x}<br>%{y:.3f} (n=%{customdata})<extra></extra>`, customdata: pts.map((p) => p.n_bets) });
  }
  const layout = structuredClone(BASE);
  Object.assign(layout.yaxis, yaxis);
  if (reference !== undefined) {
    layout.shapes = [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: reference, y1: reference,
      line: { color: "#6b7383", dash: "dot", width: 1 } }];
  }
  Plotly.newPlot(id, traces, layout, CONFIG);
}

function calibrationChart(id, rows) {
  const traces = [{ x: [0, 1], y: [0, 1], mode: "lines", name: "perfect", line: { color: "#c9cfdb", dash: "dash" }, type: "scatter" }];
  let i = 0;
  for (const [name, pts] of groupBy(rows, label)) {
    const c = PALETTE[i++ % PALETTE.length];
    traces.push({ x: pts.map((p) => p.predicted), y: pts.map((p) => p.observed), name, type: "scatter",
      mode: "lines+markers", line: { color: c }, marker: { size: pts.map((p) => 5 + Math.min(12, Math.sqrt(p.n))) },
      customdata: pts.map((p) => p.n), hovertemplate: `${name}<br>predicted %{x:.2f}<br>observed %{y:.2f} (n=%{customdata})<extra></extra>` });
  }
  const layout = structuredClone(BASE);
  layout.xaxis = { ...layout.xaxis, title: { text: "mean predicted P(over)" }, range: [0, 1] };
  layout.yaxis = { ...layout.yaxis, title: { text: "observed over rate" }, range: [0, 1] };
  layout.legend = { orientation: "v", x: 1.02, y: 1 };
  layout.margin = { ...layout.margin, r: 130 };
  Plotly.newPlot(id, traces, layout, CONFIG);
}

// expected gaps in cool greys and blues, alarms from amber to dark red; a class this list
// does not know yet is drawn as "other" (never silently as ok)
const CLASSES = ["ok", "legitimate_zero", "not_covered", "bootstrap", "future_date", "partial", "upstream_missing",
  "blocked_by_gate", "audit_failed", "tracking_mismatch", "tampered", "real_loss", "other"];
const CLASS_COLOURS = ["#3a9d5d", "#cfd8e3", "#dfe6ee", "#b7c7e8", "#eef0f3", "#f2b544", "#e8873a", "#9b59b6",
  "#d35400", "#c0392b", "#a93226", "#7f1d1d", "#000000"];

function coverageChart(id, cells) {
  const procs = [...new Set(cells.map((c) => c.processor))];
  const dates = [...new Set(cells.map((c) => c.partition))].sort();
  const index = new Map(cells.map((c) => [c.processor + "|" + c.partition, c.classification]));
  const code = (c) => (CLASSES.includes(c) ? CLASSES.indexOf(c) : CLASSES.indexOf("other"));
  const z = procs.map((p) => dates.map((d) => code(index.get(p + "|" + d) ?? "ok")));
  const text = procs.map((p) => dates.map((d) => index.get(p + "|" + d) ?? "ok"));
  const n = CLASSES.length - 1;
  const colorscale = [];
  CLASS_COLOURS.forEach((c, i) => { colorscale.push([Math.max(0, (i - 0.5) / n), c], [Math.min(1, (i + 0.5) / n), c]); });
  const trace = { type: "heatmap", x: dates, y: procs, z, text, zmin: -0.5, zmax: n + 0.5, colorscale, xgap: 1, ygap: 1,
    hovertemplate: "%{y}<br>%{x}<br>%{text}<extra></extra>",
    colorbar: { tickvals: CLASSES.map((_, i) => i), ticktext: CLASSES, thickness: 12, len: 1 } };
  const legend = CLASSES.map((c, i) => ({ x: [null], y: [null], type: "scatter", mode: "markers", name: c,
    marker: { color: CLASS_COLOURS[i], size: 10, symbol: "square" }, showlegend: false }));
  const layout = structuredClone(BASE);
  layout.margin = { l: 190, r: 16, t: 8, b: 84 };
  layout.yaxis = { automargin: true, autorange: "reversed" };
  layout.xaxis = { type: "category", tickangle: -45, nticks: 24 };
  Plotly.newPlot(id, [trace, ...legend], layout, CONFIG);
}

function playerChart(id, d) {
  const played = d.games.filter((g) => !g.dnp && g.points !== null).slice().reverse();
  const traces = [{ x: played.map((g) => g.game_date), y: played.map((g) => g.points), name: "points", type: "scatter",
    mode: "lines+markers", line: { color: "#1d2330", width: 2 } }];
  const lines = [...groupBy(d.lines, (x) => x.game_date)].map(([day, xs]) => ({ day, line: xs.map((x) => x.line).sort((a, b) => a - b)[Math.floor(xs.length / 2)] }))
    .sort((a, b) => (a.day < b.day ? -1 : 1));
  if (lines.length) {
    traces.push({ x: lines.map((l) => l.day), y: lines.map((l) => l.line), name: "line (median book)", type: "scatter",
      mode: "markers", marker: { color: "#d9822b", symbol: "line-ew-open", size: 16, line: { width: 3 } } });
  }
  const preds = d.calls.filter((c) => c.prediction !== null && (c.system === "ensemble" || c.source === "predictions"));
  let i = 0;
  for (const [name, pts] of groupBy(preds, label)) {
    const s = pts.slice().sort((a, b) => (a.game_date < b.game_date ? -1 : 1));
    traces.push({ x: s.map((p) => p.game_date), y: s.map((p) => p.prediction), name: "prediction: " + name, type: "scatter",
      mode: "markers", marker: { color: PALETTE[i++ % PALETTE.length], size: 8, symbol: "diamond" } });
  }
  const layout = structuredClone(BASE);
  layout.yaxis = { ...layout.yaxis, title: { text: "points" } };
  Plotly.newPlot(id, traces, layout, CONFIG);
}

document.addEventListener("DOMContentLoaded", () => {
  const page = document.body.dataset.page;
  if (page === "performance" && data("data-series")) {
    const series = data("data-series");
    bandChart("chart-hit", series, "hit_rate", "hit_rate_ci", { tickformat: ".0%", title: { text: "hit rate" } }, 0.5238);
    bandChart("chart-roi", series, "roi", "roi_ci", { tickformat: "+.2f", title: { text: "units per bet" } }, 0);
    calibrationChart("chart-calibration", data("data-calibration"));
  } else if (page === "health" && data("data-coverage")) {
    coverageChart("chart-coverage", data("data-coverage"));
  } else if (page === "player" && data("data-player")) {
    playerChart("chart-player", data("data-player"));
  }
});
