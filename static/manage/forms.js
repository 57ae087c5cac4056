// The console's forms: an API error shown at the field it names (or at the top of the form), a
// button busy while its request runs, and the values read from the inputs.
import { h } from '../shared/page.js';

/** The ids of a comma-separated list. */
export const ids = (text) => String(text || '').split(',').map((s) => s.trim()).filter(Boolean);
export const numOrNull = (v) => {
  const s = String(v ?? '').trim();
  if (s === '') return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : s; // a non-number goes as typed, for the API to name
};

const CONTROLS = 'input:not([type=hidden]), select, textarea';

/** The control a field path ("prizes.0.points", "weights.call") belongs to in form, or null. */
function controlFor(form, field) {
  if (!field) return null;
  const parts = field.split('.');
  for (let n = parts.length; n > 0; n--) {
    const path = parts.slice(0, n).join('.');
    for (const node of form.querySelectorAll(`[data-field="${CSS.escape(path)}"]`)) {
      if (node.closest('[hidden]')) continue;
      const control = node.matches(CONTROLS) ? node : node.querySelector(`${CONTROLS}:not(:disabled)`);
      if (control) return { control, box: node.matches(CONTROLS) ? control.closest('[data-error-box], .field') || control.parentElement : node };
    }
  }
  return null;
}

export function clearErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) {
    el.removeAttribute('aria-invalid');
    const base = el.dataset.describedby;
    if (base === undefined || base === '') el.removeAttribute('aria-describedby');
    else el.setAttribute('aria-describedby', base);
    delete el.dataset.describedby;
  }
  for (const el of form.querySelectorAll('.field-error')) el.remove();
  for (const el of form.querySelectorAll('.has-error')) el.classList.remove('has-error');
  const msg = form.querySelector('.form-msg');
  if (msg) {
    msg.hidden = true;
    msg.textContent = '';
  }
}

let errorSeq = 0;

/** Shows an API error at its field (or at the top of the form) and focuses the field. */
export function showError(form, err, what) {
  clearErrors(form);
  const msg = form.querySelector('.form-msg');
  const target = err.field ? controlFor(form, err.field) : null;
  if (target) {
    const { control, box } = target;
    const errId = `err-${++errorSeq}`;
    const p = h('p', { class: 'field-error', id: errId }, h('span', { class: 'err-icon', 'aria-hidden': 'true', text: '⚠' }), ' ', sentence(err.message));
    const radios = control.type === 'radio' ? [...box.querySelectorAll('input[type=radio]')] : [control];
    for (const c of radios) {
      c.dataset.describedby = c.getAttribute('aria-describedby') || '';
      c.setAttribute('aria-invalid', 'true');
      c.setAttribute('aria-describedby', [errId, c.dataset.describedby].filter(Boolean).join(' '));
    }
    box.classList.add('has-error');
    box.append(p);
    if (msg) {
      msg.hidden = false;
      msg.textContent = `${what}: check ${labelOf(control) || 'the marked field'}.`;
    }
    control.focus();
    return;
  }
  if (msg) {
    msg.hidden = false;
    msg.textContent = `${what}: ${err.message}`;
    msg.setAttribute('tabindex', '-1');
    msg.focus();
  }
}

/** The API's messages start in lower case ("ends_at must be after starts_at"). */
const sentence = (text) => (text ? text[0].toUpperCase() + text.slice(1) : text);

function labelOf(control) {
  if (control.type === 'radio') {
    const legend = control.closest('fieldset')?.querySelector('legend');
    return legend ? `"${legend.textContent.trim()}"` : '';
  }
  const label = control.labels && control.labels[0];
  return label ? `"${label.textContent.trim()}"` : '';
}

export async function busy(button, fn) {
  if (button.disabled) return;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    await fn();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}
