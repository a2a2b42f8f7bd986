// Same-origin JSON requests, the error banner, and the 401 -> login redirect.
import { els, state } from './state.js';

export function showBanner(text) {
  els.banner.textContent = text;
  els.banner.hidden = !text;
}

export class Unauthorized extends Error {}

/** Same-origin JSON GET; a 401 sends the browser to the login page. */
export async function api(path) {
  const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (res.status === 401) {
    if (!state.redirecting) {
      state.redirecting = true;
      window.location.assign('/dashboard/login');
    }
    throw new Unauthorized('unauthorized');
  }
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return res.json();
}

/**
 * Same-origin POST without a body; resolves to { ok, status, body } so a refusal's message can be shown.
 * A 401 sends the browser to the login page like api().
 */
export async function apiPost(path) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { accept: 'application/json' },
  });
  if (res.status === 401) {
    if (!state.redirecting) {
      state.redirecting = true;
      window.location.assign('/dashboard/login');
    }
    throw new Unauthorized('unauthorized');
  }
  const body = await res.json().catch(() => null);
  return { ok: res.ok, status: res.status, body };
}

export function reportError(error) {
  if (error instanceof Unauthorized) return;
  showBanner('Could not reach the server; retrying when the connection is back.');
  console.warn(error);
}
