// Bascule dashboard: the rollouts card: each split route's last rollout (GET /routes), its step and the figures
// its guard judges, and the buttons that pause, resume, abort or promote it.

import { $, fmtClock, fmtMs, h } from './format.js';
import { rolloutAction } from './actions.js';

function pct(rate) {
  return rate == null ? '–' : (100 * rate).toFixed(rate < 0.1 ? 2 : 1) + '%';
}

/** "step 2 of 4: web-green 25%". */
function stepText(r) {
  return 'step ' + r.step + ' of ' + r.steps.length + ': ' + r.to + ' ' + r.share + '%';
}

/** What the guard sees in the step, and what it allows. */
function guardText(r) {
  const to = r.figures.to;
  const others = r.figures.others;
  const g = r.guard;
  return r.to + ': ' + to.requests + ' req (guard from ' + g.min_requests + '), errors ' + pct(to.error_rate)
    + ' (max ' + pct(g.max_error_rate) + '), p99 ' + fmtMs(to.p99_ms) + ' vs ' + fmtMs(others.p99_ms)
    + ' (max ×' + g.max_p99_ratio + ')';
}

function button(route, r, action, label, danger) {
  return h('button', {
    type: 'button', class: 'btn small' + (danger ? ' danger' : ''), text: label, dataset: { action },
    onclick: () => rolloutAction(route, r.to, action),
  });
}

let shownKey = null;

export function renderRollouts(routes) {
  const withRollout = ((routes && routes.routes) || []).filter((route) => route.rollout && route.name);
  const key = JSON.stringify(withRollout.map((route) => [route.name, route.rollout]));
  if (key === shownKey) return; // unchanged: keep the rows (and a button being clicked)
  shownKey = key;
  const tbody = $('rollouts').tBodies[0];
  tbody.textContent = '';
  for (const route of withRollout) {
    const r = route.rollout;
    const live = r.phase === 'running' || r.phase === 'paused';
    const actions = live ? [
      r.phase === 'running' ? button(route.name, r, 'pause', 'Pause') : button(route.name, r, 'resume', 'Resume'),
      button(route.name, r, 'abort', 'Abort', true),
      button(route.name, r, 'promote', 'Promote', true),
    ] : [];
    tbody.append(h('tr', { dataset: { route: route.name, phase: r.phase } },
      h('td', { class: 'mono', text: route.name }),
      h('td', {}, h('span', { class: 'badge', text: r.phase.replace('_', ' '), dataset: { state: r.phase } })),
      h('td', { text: stepText(r) }),
      h('td', { class: 'reason', text: guardText(r) + (r.reason ? ' · ' + r.reason : '') }),
      h('td', { text: fmtClock(new Date(r.started_at)), title: r.started_at }),
      h('td', {}, h('div', { class: 'actions' }, actions))));
  }
  $('rollouts-card').hidden = withRollout.length === 0;
}
