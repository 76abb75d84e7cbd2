// Bascule dashboard: the fleet card (GET /cluster): this instance in its fleet, every instance's record, and the
// health of each etcd endpoint. Shown only for an instance in a fleet: a single instance answers 404.

import { $, fmtAgo, fmtClock, h } from './format.js';
import { syncRows } from './tables.js';

/** "0.4 s", "12 s": a heartbeat's age, as the instance that answered measured it. */
function fmtAge(ms) {
  if (ms == null || ms < 0) return '–';
  return ms < 10000 ? (ms / 1000).toFixed(1) + ' s' : Math.round(ms / 1000) + ' s';
}

/** The facts about this instance, above the tables. */
function renderSelf(c) {
  $('fleet-node').textContent = c.node;
  const connected = $('fleet-connected');
  connected.textContent = c.connected ? 'connected' : 'disconnected';
  connected.dataset.state = c.connected ? 'healthy' : 'unhealthy';
  const since = $('fleet-since');
  if (!c.connected && c.disconnected_since) {
    const at = new Date(c.disconnected_since);
    since.textContent = 'since ' + fmtClock(at) + ' (' + fmtAgo(at) + ')';
    since.title = c.disconnected_since;
  } else {
    since.textContent = '';
    since.title = '';
  }
  $('fleet-config').textContent = c.config.revision ? String(c.config.revision) : 'none: its own file';
  const driver = $('fleet-driver');
  driver.textContent = c.drives_rollouts ? 'driven here' : 'not driven here';
  driver.dataset.state = c.drives_rollouts ? 'healthy' : '';
  driver.classList.toggle('badge', c.drives_rollouts);
  driver.classList.toggle('muted', !c.drives_rollouts);
  driver.title = 'one elected instance of the fleet moves every rollout; each instance knows only whether it is the one';
  const error = $('fleet-config-error');
  error.hidden = !c.config.error;
  error.textContent = c.config.error ? 'The fleet\'s newest config does not apply here: ' + c.config.error : '';
}

// Rows are kept by node and endpoint and updated in place, so a tooltip or a hover survives the next poll.
const nodeRows = new Map();
const endpointRows = new Map();

function nodeRow(name) {
  let r = nodeRows.get(name);
  if (r) return r;
  r = {
    self: h('span', { class: 'muted', text: ' this instance' }),
    admin: h('td', { class: 'mono' }),
    live: h('span', { class: 'badge' }),
    age: h('td', { class: 'num' }),
    config: h('td', { class: 'num' }),
    state: h('td', { class: 'num' }),
    error: h('td', { class: 'reason' }),
  };
  r.tr = h('tr', { dataset: { node: name } },
    h('td', {}, h('span', { class: 'mono', text: name }), r.self),
    r.admin, h('td', {}, r.live), r.age, r.config, r.state, r.error);
  nodeRows.set(name, r);
  return r;
}

function renderNodes(c) {
  const rows = [];
  for (const n of c.nodes) {
    const r = nodeRow(n.node);
    const behind = c.config.revision > 0 && n.config_revision !== c.config.revision;
    r.tr.dataset.live = String(n.live);
    r.self.hidden = n.node !== c.node;
    r.admin.textContent = n.admin || '–';
    r.live.textContent = n.live ? 'live' : 'silent';
    r.live.dataset.state = n.live ? 'healthy' : 'unhealthy';
    r.live.title = n.live ? '' : 'no heartbeat for more than 3.5 s';
    r.age.textContent = fmtAge(n.heartbeat_age_ms);
    r.age.title = 'last heartbeat at ' + n.heartbeat_at;
    r.config.textContent = n.config_revision ? String(n.config_revision) : '–';
    r.config.classList.toggle('err-high', behind);
    r.config.title = behind ? 'not the revision this instance runs (' + c.config.revision + ')' : '';
    r.state.textContent = n.state_revision ? String(n.state_revision) : '–';
    r.error.textContent = n.config_error || '';
    rows.push(r.tr);
  }
  const names = new Set(c.nodes.map((n) => n.node));
  for (const name of nodeRows.keys()) if (!names.has(name)) nodeRows.delete(name);
  syncRows($('fleet-nodes').tBodies[0], rows);
}

function endpointRow(endpoint) {
  let r = endpointRows.get(endpoint);
  if (r) return r;
  r = {
    health: h('span', { class: 'badge' }),
    version: h('td'),
    role: h('td'),
    error: h('td', { class: 'reason' }),
  };
  r.tr = h('tr', { dataset: { endpoint } }, h('td', { class: 'mono', text: endpoint }), h('td', {}, r.health),
    r.version, r.role, r.error);
  endpointRows.set(endpoint, r);
  return r;
}

function renderEtcd(c) {
  const rows = [];
  for (const e of c.etcd) {
    const r = endpointRow(e.endpoint);
    r.tr.dataset.healthy = String(e.healthy);
    r.health.textContent = e.healthy ? 'healthy' : 'unhealthy';
    r.health.dataset.state = e.healthy ? 'healthy' : 'unhealthy';
    r.version.textContent = e.version || '–';
    r.role.textContent = e.healthy ? (e.leader ? 'leader' : 'follower') : '–';
    r.error.textContent = e.error || '';
    rows.push(r.tr);
  }
  const endpoints = new Set(c.etcd.map((e) => e.endpoint));
  for (const e of endpointRows.keys()) if (!endpoints.has(e)) endpointRows.delete(e);
  syncRows($('fleet-etcd').tBodies[0], rows);
  $('fleet-etcd-empty').hidden = c.etcd.length > 0;
}

/** @param c GET /cluster's answer, or null for an instance not in a fleet (the card stays hidden) */
export function renderFleet(c) {
  $('fleet-card').hidden = !c;
  if (!c) return;
  $('fleet-name').textContent = c.cluster;
  const live = c.nodes.filter((n) => n.live).length;
  $('fleet-summary').textContent = live + ' of ' + c.nodes.length + (c.nodes.length === 1 ? ' instance' : ' instances')
    + ' live · heartbeats every second, as this instance sees them';
  renderSelf(c);
  renderNodes(c);
  renderEtcd(c);
}
