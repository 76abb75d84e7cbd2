// Bascule dashboard: the admin API: calls, errors, the token.

import { $ } from './format.js';

const TOKEN_KEY = 'bascule.admin.token';

export class ApiError extends Error {
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
export async function api(method, path, body) {
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

export const serverPath = (upstream, address) =>
  '/upstreams/' + encodeURIComponent(upstream) + '/servers/' + encodeURIComponent(address);
