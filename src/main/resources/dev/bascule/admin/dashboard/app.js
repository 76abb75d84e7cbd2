// Bascule dashboard: polls the admin API each second (GET /stats, /status, /events) and draws what it gets.
// Plain script, no build step; served with a Content-Security-Policy that allows no inline script or style, so
// every element is built here with textContent (names and reasons from the API are never parsed as HTML).
'use strict';

(() => {
  const TOKEN_KEY = 'bascule.admin.token';
  const KEEP = 900; // samples: the ring's fifteen minutes
  const ERROR_WINDOW = 10; // seconds the server table's req/s and error share are read over
  const MIX_WINDOW = 60; // seconds the routes' status mix is read over
  const SPARK_WINDOW = 300; // seconds in a server's spark line
  const EVENTS_SHOWN = 50;
  const METRICS = ['requests', 'errors', '2xx', '3xx', '4xx', '5xx', 'p50_ms', 'p99_ms'];
  const PALETTE = ['#6366f1', '#0ea5e9', '#f59e0b', '#10b981', '#ec4899', '#8b5cf6', '#ef4444', '#14b8a6',
    '#84cc16', '#f97316'];

  const $ = (id) => document.getElementById(id);

  /** Builds an element: h('td', {class: 'num', text: '3'}, child, ...). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c != null) el.append(c);
    }
    return el;
  }

  // ---------------------------------------------------------------- formatting

  const intFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  function fmtRate(v) {
    if (v == null || Number.isNaN(v)) return '–';
    if (v === 0) return '0';
    if (Math.abs(v) >= 100) return intFormat.format(Math.round(v));
    if (Math.abs(v) >= 10) return v.toFixed(1);
    return v.toFixed(2).replace(/\.?0+$/, '');
  }
  function fmtMs(v) {
    if (v == null || Number.isNaN(v)) return '–';
    if (v >= 1000) return (v / 1000).toFixed(2) + ' s';
    if (v >= 100) return Math.round(v) + ' ms';
    if (v >= 1) return v.toFixed(1) + ' ms';
    return v.toFixed(2) + ' ms';
  }
  function fmtPct(part, whole) {
    if (!whole) return '–';
    const p = (100 * part) / whole;
    if (p === 0) return '0%';
    return (p < 1 ? p.toFixed(2) : p < 10 ? p.toFixed(1) : Math.round(p)) + '%';
  }
  function fmtClock(date) {
    return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }
  function fmtAgo(date) {
    const s = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    if (s < 86400) return Math.round(s / 3600) + ' h ago';
    return Math.round(s / 86400) + ' d ago';
  }

  // ---------------------------------------------------------------- the admin API

  class ApiError extends Error {
    constructor(status, message, details) {
      super(message);
      this.status = status;
      this.details = details || [];
    }
  }

  let tokenPrompt = null;

  /** Asks for the token once, however many requests are waiting for it. */
  function askToken(problem) {
    if (tokenPrompt) return tokenPrompt;
    tokenPrompt = new Promise((resolve) => {
      const dialog = $('token');
      const input = $('token-input');
      $('token-error').textContent = problem || '';
      input.value = '';
      const done = () => {
        const token = input.value.trim();
        if (!token) {
          $('token-error').textContent = 'Enter the token from the file admin.token_file names.';
          return;
        }
        sessionStorage.setItem(TOKEN_KEY, token);
        $('token-ok').removeEventListener('click', done);
        input.removeEventListener('keydown', onKey);
        dialog.close();
        tokenPrompt = null;
        resolve();
      };
      const onKey = (e) => {
        if (e.key === 'Enter') done();
      };
      $('token-ok').addEventListener('click', done);
      input.addEventListener('keydown', onKey);
      dialog.addEventListener('cancel', (e) => e.preventDefault()); // nothing works without it
      dialog.showModal();
      input.focus();
    });
    return tokenPrompt;
  }

  /** One admin API call: the parsed JSON answer, or an ApiError with the API's own message. */
  async function api(method, path, body) {
    for (let attempt = 0; ; attempt++) {
      const headers = {};
      const token = sessionStorage.getItem(TOKEN_KEY);
      if (token) headers.Authorization = 'Bearer ' + token;
      const init = { method, headers, cache: 'no-store', credentials: 'omit' };
      if (body !== undefined) {
        headers['Content-Type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      const res = await fetch(path, init);
      const text = await res.text();
      let data = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch (e) {
        data = null;
      }
      if (res.status === 401 && attempt < 5) {
        if (token) sessionStorage.removeItem(TOKEN_KEY);
        await askToken(token ? 'That token was refused: ' + ((data && data.error) || 'wrong token') : '');
        continue;
      }
      if (!res.ok) {
        throw new ApiError(res.status, (data && data.error) || 'HTTP ' + res.status, data && data.errors);
      }
      return data;
    }
  }

  const serverPath = (upstream, address) =>
    '/upstreams/' + encodeURIComponent(upstream) + '/servers/' + encodeURIComponent(address);

  // ---------------------------------------------------------------- samples

  /** The samples received so far, aligned: time[i] and every series' arrays share indices. */
  const stats = { time: [], interval: 1, series: new Map() };
  let lastSampleTime = null;

  const seriesKey = (kind, upstream, name) => kind + '\u0000' + upstream + '\u0000' + name;

  function series(kind, upstream, name) {
    return stats.series.get(seriesKey(kind, upstream || '', name || ''));
  }

  /** Appends the samples of one /stats answer that are newer than ours. */
  function mergeStats(d) {
    stats.interval = d.interval_s || 1;
    const last = stats.time.length ? stats.time[stats.time.length - 1] : -Infinity;
    let from = d.time.findIndex((t) => t > last);
    if (from < 0) return false;
    const start = stats.time.length;
    for (let i = from; i < d.time.length; i++) stats.time.push(d.time[i]);
    const take = (kind, upstream, name, o) => {
      const key = seriesKey(kind, upstream, name);
      let s = stats.series.get(key);
      if (!s) {
        s = { kind, upstream, name, v: {} };
        stats.series.set(key, s);
      }
      for (const m of METRICS) {
        if (!(m in o)) continue;
        let arr = s.v[m];
        if (!arr) arr = s.v[m] = [];
        while (arr.length < start) arr.push(null);
        for (let i = from; i < o[m].length; i++) arr.push(o[m][i]);
      }
    };
    take('total', '', '', d.total);
    for (const o of d.upstreams) take('upstream', o.upstream, '', o);
    for (const o of d.servers) take('server', o.upstream, o.address, o);
    for (const o of d.routes) take('route', o.upstream, o.route, o);
    const length = stats.time.length;
    const extra = Math.max(0, length - KEEP);
    for (const [key, s] of stats.series) {
      for (const m in s.v) {
        const arr = s.v[m];
        while (arr.length < length) arr.push(null); // absent from this answer: gone, or not yet there
        if (extra) arr.splice(0, extra);
      }
      if (s.kind !== 'total' && s.v.requests.every((x) => x === null)) stats.series.delete(key);
    }
    if (extra) stats.time.splice(0, extra);
    lastSampleTime = stats.time.length ? stats.time[stats.time.length - 1] : lastSampleTime;
    return true;
  }

  function lastValue(arr) {
    if (!arr) return null;
    for (let i = arr.length - 1; i >= 0; i--) if (arr[i] != null) return arr[i];
    return null;
  }
  /** The count over the last n samples: each rate times the time since the sample before (a late tick's is longer). */
  function sumLast(arr, n) {
    if (!arr) return 0;
    const t = stats.time;
    let sum = 0;
    for (let i = Math.max(0, arr.length - n); i < arr.length; i++) {
      const span = i > 0 ? t[i] - t[i - 1] : stats.interval;
      sum += (arr[i] || 0) * Math.min(span, 10 * stats.interval); // a longer gap is samples this page missed
    }
    return sum;
  }

  // ---------------------------------------------------------------- charts

  const charts = {};
  let chartSignature = '';

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

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
        x: { time: true },
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

  function renderCharts(status) {
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

  // ---------------------------------------------------------------- KPIs and header

  function renderKpis(status) {
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

  function renderHeader(status) {
    const c = status.config;
    const loaded = new Date(c.loaded_at);
    $('config').textContent = c.file + ' · config version ' + c.version + ' · loaded ' + fmtClock(loaded)
      + ' (' + fmtAgo(loaded) + ')';
    $('config').title = 'loaded at ' + c.loaded_at;
  }

  function setLive(ok, problem) {
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

  function renderServers(status) {
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
  function syncRows(tbody, rows) {
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

  function renderRoutes() {
    const tbody = $('routes').tBodies[0];
    const rows = [];
    for (const [key, s] of stats.series) {
      if (s.kind !== 'route') continue;
      let r = routeRows.get(key);
      if (!r) {
        r = { rps: h('td', { class: 'num' }), bar: h('div', { class: 'mix-bar' }), text: h('span', { class: 'mix-text' }),
          p99: h('td', { class: 'num' }) };
        r.tr = h('tr', { dataset: { route: s.name, upstream: s.upstream } },
          h('td', { class: 'mono', text: s.name === '' ? '(no route matched)' : s.name }),
          h('td', { text: s.upstream || '–' }),
          r.rps, h('td', {}, h('div', { class: 'mix' }, r.bar, r.text)), r.p99);
        routeRows.set(key, r);
      }
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

  function renderEvents(d) {
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

  // ---------------------------------------------------------------- actions

  function toast(message, error, details) {
    const t = h('div', { class: 'toast' + (error ? ' error' : '') }, h('div', { text: message }));
    if (details && details.length) t.append(h('ul', {}, details.map((d) => h('li', { class: 'mono', text: d }))));
    $('toasts').append(t);
    setTimeout(() => t.remove(), error ? 9000 : 4500);
  }

  /**
   * Asks before acting. fields: [{name, label, type, value, min, max, placeholder}]. Resolves to the fields'
   * values (an object) on confirmation, null on cancel.
   */
  function confirmAction({ title, text, fields = [], ok = 'Confirm', danger = false }) {
    const dialog = $('confirm');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text || '';
    $('confirm-error').textContent = '';
    const box = $('confirm-fields');
    box.textContent = '';
    const inputs = {};
    for (const f of fields) {
      const input = h('input', {
        type: f.type || 'text', name: f.name, value: f.value == null ? '' : String(f.value), min: f.min, max: f.max,
        placeholder: f.placeholder, autocomplete: 'off', spellcheck: 'false', id: 'field-' + f.name,
      });
      inputs[f.name] = input;
      box.append(h('label', { class: 'field' }, h('span', { text: f.label }), input));
    }
    const okBtn = $('confirm-ok');
    okBtn.textContent = ok;
    okBtn.className = 'btn primary' + (danger ? ' danger' : '');
    return new Promise((resolve) => {
      const finish = (value) => {
        okBtn.removeEventListener('click', onOk);
        $('confirm-cancel').removeEventListener('click', onCancel);
        dialog.removeEventListener('cancel', onCancel);
        dialog.removeEventListener('keydown', onKey);
        if (dialog.open) dialog.close();
        resolve(value);
      };
      const onOk = () => {
        const values = {};
        for (const [name, input] of Object.entries(inputs)) values[name] = input.value.trim();
        finish(values);
      };
      const onCancel = (e) => {
        if (e) e.preventDefault();
        finish(null);
      };
      const onKey = (e) => {
        if (e.key === 'Enter' && e.target.tagName === 'INPUT') onOk();
      };
      okBtn.addEventListener('click', onOk);
      $('confirm-cancel').addEventListener('click', onCancel);
      dialog.addEventListener('cancel', onCancel);
      dialog.addEventListener('keydown', onKey);
      dialog.showModal();
      const first = Object.values(inputs)[0];
      (first || okBtn).focus();
    });
  }

  async function run(describe, call) {
    try {
      const answer = await call();
      toast(describe(answer));
    } catch (e) {
      toast(e instanceof ApiError ? e.status + ': ' + e.message : String(e.message || e), true,
        e instanceof ApiError ? e.details : null);
    }
    poll(true);
  }

  async function drainServer(upstream, address, drain) {
    const yes = await confirmAction({
      title: (drain ? 'Drain ' : 'Undrain ') + address + '?',
      text: drain
        ? 'It gets no new requests from ' + upstream + '; requests in flight finish.'
        : 'It takes requests from ' + upstream + ' again.',
      ok: drain ? 'Drain' : 'Undrain',
      danger: drain,
    });
    if (!yes) return;
    run((s) => address + ' in ' + upstream + ' is now ' + s.state,
      () => api('POST', serverPath(upstream, address) + (drain ? '/drain' : '/undrain')));
  }

  async function setWeight(upstream, address, current) {
    const v = await confirmAction({
      title: 'Set the weight of ' + address,
      text: 'In ' + upstream + ', from 1 to 1000; its share of traffic follows at once.',
      fields: [{ name: 'weight', label: 'Weight', type: 'number', value: current, min: 1, max: 1000 }],
      ok: 'Set weight',
    });
    if (!v) return;
    const weight = Number(v.weight);
    if (!Number.isInteger(weight)) {
      toast('The weight must be a whole number, not "' + v.weight + '"', true);
      return;
    }
    run((s) => address + ' in ' + upstream + ' now has weight ' + s.weight,
      () => api('PATCH', serverPath(upstream, address), { weight }));
  }

  async function removeServer(upstream, address) {
    const yes = await confirmAction({
      title: 'Remove ' + address + '?',
      text: 'It is drained, then leaves ' + upstream + ' once its last request finished. A reload brings back the'
        + ' servers of the config file.',
      ok: 'Remove',
      danger: true,
    });
    if (!yes) return;
    run(() => address + ' is draining and leaves ' + upstream + ' once idle',
      () => api('DELETE', serverPath(upstream, address)));
  }

  async function addServer(upstream) {
    const v = await confirmAction({
      title: 'Add a server to ' + upstream,
      text: 'It takes traffic at once (or after its first passing health check). A reload forgets it.',
      fields: [
        { name: 'address', label: 'Address (host:port)', placeholder: '127.0.0.1:9005' },
        { name: 'weight', label: 'Weight', type: 'number', value: 1, min: 1, max: 1000 },
      ],
      ok: 'Add server',
    });
    if (!v) return;
    const weight = Number(v.weight || 1);
    run((s) => s.address + ' added to ' + upstream + (s.state ? ' (' + s.state + ')' : ''),
      () => api('POST', '/upstreams/' + encodeURIComponent(upstream) + '/servers', { address: v.address, weight }));
  }

  async function reload() {
    const yes = await confirmAction({
      title: 'Reload the config?',
      text: 'Bascule reads its config file again and swaps it in whole, or changes nothing if it has an error.'
        + ' Servers added through the API are dropped.',
      ok: 'Reload',
    });
    if (!yes) return;
    run((r) => 'Config version ' + r.version + ' loaded', () => api('POST', '/reload'));
  }

  $('reload-btn').addEventListener('click', reload);

  // ---------------------------------------------------------------- polling

  let polling = false;
  let latestStatus = null;
  let lastPollAt = 0;

  async function poll(force) {
    if (polling || (!force && document.visibilityState === 'hidden')) return;
    polling = true;
    try {
      // Back from a hidden tab or a lost connection, ask for as much as is missing.
      const behind = Date.now() - lastPollAt > 25000;
      const statsPath = lastSampleTime == null ? '/stats?window=15m'
        : '/stats?window=' + (behind ? '15m' : '30s') + '&since=' + encodeURIComponent(lastSampleTime);
      const [s, status, events] = await Promise.all([api('GET', statsPath), api('GET', '/status'),
        api('GET', '/events')]);
      mergeStats(s);
      latestStatus = status;
      renderHeader(status);
      renderKpis(status);
      renderCharts(status);
      renderServers(status);
      renderRoutes();
      renderEvents(events);
      setLive(true);
      lastPollAt = Date.now();
    } catch (e) {
      setLive(false, e instanceof ApiError ? e.status + ' ' + e.message : 'no answer');
    } finally {
      polling = false;
    }
  }

  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    chartSignature = '';
    if (latestStatus) renderCharts(latestStatus);
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') poll();
  });
  poll();
  setInterval(poll, 1000);
})();
