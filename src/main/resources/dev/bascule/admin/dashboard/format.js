// Bascule dashboard: formatting and element building.

export const $ = (id) => document.getElementById(id);

/** Builds an element: h('td', {class: 'num', text: '3'}, child, ...). */
export function h(tag, attrs, ...children) {
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

export const intFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
export function fmtRate(v) {
  if (v == null || Number.isNaN(v)) return '–';
  if (v === 0) return '0';
  if (Math.abs(v) >= 100) return intFormat.format(Math.round(v));
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2).replace(/\.?0+$/, '');
}
export function fmtMs(v) {
  if (v == null || Number.isNaN(v)) return '–';
  if (v >= 1000) return (v / 1000).toFixed(2) + ' s';
  if (v >= 100) return Math.round(v) + ' ms';
  if (v >= 1) return v.toFixed(1) + ' ms';
  return v.toFixed(2) + ' ms';
}
export function fmtPct(part, whole) {
  if (!whole) return '–';
  const p = (100 * part) / whole;
  if (p === 0) return '0%';
  return (p < 1 ? p.toFixed(2) : p < 10 ? p.toFixed(1) : Math.round(p)) + '%';
}
export function fmtClock(date) {
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
export function fmtAgo(date) {
  const s = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
  if (s < 60) return s + ' s ago';
  if (s < 3600) return Math.round(s / 60) + ' min ago';
  if (s < 86400) return Math.round(s / 3600) + ' h ago';
  return Math.round(s / 86400) + ' d ago';
}

export function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
