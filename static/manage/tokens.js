// Tokens: mint one (its secret shown once, a display's pairing link and QR code, a rep's
// sign-in link), the list, and revoking one.
import { newKey } from '../shared/api.js';
import { $, h } from '../shared/page.js';
import { loadDisplays } from './displays.js';
import { ago, when } from './format.js';
import { busy, clearErrors, ids, showError } from './forms.js';
import { searchReps } from './points.js';
import { renderQR } from './qr.js';
import { S, api, contests, repName } from './state.js';
import { STATUS_TEXT, confirmAction, copyFrom, toast } from './ui.js';

let tokens = [];
let minted = null;              // {id, token, role, name, rep_id}: the secret, until "done"

let tokenKey = null;

export function syncTokenForm() {
  const role = $('token-form').elements.role.value;
  $('t-rep-field').hidden = role !== 'rep';
  $('t-name').placeholder = role === 'display' ? 'Lobby TV' : role === 'rep' ? 'Ana\'s phone' : role === 'ingest' ? 'CRM webhook' : 'Sales manager';
}

async function submitToken(ev) {
  ev.preventDefault();
  const form = $('token-form');
  await busy($('token-submit'), async () => {
    const f = form.elements;
    const body = { role: f.role.value, name: f.name.value.trim() };
    if (body.role === 'rep') body.rep_id = f.rep_id.value.trim();
    const text = JSON.stringify(body);
    if (!tokenKey || tokenKey.body !== text) tokenKey = { body: text, key: newKey('mgr-') };
    try {
      const t = await api('POST', '/tokens', body, { key: tokenKey.key });
      tokenKey = null;
      minted = t;
      form.reset();
      clearErrors(form);
      syncTokenForm();
      renderMinted();
      loadTokens();
      $('minted').focus();
    } catch (err) {
      if (err.status !== 0) tokenKey = null;
      showError(form, err, 'No token was minted');
    }
  });
}

const pairing = { contests: new Set(), hide: false, touched: false };

function renderMinted() {
  const box = $('minted');
  if (!minted) {
    box.hidden = true;
    $('minted-secret').value = '';
    $('pair-link').value = '';
    $('pair-qr').replaceChildren();
    $('rep-qr').replaceChildren();
    $('rep-link-url').value = '';
    return;
  }
  box.hidden = false;
  $('minted-h').textContent = `New ${minted.role} token${minted.name ? `: ${minted.name}` : ''}`;
  $('minted-secret').value = minted.token;
  $('minted-warn').textContent = 'This is the only time the secret is shown. ' + (minted.role === 'display'
    ? 'Pair the screen below now, or copy it.'
    : minted.role === 'rep' ? 'Give the rep the link below now, or copy it.' : 'Copy it now.');
  $('pairing').hidden = minted.role !== 'display';
  $('rep-link').hidden = minted.role !== 'rep';
  if (minted.role === 'display') {
    pairing.touched = false;
    pairing.contests = new Set([...contests.values()].filter((c) => c.status === 'live').map((c) => c.id));
    pairing.hide = false;
    $('pair-hide').checked = false;
    $('pair-teams').value = '';
    renderPairingContests();
  }
  if (minted.role === 'rep') {
    const link = `${location.origin}/me#token=${encodeURIComponent(minted.token)}`;
    $('rep-link-url').value = link;
    renderQR($('rep-qr'), link, `QR code: scan to open ${minted.name || 'the rep'}'s page on a phone`);
  }
}

/** The contests a display being paired may show (the contest list changed). */
export function renderPairingContests() {
  if (!minted || minted.role !== 'display') return;
  const shown = [...contests.values()].filter((c) => ['live', 'scheduled', 'ended'].includes(c.status))
    .sort((a, b) => (a.status === b.status ? a.name.localeCompare(b.name) : a.status === 'live' ? -1 : b.status === 'live' ? 1 : 0));
  for (const id of [...pairing.contests]) if (!contests.has(id)) pairing.contests.delete(id);
  const list = $('pair-contest-list');
  list.replaceChildren(...shown.map((c) => {
    const id = `pc-${c.id}`;
    return h('div', { class: 'check-row' },
      h('input', { type: 'checkbox', id, value: c.id, checked: pairing.contests.has(c.id), onchange: (e) => {
        pairing.touched = true;
        if (e.currentTarget.checked) pairing.contests.add(c.id);
        else pairing.contests.delete(c.id);
        renderPairing();
      } }),
      h('label', { for: id }, c.name, ' ', h('span', { class: 'muted small', text: `(${STATUS_TEXT[c.status] || c.status})` })));
  }));
  if (!shown.length) list.append(h('p', { class: 'muted small', text: 'No live or scheduled contest: the display will show the floor only until you pair it again.' }));
  renderPairing();
}

function pairingLink() {
  if (!minted) return '';
  // In the playlist order the manager sees: live first, then by name.
  const chosen = [...$('pair-contest-list').querySelectorAll('input[type=checkbox]')].filter((c) => c.checked).map((c) => c.value);
  let link = `${location.origin}/display#token=${encodeURIComponent(minted.token)}&contests=${chosen.map(encodeURIComponent).join(',')}`;
  const teams = ids($('pair-teams').value);
  if (teams.length) link += `&boards=${teams.map((t) => 'targets:' + encodeURIComponent(t)).join(',')}`;
  if (pairing.hide) link += '&amounts=hide';
  return link;
}

function renderPairing() {
  const link = pairingLink();
  $('pair-link').value = link;
  $('pair-open').href = link;
  renderQR($('pair-qr'), link, `QR code: scan to open the wall display${minted && minted.name ? ` for ${minted.name}` : ''}`);
}

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

function renderTokens() {
  const showRevoked = $('tokens-show-revoked').checked;
  const shown = tokens.filter((t) => showRevoked || !t.revoked_at);
  $('token-rows').replaceChildren(...shown.map((t) => {
    const revoked = !!t.revoked_at;
    return h('tr', { class: revoked ? 'revoked' : '' },
      h('td', {}, h('strong', { text: t.name || 'Unnamed' }), h('br'), h('span', { class: 'muted small', text: t.id })),
      h('td', {}, h('span', { class: `role-tag role-${t.role}`, text: t.role }), t.rep_id ? h('span', { class: 'small', text: ` ${repName(t.rep_id)}` }) : null),
      h('td', { text: when(t.created_at) }),
      h('td', { text: t.last_used_at ? ago(t.last_used_at) : 'never' }),
      h('td', { class: 'actions' }, revoked
        ? h('span', { class: 'status-tag st-cancelled' }, h('span', { 'aria-hidden': 'true', text: '✕' }), ` Revoked ${when(t.revoked_at)}`)
        : mayRevoke(t)
          ? h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', 'aria-label': `Revoke ${t.name || t.id}`, onclick: (e) => revokeToken(t, e.currentTarget) }, 'Revoke')
          : null),
    );
  }));
  $('tokens-empty').hidden = shown.length > 0;
}

async function revokeToken(t, button) {
  if (!await confirmAction(`Revoke "${t.name || t.id}"?`, t.role === 'display'
    ? 'The screen using it goes dark until it is paired again with a new token.'
    : 'Anything using this token is signed out at once.', 'Revoke')) return;
  await busy(button, async () => {
    try {
      await api('DELETE', `/tokens/${encodeURIComponent(t.id)}`);
      toast(`"${t.name || t.id}" revoked.`);
      if (minted && minted.id === t.id) {
        minted = null;
        renderMinted();
      }
      await loadTokens();
      loadDisplays();
    } catch (err) {
      toast(`Not revoked: ${err.message}`, 'err');
    }
  });
}

/** For the test hook: the token just minted (its secret left out). */
export function mintedState() {
  return minted ? { id: minted.id, role: minted.role, name: minted.name, pairingLink: minted.role === 'display' ? pairingLink() : null } : null;
}

/** Forgets the tokens of a token that signed out. */
export function resetTokens() {
  tokens = [];
  minted = null;
}

/** The token form, the minted token's box and the list's controls. */
export function wireTokens() {
  const tf = $('token-form');
  tf.addEventListener('submit', submitToken);
  tf.addEventListener('change', (ev) => {
    if (ev.target.name === 'role') syncTokenForm();
  });
  let repListTimer = 0;
  $('t-rep').addEventListener('input', () => {
    clearTimeout(repListTimer);
    repListTimer = setTimeout(() => searchReps($('t-rep').value.trim(), (items) => {
      $('t-rep-list').replaceChildren(...items.map((r) => h('option', { value: r.rep_id, label: `${r.name || r.rep_id}${r.team_id ? ' · ' + r.team_id : ''}` })));
    }), 200);
  });
  $('minted-done').addEventListener('click', () => {
    minted = null;
    renderMinted();
    $('t-name').focus();
  });
  $('pair-teams').addEventListener('input', renderPairing);
  $('pair-hide').addEventListener('change', (ev) => {
    pairing.hide = ev.currentTarget.checked;
    renderPairing();
  });
  $('tokens-show-revoked').addEventListener('change', renderTokens);
  $('tokens-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, loadTokens));
  for (const b of document.querySelectorAll('[data-copy]')) {
    b.addEventListener('click', () => copyFrom(b.dataset.copy, b));
  }
}
