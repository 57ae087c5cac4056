// The tokens list: live ones first, then expired, then (when asked) revoked; each one's expiry,
// last use and a rotation's overlap, kept current by the clock; revoking and rotating one.
import { $, h } from '../shared/page.js';
import { loadDisplays } from './displays.js';
import { ago, when } from './format.js';
import { busy } from './forms.js';
import { S, api, repName } from './state.js';
import { endsSoon, fromNow, overlapping, stateOf } from './token-life.js';
import { openRotate } from './token-rotate.js';
import { forgetSecret } from './token-secret.js';
import { confirmAction, toast } from './ui.js';

let tokens = [];
let shownSig = '';              // each token's state when the list was drawn
let clocks = [];                // [node, () => text]: the texts the clock moves on

export async function loadTokens() {
  if (!S.token) return;
  try {
    const body = await api('GET', '/tokens?limit=500');
    tokens = body.items || [];
    renderTokens();
  } catch (err) {
    if (err.status !== 401) console.warn('bullpen manage: tokens', err.message);
  }
}

const mayRevoke = (t) => S.me && (S.me.role === 'admin' || ['rep', 'display'].includes(t.role));
// The API rotates what the caller may revoke, if it still works (else 409: mint a new one).
const mayRotate = (t) => mayRevoke(t) && stateOf(t) === 'live';

const RANK = { live: 0, expired: 1, revoked: 2 };
const at = (iso) => Date.parse(iso) || 0;

/**
 * What a manager looks for first: the tokens in use, newest first; then the expired ones, just
 * expired first (the screen that went dark this morning); revoked ones, put away on purpose, last
 * and only when asked for.
 */
function ordered() {
  const showRevoked = $('tokens-show-revoked').checked;
  return tokens.map((t) => ({ t, state: stateOf(t) }))
    .filter(({ state }) => showRevoked || state !== 'revoked')
    .sort((a, b) => RANK[a.state] - RANK[b.state]
      || (a.state === 'expired' ? at(b.t.expires_at) - at(a.t.expires_at) : 0)
      || (a.state === 'revoked' ? at(b.t.revoked_at) - at(a.t.revoked_at) : 0));
}

const signature = () => tokens.map((t) => `${t.id}:${stateOf(t)}${overlapping(t) ? '+' : ''}`).join(',');

/** A text node the clock keeps current. */
function clocked(tag, attrs, text) {
  const node = h(tag, { ...attrs, text: text() });
  clocks.push([node, text]);
  return node;
}

function expiryCell(t, state) {
  if (state === 'expired') {
    return h('td', {},
      h('span', { class: 'status-tag st-expired' }, h('span', { 'aria-hidden': 'true', text: '◷' }), ' Expired'),
      h('br'), h('span', { class: 'muted small', text: when(t.expires_at) }));
  }
  const rotation = overlapping(t)
    ? h('p', { class: 'overlap-note small' }, h('span', { 'aria-hidden': 'true', text: '↻ ' }),
      clocked('span', {}, () => `Old secret works until ${when(t.previous_secret_until)} (${fromNow(t.previous_secret_until)})`))
    : null;
  if (!t.expires_at) return h('td', {}, h('span', { text: 'Never' }), rotation);
  return h('td', {},
    clocked('span', { class: state === 'live' && endsSoon(t) ? 'ends-soon' : '' }, () => `Expires ${fromNow(t.expires_at)}`),
    h('br'), h('span', { class: 'muted small', text: when(t.expires_at) }), rotation);
}

function actionsCell(t, state) {
  if (state === 'revoked') {
    return h('td', { class: 'actions' },
      h('span', { class: 'status-tag st-cancelled' }, h('span', { 'aria-hidden': 'true', text: '✕' }), ` Revoked ${when(t.revoked_at)}`));
  }
  const label = t.name || t.id;
  return h('td', { class: 'actions' },
    mayRotate(t)
      ? h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Rotate ${label}`, onclick: (e) => openRotate(t, e.currentTarget, loadTokens) }, 'Rotate')
      : null,
    mayRevoke(t)
      ? h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', 'aria-label': `Revoke ${label}`, onclick: (e) => revokeToken(t, e.currentTarget) }, 'Revoke')
      : null);
}

function renderTokens() {
  clocks = [];
  shownSig = signature();
  const shown = ordered();
  $('token-rows').replaceChildren(...shown.map(({ t, state }) => h('tr', { class: state === 'live' ? '' : state, 'data-token': t.id, 'data-state': state },
    h('td', {}, h('strong', { text: t.name || 'Unnamed' }), ' ', h('span', { class: `role-tag role-${t.role}`, text: t.role }),
      t.rep_id ? h('span', { class: 'small', text: ` ${repName(t.rep_id)}` }) : null,
      h('br'), h('span', { class: 'muted small token-id', text: t.id })),
    h('td', { text: when(t.created_at) }),
    expiryCell(t, state),
    h('td', {}, clocked('span', {}, () => (t.last_used_at ? ago(t.last_used_at) : 'never'))),
    actionsCell(t, state),
  )));
  $('tokens-empty').hidden = shown.length > 0;
}

/** The clock: a token that expired or whose overlap ended is drawn again, other times move. */
export function tickTokens() {
  if (!tokens.length) return;
  if (signature() !== shownSig) {
    renderTokens();
    return;
  }
  for (const [node, text] of clocks) {
    const s = text();
    if (node.textContent !== s) node.textContent = s;
  }
}

async function revokeToken(t, button) {
  if (!await confirmAction(`Revoke "${t.name || t.id}"?`, t.role === 'display'
    ? 'The screen using it goes dark until it is paired again with a new token.'
    : 'Anything using this token is signed out at once.', 'Revoke')) return;
  await busy(button, async () => {
    try {
      await api('DELETE', `/tokens/${encodeURIComponent(t.id)}`);
      toast(`"${t.name || t.id}" revoked.`);
      forgetSecret(t.id);
      await loadTokens();
      loadDisplays();
    } catch (err) {
      toast(`Not revoked: ${err.message}`, 'err');
    }
  });
}

/** For the test hook: the list as shown, in its order. */
export const tokensState = () => [...$('token-rows').rows].map((tr) => ({
  id: tr.dataset.token,
  state: tr.dataset.state,
  expires: tr.cells[2].textContent,
  rotatable: !!tr.querySelector('button[aria-label^="Rotate"]'),
}));

/** Forgets the tokens of a token that signed out. */
export function resetTokenList() {
  tokens = [];
  clocks = [];
  shownSig = '';
}

/** The list's controls. */
export function wireTokenList() {
  $('tokens-show-revoked').addEventListener('change', renderTokens);
  $('tokens-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, loadTokens));
}
