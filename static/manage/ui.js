// The console's small pieces of screen: toasts, the confirm dialog, a copy button, a count
// beside a section's name and a status tag.
import { $, h } from '../shared/page.js';

/** A number beside a section's name, read out with its word ("2 live"). */
export function setCount(id, n, word) {
  const el = $(id);
  if (!n) {
    el.replaceChildren();
    return;
  }
  el.replaceChildren(String(n), h('span', { class: 'sr-only', text: ` ${word}` }));
}

export function toast(text, kind = 'ok') {
  const box = $('toasts');
  const item = h('p', { class: `toast toast-${kind}` }, h('span', { class: 'toast-icon', 'aria-hidden': 'true', text: kind === 'ok' ? '✓' : kind === 'win' ? '★' : '!' }), text);
  box.append(item);
  while (box.children.length > 3) box.firstElementChild.remove();
  setTimeout(() => item.remove(), kind === 'err' ? 9000 : 5000);
}

export async function copyFrom(inputId, button) {
  const input = $(inputId);
  const text = input.value;
  let ok = false;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      ok = true;
    }
  } catch { /* fall back below */ }
  if (!ok) {
    input.focus();
    input.select();
    try {
      ok = document.execCommand('copy');
    } catch {
      ok = false;
    }
  }
  const label = button.textContent;
  button.textContent = ok ? 'Copied' : 'Select and copy';
  setTimeout(() => { button.textContent = label; }, 1800);
}

export function confirmAction(title, text, okLabel) {
  const dlg = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = okLabel;
  const back = document.activeElement;
  return new Promise((resolve) => {
    dlg.returnValue = '';
    dlg.addEventListener('close', () => {
      if (back && back.focus) back.focus();
      resolve(dlg.returnValue === 'ok');
    }, { once: true });
    dlg.showModal();
    $('confirm-cancel').focus();
  });
}

export const STATUS_TEXT = { live: 'Live', scheduled: 'Scheduled', ended: 'Ended (grace)', final: 'Final', cancelled: 'Cancelled', open: 'Open', closed: 'Closed' };
const STATUS_ICON = { live: '●', open: '●', scheduled: '◷', ended: '◼', final: '✓', cancelled: '✕', closed: '◼' };

export function statusTag(status) {
  return h('span', { class: `status-tag st-${status}` }, h('span', { 'aria-hidden': 'true', text: STATUS_ICON[status] || '•' }), ' ', STATUS_TEXT[status] || status);
}
