// Rotating a token: how long its old secret keeps working (and, if asked, a new expiry), then
// the new secret shown once, with a display's new link.
import { newKey } from '../shared/api.js';
import { $ } from '../shared/page.js';
import { loadDisplays } from './displays.js';
import { when } from './format.js';
import { busy, clearErrors, showError } from './forms.js';
import { api } from './state.js';
import { daysFromNow, fromNow } from './token-life.js';
import { showSecret } from './token-secret.js';

let rotating = null;            // {t, done, back}: the token the dialog is for
let rotateKey = null;           // {sig, key, body}: a retried rotation is the same request

const WHERE = {
  display: 'The screen keeps its old link for the overlap: open the new link on it before the overlap ends.',
  rep: 'The rep\'s phone keeps working for the overlap: send the new link before it ends.',
};

/** Opens the rotate dialog for token t; done() runs after a rotation. */
export function openRotate(t, button, done) {
  const form = $('rotate-form');
  form.reset();
  clearErrors(form);
  rotating = { t, done, back: button };
  $('rotate-title').textContent = `Rotate "${t.name || t.id}"`;
  $('rotate-text').textContent = `It gets a new secret; its id, role and pairing stay. ${WHERE[t.role] || 'Whatever uses the old secret must be given the new one before the overlap ends.'}`;
  $('rotate-keep').textContent = t.expires_at ? `Keep it (${fromNow(t.expires_at)}, ${when(t.expires_at)})` : 'Keep it (never expires)';
  $('rotate').showModal();
  form.querySelector('input[name=overlap]:checked').focus();
}

function close() {
  const back = rotating && rotating.back;
  rotating = null;
  $('rotate').close();
  if (back && back.isConnected) back.focus();
}

async function submitRotate(ev) {
  ev.preventDefault();
  if (!rotating) return;
  const form = $('rotate-form');
  const { t, done } = rotating;
  await busy($('rotate-submit'), async () => {
    const f = form.elements;
    const sig = JSON.stringify([t.id, f.overlap.value, f.expiry.value]);
    if (!rotateKey || rotateKey.sig !== sig) {
      const body = { overlap: f.overlap.value };
      if (f.expiry.value !== 'keep') body.expires_at = daysFromNow(Number(f.expiry.value));
      rotateKey = { sig, body, key: newKey('mgr-') };
    }
    try {
      const rotated = await api('POST', `/tokens/${encodeURIComponent(t.id)}/rotate`, rotateKey.body, { key: rotateKey.key });
      rotateKey = null;
      close();
      // The display's channels now, so that its new link shows what the old one did.
      if (rotated.role === 'display') await loadDisplays();
      showSecret(rotated);
      done();
    } catch (err) {
      if (err.status !== 0) rotateKey = null;
      showError(form, err, 'Not rotated');
    }
  });
}

/** The dialog's controls. */
export function wireRotate() {
  $('rotate-form').addEventListener('submit', submitRotate);
  $('rotate-cancel').addEventListener('click', close);
  $('rotate').addEventListener('close', () => { rotating = null; });
}
