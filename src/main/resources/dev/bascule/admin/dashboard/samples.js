// Bascule dashboard: the samples of GET /stats, kept aligned.

export const KEEP = 900; // samples: the ring's fifteen minutes
const METRICS = ['requests', 'errors', '2xx', '3xx', '4xx', '5xx', 'p50_ms', 'p99_ms'];

/** The samples received so far, aligned: time[i] and every series' arrays share indices. */
export const stats = { time: [], interval: 1, series: new Map() };
export let lastSampleTime = null;

const seriesKey = (kind, upstream, name) => kind + '\u0000' + upstream + '\u0000' + name;

export function series(kind, upstream, name) {
  return stats.series.get(seriesKey(kind, upstream || '', name || ''));
}

/** Appends the samples of one /stats answer that are newer than ours. */
export function mergeStats(d) {
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

export function lastValue(arr) {
  if (!arr) return null;
  for (let i = arr.length - 1; i >= 0; i--) if (arr[i] != null) return arr[i];
  return null;
}
/** The count over the last n samples: each rate times the time since the sample before (a late tick's is longer). */
export function sumLast(arr, n) {
  if (!arr) return 0;
  const t = stats.time;
  let sum = 0;
  for (let i = Math.max(0, arr.length - n); i < arr.length; i++) {
    const span = i > 0 ? t[i] - t[i - 1] : stats.interval;
    sum += (arr[i] || 0) * Math.min(span, 10 * stats.interval); // a longer gap is samples this page missed
  }
  return sum;
}
