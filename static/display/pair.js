// Pairing by code (docs/api.md §3 "Pairing a display"): a display opened with no token asks
// for a pairing, shows its code big, and polls with the pairing's secret (kept in this page
// only) until a manager claims the code in the console; then it keeps the token it is given and
// starts over with it. An expired code is replaced by a new one.
import { el, storePairedToken } from './state.js';

const POLL_MS = 2000;
const RETRY_MS = 5000;

async function post(path, body) {
  const res = await fetch('/api/v1' + path, {
    method: 'POST', cache: 'no-store', credentials: 'omit',
    headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await res.json();
  } catch { /* no body */ }
  return { status: res.status, data };
}

let current = null; // {code, secret, expires_at}
let timer = 0;

const wait = (ms, fn) => {
  clearTimeout(timer);
  timer = setTimeout(fn, ms);
};

function show(text) {
  el.pair.hidden = false;
  el.main.dataset.state = 'pairing';
  el.pairCode.textContent = current ? current.code.slice(0, 3) + ' ' + current.code.slice(3) : '······';
  el.pairText.textContent = text;
}

async function start() {
  current = null;
  try {
    const r = await post('/pairings');
    if (r.status !== 201) throw new Error(String(r.status));
    current = r.data;
    show('');
    poll();
  } catch {
    show('Cannot reach the server: trying again…');
    wait(RETRY_MS, start);
  }
}

async function poll() {
  const left = Date.parse(current.expires_at) - Date.now();
  if (left <= 0) return start();
  const s = Math.ceil(left / 1000);
  show(`In the console, open Screens → Pair a display and type this code. It works for ${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} more.`);
  let r;
  try {
    r = await post('/pairings/collect', { secret: current.secret });
  } catch {
    return wait(POLL_MS, poll);
  }
  if (r.status === 200 && r.data.status === 'paired' && r.data.token) {
    storePairedToken(r.data.token);
    show('Paired: starting…');
    location.reload(); // the page starts over with the token it keeps
    return undefined;
  }
  if (r.status === 404) return start(); // expired
  return wait(POLL_MS, poll);
}

/** Shows a code and waits for a manager to claim it. */
export function startPairing() {
  start();
}

/** For the test hook: the code on screen. */
export const pairingCode = () => (current ? current.code : null);
