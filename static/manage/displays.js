// Wall displays: which are online now and what each shows.
import { $, h } from '../shared/page.js';
import { ago, when } from './format.js';
import { S, api, contests, now } from './state.js';
import { busy } from './forms.js';
import { setCount } from './ui.js';
import { screens } from './screens.js';

let loadingDisplays = false;
let displays = [];
let displaysAt = 0;

export async function loadDisplays() {
  if (loadingDisplays || !S.token) return;
  loadingDisplays = true;
  try {
    const body = await api('GET', '/displays');
    displays = body.items || [];
    displaysAt = Date.now();
    renderDisplays();
  } catch (err) {
    if (err.status !== 401) $('displays-updated').textContent = `Could not refresh: ${err.message}`;
  } finally {
    loadingDisplays = false;
  }
}

function channelText(ch) {
  if (ch === 'floor') return 'floor';
  if (ch.startsWith('contest:')) {
    const c = contests.get(ch.slice('contest:'.length));
    return c ? c.name : ch;
  }
  if (ch.startsWith('targets:')) return `Targets of team ${ch.slice('targets:'.length)}`;
  if (ch.startsWith('screen:')) {
    const s = screens.get(ch.slice('screen:'.length));
    return s ? `Screen "${s.name}"` : 'A screen';
  }
  return ch;
}

function renderDisplays() {
  // One row per display token: a screen with two tabs open is one display.
  const rows = displays.map((d) => {
    const seen = Date.parse(d.last_seen);
    const fresh = !Number.isNaN(seen) && now() - seen < 60000;
    const shows = d.channels.filter((c) => c !== 'floor').map(channelText);
    return h('tr', {},
      h('td', {}, h('strong', { text: d.name || 'Unnamed display' }), h('br'), h('span', { class: 'muted small', text: d.token_id })),
      h('td', {}, fresh
        ? h('span', { class: 'status-tag st-live' }, h('span', { 'aria-hidden': 'true', text: '●' }), ' Online')
        : h('span', { class: 'status-tag st-ended' }, h('span', { 'aria-hidden': 'true', text: '◌' }), ' Quiet')),
      h('td', { text: when(d.connected_at) }),
      h('td', { text: ago(d.last_seen) }),
      h('td', { text: shows.length ? shows.join(', ') : 'floor only' }),
    );
  });
  $('display-rows').replaceChildren(...rows);
  $('displays-empty').hidden = displays.length > 0;
  setCount('count-displays', displays.length, 'online');
  renderDisplaysUpdated();
}

export function renderDisplaysUpdated() {
  if (displaysAt) $('displays-updated').textContent = `Updated ${ago(new Date(displaysAt + S.clockOffset).toISOString())}`;
}

/** For the test hook. */
export const displaysState = () => displays.map((d) => ({ token_id: d.token_id, name: d.name, channels: d.channels }));

/** Forgets the displays of a token that signed out. */
export function resetDisplays() {
  displays = [];
}

/** The refresh button. */
export function wireDisplays() {
  $('displays-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, loadDisplays));
}
