// Tokens: minting one (for a wall display, a rep, a manager or the CRM; never expiring, or at a
// time the manager picks), its secret shown once (token-secret.js), the list (token-list.js) and
// rotating one (token-rotate.js).
import { newKey } from '../shared/api.js';
import { $, h } from '../shared/page.js';
import { browserZone, wallToRFC3339 } from './format.js';
import { busy, clearErrors, showError } from './forms.js';
import { searchReps } from './points.js';
import { api } from './state.js';
import { daysFromNow } from './token-life.js';
import { loadTokens, resetTokenList, tickTokens, tokensState, wireTokenList } from './token-list.js';
import { wireRotate } from './token-rotate.js';
import { forgetSecret, mintedState, showSecret, tickSecret, wireSecret } from './token-secret.js';
import { copyFrom } from './ui.js';

export { loadTokens, mintedState, tokensState };
export { renderPairingContests } from './token-secret.js';

let tokenKey = null;            // {sig, key, body}: a retried mint is the same request

export function syncTokenForm() {
  const f = $('token-form').elements;
  const role = f.role.value;
  $('t-rep-field').hidden = role !== 'rep';
  $('t-name').placeholder = role === 'display' ? 'Lobby TV' : role === 'rep' ? 'Ana\'s phone' : role === 'ingest' ? 'CRM webhook' : 'Sales manager';
  $('t-expires-field').hidden = f.expiry.value !== 'date';
}

/**
 * The expiry asked for: none, a number of days from now, or the date typed, read in the
 * browser's zone (anything else goes as typed, for the API to name).
 */
function expiryOf(f) {
  const choice = f.expiry.value;
  if (choice === 'never') return undefined;
  if (choice === 'date') return wallToRFC3339(f.expires_at.value, browserZone) ?? f.expires_at.value;
  return daysFromNow(Number(choice));
}

async function submitToken(ev) {
  ev.preventDefault();
  const form = $('token-form');
  await busy($('token-submit'), async () => {
    const f = form.elements;
    const sig = JSON.stringify([f.role.value, f.name.value, f.rep_id.value, f.expiry.value, f.expires_at.value]);
    if (!tokenKey || tokenKey.sig !== sig) {
      const body = { role: f.role.value, name: f.name.value.trim() };
      if (body.role === 'rep') body.rep_id = f.rep_id.value.trim();
      const expires = expiryOf(f);
      if (expires !== undefined) body.expires_at = expires;
      tokenKey = { sig, body, key: newKey('mgr-') };
    }
    try {
      const t = await api('POST', '/tokens', tokenKey.body, { key: tokenKey.key });
      tokenKey = null;
      form.reset();
      clearErrors(form);
      syncTokenForm();
      showSecret(t);
      loadTokens();
    } catch (err) {
      if (err.status !== 0) tokenKey = null;
      showError(form, err, 'No token was minted');
    }
  });
}

/** The clock: expiries and overlaps moving on the tokens screen. */
export function tickTokenScreen() {
  tickTokens();
  tickSecret();
}

/** Forgets the tokens of a token that signed out. */
export function resetTokens() {
  resetTokenList();
  forgetSecret();
}

/** The token form, the secret's box, the list and the rotate dialog. */
export function wireTokens() {
  const tf = $('token-form');
  tf.addEventListener('submit', submitToken);
  tf.addEventListener('change', (ev) => {
    if (ev.target.name === 'role' || ev.target.name === 'expiry') syncTokenForm();
    if (ev.target.name === 'expiry' && ev.target.value === 'date') $('t-expires-at').focus();
  });
  $('t-expires-hint').textContent = `In this browser's time zone (${browserZone}).`;
  let repListTimer = 0;
  $('t-rep').addEventListener('input', () => {
    clearTimeout(repListTimer);
    repListTimer = setTimeout(() => searchReps($('t-rep').value.trim(), (items) => {
      $('t-rep-list').replaceChildren(...items.map((r) => h('option', { value: r.rep_id, label: `${r.name || r.rep_id}${r.team_id ? ' · ' + r.team_id : ''}` })));
    }), 200);
  });
  wireSecret();
  wireTokenList();
  wireRotate();
  for (const b of document.querySelectorAll('[data-copy]')) {
    b.addEventListener('click', () => copyFrom(b.dataset.copy, b));
  }
}
