// Bascule dashboard: the header, the KPI tiles and the tables.

import { $, cssVar, fmtAgo, fmtClock, fmtMs, fmtPct, fmtRate, h, intFormat } from './format.js';
import { KEEP, lastValue, series, stats, sumLast } from './samples.js';
import { addServer, drainServer, removeServer, setWeight } from './actions.js';

const ERROR_WINDOW = 10; // seconds the server table's req/s and error share are read over
const MIX_WINDOW = 60; // seconds the routes' status mix is read over
const SPARK_WINDOW = 300; // seconds in a server's spark line
const EVENTS_SHOWN = 50;

export function renderKpis(status) {
  const total = series('total', '', '');
  const rps = total ? lastValue(total.v.requests) : null;
  const eps = total ? lastValue(total.v.errors) : null;
  $('kpi-rps').textContent = fmtRate(rps);
  const peak = total ? Math.max(0, ...total.v.requests.filter((x) => x != null)) : 0;
  $('kpi-rps-sub').textContent = 'peak ' + fmtRate(peak) + ' in 15 min';
  $('kpi-eps').textContent = fmtRate(eps);
  $('kpi-eps').classList.toggle('bad', eps > 0);
  const reqs10 = total ? sumLast(total.v.requests, ERROR_WINDOW) : 0;
  const errs10 = total ? sumLast(total.v.errors, ERROR_WINDOW) : 0;
  $('kpi-eps-sub').textContent = reqs10 ? fmtPct(errs10, reqs10) + ' of requests, last 10 s'
    : 'no requests in the last 10 s';
  $('kpi-p50').textContent = fmtMs(total ? lastValue(total.v.p50_ms) : null);
  $('kpi-p99').textContent = fmtMs(total ? lastValue(total.v.p99_ms) : null);
  const count = total ? sumLast(total.v.requests, KEEP) : 0;
  $('kpi-total').textContent = intFormat.format(Math.round(count));
  $('kpi-total-sub').textContent = stats.time.length
    ? 'since ' + fmtClock(new Date(stats.time[0] * 1000)) : 'waiting for the first sample';
  if (status) {
    let all = 0;
    let healthy = 0;
    const other = {};
    for (const u of Object.values(status.upstreams)) {
      for (const s of u.servers) {
        all++;
        if (s.state === 'healthy') healthy++;
        else other[s.state] = (other[s.state] || 0) + 1;
      }
    }
    $('kpi-up').textContent = healthy + ' / ' + all;
    $('kpi-up').classList.toggle('bad', !!(other.unhealthy || other.ejected)); // draining is on purpose
    const notes = Object.entries(other).map(([state, n]) => n + ' ' + state);
    $('kpi-up-sub').textContent = notes.length ? notes.join(' · ') : 'all in service';
  }
}

export function renderHeader(status) {
  const c = status.config;
  const loaded = new Date(c.loaded_at);
  $('config').textContent = c.file + ' · config version ' + c.version + ' · loaded ' + fmtClock(loaded)
    + ' (' + fmtAgo(loaded) + ')';
  $('config').title = 'loaded at ' + c.loaded_at;
}

export function setLive(ok, problem) {
  const live = $('live');
  live.dataset.state = ok ? 'live' : 'down';
  $('live-text').textContent = ok ? 'live · ' + fmtClock(new Date())
    : 'disconnected' + (problem ? ': ' + problem : '') + ' · retrying';
}

// ---------------------------------------------------------------- servers table

const serverRows = new Map();
const groupRows = new Map();

function groupRow(upstream) {
  let g = groupRows.get(upstream);
  if (!g) {
    const info = h('span', { class: 'muted' });
    const add = h('button', {
      type: 'button', class: 'btn small', text: 'Add server', dataset: { action: 'add', upstream },
      onclick: () => addServer(upstream),
    });
    const tr = h('tr', { class: 'group', dataset: { upstream } },
      h('td', { colspan: '9' }, h('span', { text: upstream }), info),
      h('td', {}, add));
    g = { tr, info };
    groupRows.set(upstream, g);
  }
  return g;
}

function serverRow(upstream, address) {
  const key = upstream + ' ' + address;
  let r = serverRows.get(key);
  if (r) return r;
  const cell = (cls) => h('td', { class: cls });
  r = {
    state: h('span', { class: 'badge' }),
    weight: cell('num'),
    inFlight: cell('num'),
    rps: cell('num'),
    errors: cell('num'),
    latency: cell('num'),
    source: cell('opt'),
    spark: h('canvas', { class: 'spark', width: '120', height: '26', 'aria-hidden': 'true' }),
    drain: h('button', { type: 'button', class: 'btn small' }),
  };
  r.drain.addEventListener('click', () => drainServer(upstream, address, r.drain.dataset.action === 'drain'));
  const weightBtn = h('button', {
    type: 'button', class: 'btn small', text: 'Weight', dataset: { action: 'weight' },
    onclick: () => setWeight(upstream, address, r.currentWeight),
  });
  const removeBtn = h('button', {
    type: 'button', class: 'btn small danger', text: 'Remove', dataset: { action: 'remove' },
    onclick: () => removeServer(upstream, address),
  });
  r.tr = h('tr', { class: 'server', dataset: { upstream, server: address } },
    h('td', { class: 'mono', text: address }),
    h('td', { class: 'state' }, r.state),
    r.weight, r.inFlight, r.rps, r.errors, r.latency, r.source,
    h('td', { class: 'opt' }, r.spark),
    h('td', {}, h('div', { class: 'actions' }, r.drain, weightBtn, removeBtn)));
  serverRows.set(key, r);
  return r;
}

export function renderServers(status) {
  const tbody = $('servers').tBodies[0];
  const rows = [];
  const liveKeys = new Set();
  for (const [upstream, u] of Object.entries(status.upstreams)) {
    const g = groupRow(upstream);
    g.info.textContent = u.balancer + ' · ' + u.servers.length + (u.servers.length === 1 ? ' server' : ' servers')
      + (u.queue_length ? ' · ' + u.queue_length + ' waiting' : '');
    rows.push(g.tr);
    for (const s of u.servers) {
      const r = serverRow(upstream, s.address);
      liveKeys.add(upstream + ' ' + s.address);
      r.currentWeight = s.weight;
      r.state.textContent = s.state;
      r.state.dataset.state = s.state;
      r.weight.textContent = s.weight;
      r.inFlight.textContent = s.in_flight + (s.max_connections ? ' / ' + s.max_connections : '');
      const sample = series('server', upstream, s.address);
      const reqs = sample ? sumLast(sample.v.requests, ERROR_WINDOW) : 0;
      const errs = sample ? sumLast(sample.v.errors, ERROR_WINDOW) : 0;
      r.rps.textContent = sample ? fmtRate(lastValue(sample.v.requests)) : '–';
      r.errors.textContent = fmtPct(errs, reqs);
      r.errors.classList.toggle('err-high', reqs > 0 && errs / reqs >= 0.01);
      r.errors.title = Math.round(errs) + ' of ' + Math.round(reqs) + ' attempts in the last 10 s failed';
      r.latency.textContent = s.latency_ms ? fmtMs(s.latency_ms) : '–';
      r.source.textContent = s.source;
      const draining = s.state === 'draining';
      r.drain.textContent = draining ? 'Undrain' : 'Drain';
      r.drain.dataset.action = draining ? 'undrain' : 'drain';
      drawSpark(r.spark, sample ? sample.v.requests : null);
      rows.push(r.tr);
    }
  }
  for (const [key, r] of serverRows) if (!liveKeys.has(key)) serverRows.delete(key);
  for (const [key] of groupRows) if (!(key in status.upstreams)) groupRows.delete(key);
  syncRows(tbody, rows);
}

/** Puts exactly these rows in this order, moving only what moved (so hover, focus and clicks survive). */
export function syncRows(tbody, rows) {
  rows.forEach((tr, i) => {
    if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] || null);
  });
  while (tbody.children.length > rows.length) tbody.lastElementChild.remove();
}

function drawSpark(canvas, values) {
  const dpr = window.devicePixelRatio || 1;
  const w = 120;
  const hgt = 26;
  if (canvas.width !== w * dpr) {
    canvas.width = w * dpr;
    canvas.height = hgt * dpr;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, hgt);
  ctx.strokeStyle = cssVar('--line');
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(0, hgt - 1.5);
  ctx.lineTo(w, hgt - 1.5);
  ctx.stroke();
  if (!values || !values.length) return;
  const v = values.slice(-SPARK_WINDOW);
  const max = Math.max(1, ...v.filter((x) => x != null));
  const step = w / Math.max(1, SPARK_WINDOW - 1);
  const x0 = w - (v.length - 1) * step;
  ctx.beginPath();
  let open = false;
  v.forEach((y, i) => {
    if (y == null) {
      open = false;
      return;
    }
    const px = x0 + i * step;
    const py = hgt - 2 - (y / max) * (hgt - 4);
    if (open) ctx.lineTo(px, py);
    else ctx.moveTo(px, py);
    open = true;
  });
  ctx.strokeStyle = cssVar('--accent');
  ctx.lineWidth = 1.5;
  ctx.stroke();
}

// ---------------------------------------------------------------- routes table

const routeRows = new Map();

/** The sides of every split route (GET /routes), by route label and upstream. */
function splitSides(routes) {
  const sides = new Map();
  for (const route of (routes && routes.routes) || []) {
    for (const side of route.split || []) sides.set(route.label + '\n' + side.upstream, side);
  }
  return sides;
}

/** A split route's row shows its upstream's weight: a small bar and the percentage. */
function renderSplit(r, side) {
  r.split.hidden = !side;
  if (!side) return;
  r.splitFill.style.width = side.weight + '%';
  r.splitText.textContent = side.weight + '%' + (side.down ? ' (down)' : '');
  r.split.title = 'split weight ' + side.weight + '%' + (side.weight !== side.file_weight
    ? ' (set through the API; the file says ' + side.file_weight + '%)' : '')
    + (side.down ? '; every server down: its share goes to the other sides' : '');
  r.split.classList.toggle('down', side.down);
}

export function renderRoutes(routes) {
  const tbody = $('routes').tBodies[0];
  const rows = [];
  const sides = splitSides(routes);
  for (const [key, s] of stats.series) {
    if (s.kind !== 'route') continue;
    let r = routeRows.get(key);
    if (!r) {
      r = { rps: h('td', { class: 'num' }), bar: h('div', { class: 'mix-bar' }), text: h('span', { class: 'mix-text' }),
        p99: h('td', { class: 'num' }), splitFill: h('span'), splitText: h('span', { class: 'split-text' }) };
      r.split = h('span', { class: 'split', hidden: true }, h('span', { class: 'split-bar' }, r.splitFill), r.splitText);
      r.tr = h('tr', { dataset: { route: s.name, upstream: s.upstream } },
        h('td', { class: 'mono', text: s.name === '' ? '(no route matched)' : s.name }),
        h('td', {}, h('span', { text: s.upstream || '–' }), r.split),
        r.rps, h('td', {}, h('div', { class: 'mix' }, r.bar, r.text)), r.p99);
      routeRows.set(key, r);
    }
    renderSplit(r, sides.get(s.name + '\n' + s.upstream));
    r.rps.textContent = fmtRate(lastValue(s.v.requests));
    const counts = ['2xx', '3xx', '4xx', '5xx'].map((c) => sumLast(s.v[c], MIX_WINDOW));
    const all = sumLast(s.v.requests, MIX_WINDOW);
    r.bar.textContent = '';
    const parts = [];
    counts.forEach((n, i) => {
      if (!n) return;
      const span = h('span', { class: 'c' + (i + 2), title: (i + 2) + 'xx: ' + Math.round(n) });
      span.style.width = (100 * n) / all + '%';
      r.bar.append(span);
      parts.push((i + 2) + 'xx ' + fmtPct(n, all));
    });
    r.text.textContent = all ? parts.join(' · ') : 'idle';
    r.p99.textContent = fmtMs(lastValue(s.v.p99_ms.slice(-ERROR_WINDOW)));
    rows.push(r.tr);
  }
  for (const key of routeRows.keys()) if (!stats.series.has(key)) routeRows.delete(key);
  syncRows(tbody, rows);
}

// ---------------------------------------------------------------- transitions

let newestEvent = -1;

export function renderEvents(d) {
  const events = d.events;
  const newest = events.length ? events[0].sequence : 0;
  $('events-empty').hidden = events.length > 0;
  if (newest === newestEvent) return;
  newestEvent = newest;
  const tbody = $('events').tBodies[0];
  tbody.textContent = '';
  for (const e of events.slice(0, EVENTS_SHOWN)) {
    const at = new Date(e.at);
    tbody.append(h('tr', { dataset: { kind: e.kind } },
      h('td', { text: fmtClock(at), title: e.at }),
      h('td', {}, h('span', { class: 'mono', text: e.server }), h('span', { class: 'muted', text: ' ' + e.upstream })),
      h('td', {},
        h('span', { class: 'badge', text: e.from, dataset: { state: e.from } }),
        h('span', { class: 'arrow', text: '→' }),
        h('span', { class: 'badge', text: e.to, dataset: { state: e.to } })),
      h('td', { class: 'reason', text: e.kind + ': ' + e.reason })));
  }
}
