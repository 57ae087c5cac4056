// Toasts: a reward, a clawback, a rank change or a new incentive, for a few seconds; older ones
// make room on a small screen.
import { reducedMotion } from '../shared/page.js';
import { el } from './state.js';

export const TOAST_MS = 6500;          // a reward or clawback stays this long
export const TOAST_SHORT_MS = 4500;    // a rank change or a new incentive
const MAX_TOASTS = 3;           // on screen at once (2 on a phone); older ones make room
const TOAST_LOG = 50;           // kept for the test hook

/** What was shown, for the test hook. */
export const toastLog = [];
let toastCount = 0;

export const toastsShown = () => toastCount;

export function toast(kind, title, detail, ms) {
  const div = document.createElement('div');
  div.className = 'toast toast-' + kind;
  const icon = document.createElement('span');
  icon.className = 'toast-icon';
  icon.setAttribute('aria-hidden', 'true');
  icon.textContent = { reward: '★', clawback: '↩', passed: '▼', up: '▲', incentive: '⚑' }[kind] || '•';
  const text = document.createElement('div');
  text.className = 'toast-text';
  const t = document.createElement('p');
  t.className = 'toast-title';
  t.textContent = title;
  text.append(t);
  if (detail) {
    const d = document.createElement('p');
    d.className = 'toast-detail';
    d.textContent = detail;
    text.append(d);
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'toast-close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  close.addEventListener('click', () => dismiss(div));
  div.append(icon, text, close);
  el.toasts.append(div);
  const max = window.matchMedia('(max-width: 40rem)').matches ? MAX_TOASTS - 1 : MAX_TOASTS;
  while (el.toasts.children.length > max) el.toasts.firstElementChild.remove();
  let timer = setTimeout(() => dismiss(div), ms);
  // Someone reading or reaching for it keeps it up.
  div.addEventListener('pointerenter', () => clearTimeout(timer));
  div.addEventListener('focusin', () => clearTimeout(timer));
  div.addEventListener('pointerleave', () => {
    clearTimeout(timer);
    timer = setTimeout(() => dismiss(div), TOAST_SHORT_MS);
  });
  toastCount++;
  toastLog.push({ kind, title, detail: detail || '', text: detail ? `${title} ${detail}` : title, at: new Date().toISOString() });
  if (toastLog.length > TOAST_LOG) toastLog.splice(0, toastLog.length - TOAST_LOG);
  return div;
}

export function dismiss(div) {
  if (!div.isConnected || div.classList.contains('out')) return;
  if (reducedMotion()) {
    div.remove();
    return;
  }
  div.classList.add('out');
  setTimeout(() => div.remove(), 250);
}
