// Bascule dashboard: the commands: confirmation, the call, its answer.

import { $, h } from './format.js';
import { ApiError, api, serverPath } from './api.js';

let afterAction = () => {};

/** What to do once a command answered (refresh the page's data). */
export function onActionDone(fn) {
  afterAction = fn;
}

export function toast(message, error, details) {
  const t = h('div', { class: 'toast' + (error ? ' error' : '') }, h('div', { text: message }));
  if (details && details.length) t.append(h('ul', {}, details.map((d) => h('li', { class: 'mono', text: d }))));
  $('toasts').append(t);
  setTimeout(() => t.remove(), error ? 9000 : 4500);
}

/**
 * Asks before acting. fields: [{name, label, type, value, min, max, placeholder}]. Resolves to the fields'
 * values (an object) on confirmation, null on cancel.
 */
export function confirmAction({ title, text, fields = [], ok = 'Confirm', danger = false }) {
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
  afterAction();
}

export async function drainServer(upstream, address, drain) {
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

export async function setWeight(upstream, address, current) {
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

export async function removeServer(upstream, address) {
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

export async function addServer(upstream) {
  const v = await confirmAction({
    title: 'Add a server to ' + upstream,
    text: 'It takes traffic at once (or after its first passing health check), and is kept in the state file'
      + ' across reloads and restarts.',
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

export async function reload() {
  const yes = await confirmAction({
    title: 'Reload the config?',
    text: 'Bascule reads its config file again and swaps it in whole, or changes nothing if it has an error.'
      + ' Changes made through the API stay, unless the file changed the same thing since.',
    ok: 'Reload',
  });
  if (!yes) return;
  run((r) => 'Config version ' + r.version + ' loaded', () => api('POST', '/reload'));
}


const ROLLOUT_ACTIONS = {
  pause: { path: '/rollout/pause', title: 'Pause', text: 'The step stops moving on; the guard still watches it.' },
  resume: { path: '/rollout/resume', title: 'Resume', text: 'The step goes on where it stood.' },
  abort: { path: '/rollout/abort', title: 'Abort', text: 'The rollout ends and the split goes back to what it was'
    + ' before it.', danger: true },
  promote: { path: '/promote', title: 'Promote', text: 'The rollout ends with its upstream at 100% now.',
    danger: true },
};

/** Pause, resume, abort or promote the rollout of a route, after asking. */
export async function rolloutAction(route, to, action) {
  const a = ROLLOUT_ACTIONS[action];
  const yes = await confirmAction({
    title: a.title + ' the rollout of ' + route + ' to ' + to + '?',
    text: a.text,
    ok: a.title,
    danger: !!a.danger,
  });
  if (!yes) return;
  run((r) => 'Rollout of ' + route + ' to ' + r.to + ' is now ' + r.phase.replace('_', ' '),
    () => api('POST', '/routes/' + encodeURIComponent(route) + a.path));
}
