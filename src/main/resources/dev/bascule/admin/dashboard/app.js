// Bascule dashboard: polls the admin API each second (GET /stats, /status, /events, /routes, and /cluster for an
// instance in a fleet) and draws what it gets.
// Plain ES modules, no build step; served with a Content-Security-Policy that allows no inline script or style, so
// every element is built with textContent (names and reasons from the API are never parsed as HTML).
//   format.js   numbers, times, element building      samples.js  the /stats samples, kept aligned
//   api.js      calls, errors, the token               charts.js   the three charts (uPlot)
//   actions.js  commands with confirmation             tables.js   header, KPI tiles, servers, routes, transitions
//   rollouts.js each split route's rollout, its buttons    fleet.js    the fleet card (GET /cluster)

import { $ } from './format.js';
import { ApiError, api } from './api.js';
import { lastSampleTime, mergeStats } from './samples.js';
import { renderCharts, resetCharts } from './charts.js';
import { renderEvents, renderHeader, renderKpis, renderRoutes, renderServers, setLive } from './tables.js';
import { onActionDone, reload } from './actions.js';
import { renderRollouts } from './rollouts.js';
import { renderFleet } from './fleet.js';

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
    const [s, status, events, routes] = await Promise.all([api('GET', statsPath), api('GET', '/status'),
      api('GET', '/events'), api('GET', '/routes')]);
    // Only an instance in a fleet has GET /cluster (/status names the fleet); asking a single instance would
    // leave a 404 in the browser's console every second.
    const fleet = status.cluster ? await api('GET', '/cluster') : null;
    mergeStats(s);
    latestStatus = status;
    renderHeader(status);
    renderKpis(status);
    renderCharts(status);
    renderServers(status);
    renderRoutes(routes);
    renderRollouts(routes);
    renderEvents(events);
    renderFleet(fleet);
    setLive(true);
    lastPollAt = Date.now();
  } catch (e) {
    setLive(false, e instanceof ApiError ? e.status + ' ' + e.message : 'no answer');
  } finally {
    polling = false;
  }
}

window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => resetCharts(latestStatus));
$('reload-btn').addEventListener('click', reload);
onActionDone(() => poll(true));
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') poll();
});
poll();
setInterval(poll, 1000);
