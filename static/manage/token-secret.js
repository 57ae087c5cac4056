// A secret shown once: a token just minted or rotated, with a display's pairing link and QR code
// or a rep's sign-in link, until the manager is done with it.
import { $, h } from '../shared/page.js';
import { displaysState } from './displays.js';
import { ago, when } from './format.js';
import { ids } from './forms.js';
import { renderQR } from './qr.js';
import { contests } from './state.js';
import { overlapping } from './token-life.js';
import { STATUS_TEXT } from './ui.js';

let minted = null;              // {id, token, role, name, rep_id, rotated_at?, previous_secret_until?}

const pairing = { contests: new Set(), hide: false };

/** Shows t's secret (the answer of POST /tokens or of a rotation) until "done". */
export function showSecret(t) {
  minted = t;
  render();
  $('minted').focus();
}

/** Hides the secret (of token id only, when given). */
export function forgetSecret(id) {
  if (minted && (id === undefined || minted.id === id)) {
    minted = null;
    render();
  }
}

function render() {
  const box = $('minted');
  if (!minted) {
    box.hidden = true;
    $('minted-secret').value = '';
    $('pair-link').value = '';
    $('pair-qr').replaceChildren();
    $('rep-qr').replaceChildren();
    $('rep-link-url').value = '';
    $('minted-overlap').hidden = true;
    return;
  }
  const rotated = !!minted.rotated_at;
  box.hidden = false;
  $('minted-h').textContent = `${rotated ? 'New secret for' : 'New'} ${minted.role} token${minted.name ? `: ${minted.name}` : ''}`;
  $('minted-secret').value = minted.token;
  $('minted-warn').textContent = `This is the only time the ${rotated ? 'new ' : ''}secret is shown. ` + (minted.role === 'display'
    ? `${rotated ? 'Open the new link below on the screen' : 'Pair the screen below'} now, or copy it.`
    : minted.role === 'rep' ? 'Give the rep the link below now, or copy it.' : 'Copy it now.');
  renderOverlap();
  $('pairing').hidden = minted.role !== 'display';
  $('rep-link').hidden = minted.role !== 'rep';
  if (minted.role === 'display') {
    choosePairing();
    renderPairingContests();
  }
  if (minted.role === 'rep') {
    const link = `${location.origin}/me#token=${encodeURIComponent(minted.token)}`;
    $('rep-link-url').value = link;
    renderQR($('rep-qr'), link, `QR code: scan to open ${minted.name || 'the rep'}'s page on a phone`);
  }
}

/** What a rotation left of the old secret. */
function renderOverlap() {
  const p = $('minted-overlap');
  if (!minted || !minted.rotated_at) {
    p.hidden = true;
    return;
  }
  p.hidden = false;
  p.textContent = overlapping(minted)
    ? `The old secret works until ${when(minted.previous_secret_until)} (${ago(minted.previous_secret_until)}); then anything still using it is signed out.`
    : 'The old secret no longer works: anything still using it is signed out.';
}

/**
 * The contests and teams on the new link: a rotated display's own, when it is online now (so its
 * new link shows what the old one did), else the live contests.
 */
function choosePairing() {
  pairing.hide = false;
  $('pair-hide').checked = false;
  const shown = minted.rotated_at ? displaysState().find((d) => d.token_id === minted.id) : null;
  if (shown) {
    pairing.contests = new Set(shown.channels.filter((c) => c.startsWith('contest:')).map((c) => c.slice('contest:'.length)));
    $('pair-teams').value = shown.channels.filter((c) => c.startsWith('targets:')).map((c) => c.slice('targets:'.length)).join(', ');
    return;
  }
  pairing.contests = new Set([...contests.values()].filter((c) => c.status === 'live').map((c) => c.id));
  $('pair-teams').value = '';
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

/** The clock: the old secret's time left. */
export function tickSecret() {
  if (minted && minted.rotated_at) renderOverlap();
}

/** For the test hook: the secret shown (its value left out). */
export function mintedState() {
  return minted ? {
    id: minted.id, role: minted.role, name: minted.name, rotated: !!minted.rotated_at,
    previousUntil: minted.previous_secret_until || null,
    pairingLink: minted.role === 'display' ? pairingLink() : null,
  } : null;
}

/** The secret box's controls. */
export function wireSecret() {
  $('minted-done').addEventListener('click', () => {
    forgetSecret();
    $('t-name').focus();
  });
  $('pair-teams').addEventListener('input', renderPairing);
  $('pair-hide').addEventListener('change', (ev) => {
    pairing.hide = ev.currentTarget.checked;
    renderPairing();
  });
}
