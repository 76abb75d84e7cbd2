// Bascule dashboard: the three charts (uPlot, loaded by index.html as a global).

import { $, cssVar, fmtMs, fmtRate } from './format.js';
import { series, stats } from './samples.js';

const PALETTE = ['#6366f1', '#0ea5e9', '#f59e0b', '#10b981', '#ec4899', '#8b5cf6', '#ef4444', '#14b8a6',
  '#84cc16', '#f97316'];

const charts = {};
let chartSignature = '';

function colorOf(i) {
  return PALETTE[i % PALETTE.length];
}

function makeChart(el, defs, fmt) {
  const text = cssVar('--muted');
  const grid = cssVar('--line');
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const opts = {
    width: Math.max(200, el.clientWidth),
    height: 220,
    cursor: { drag: { x: false, y: false } }, // the window moves each second: no zooming
    scales: {
      // At least a minute wide, so a page opened just after start shows seconds, not milliseconds.
      x: {
        time: true,
        range: (u, min, max) => {
          const hi = max == null ? Date.now() / 1000 : max;
          return [Math.min(min == null ? hi : min, hi - 60), hi];
        },
      },
      y: { range: (u, min, max) => [0, max == null || !(max > 0) ? 1 : max * 1.15] },
    },
    axes: [axis, Object.assign({}, axis, { size: 72, values: (u, vals) => vals.map(fmt) })],
    series: [{}].concat(defs.map((d) => ({
      label: d.label,
      stroke: d.color,
      width: d.width || 1.75,
      dash: d.dash,
      fill: d.fill,
      points: { show: false },
      value: (u, v) => (v == null ? '–' : fmt(v)),
    }))),
  };
  el.textContent = '';
  return new uPlot(opts, [[]].concat(defs.map(() => [])), el);
}

/** Upstreams as the config lists them, then any the samples still show. */
function upstreamNames(status) {
  const names = status ? Object.keys(status.upstreams) : [];
  for (const s of stats.series.values()) {
    if (s.kind === 'upstream' && !names.includes(s.upstream)) names.push(s.upstream);
  }
  return names;
}

export function renderCharts(status) {
  if (typeof uPlot === 'undefined') return;
  const ups = upstreamNames(status);
  const signature = ups.join('\u0000') + '|' + window.matchMedia('(prefers-color-scheme: dark)').matches;
  if (signature !== chartSignature) {
    for (const c of Object.values(charts)) c.destroy();
    chartSignature = signature;
    const totalColor = cssVar('--text');
    const upDefs = ups.map((u, i) => ({ label: u, color: colorOf(i) }));
    charts.rps = makeChart($('chart-rps'),
      [{ label: 'total', color: totalColor, width: 2.25 }].concat(upDefs), fmtRate);
    charts.eps = makeChart($('chart-eps'),
      [{ label: 'total', color: totalColor, width: 2.25 }].concat(upDefs), fmtRate);
    const latDefs = [];
    ups.forEach((u, i) => {
      latDefs.push({ label: u + ' p50', color: colorOf(i) });
      latDefs.push({ label: u + ' p99', color: colorOf(i), dash: [6, 4] });
    });
    charts.lat = makeChart($('chart-lat'), latDefs, fmtMs);
  }
  const t = stats.time;
  const total = series('total', '', '');
  const of = (u, m) => (series('upstream', u, '') || { v: {} }).v[m] || t.map(() => null);
  charts.rps.setData([t, total ? total.v.requests : []].concat(ups.map((u) => of(u, 'requests'))));
  charts.eps.setData([t, total ? total.v.errors : []].concat(ups.map((u) => of(u, 'errors'))));
  const lat = [t];
  for (const u of ups) {
    lat.push(of(u, 'p50_ms'));
    lat.push(of(u, 'p99_ms'));
  }
  charts.lat.setData(lat);
}

const resizer = new ResizeObserver(() => {
  for (const [name, c] of Object.entries(charts)) {
    const el = $('chart-' + name);
    if (el && Math.abs(el.clientWidth - c.width) > 1) c.setSize({ width: Math.max(200, el.clientWidth), height: 220 });
  }
});
for (const id of ['chart-rps', 'chart-eps', 'chart-lat']) resizer.observe($(id));

/** Draws the charts again from scratch (the colour scheme changed). */
export function resetCharts(status) {
  chartSignature = '';
  if (status) renderCharts(status);
}
