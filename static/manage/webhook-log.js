// A webhook's recent deliveries (GET /webhooks/{id}/deliveries): each attempt's time, event,
// the receiver's answer, latency, and what followed (delivered, retried at, given up). The
// errors are the receivers' and the network's: shown as text.
import { $, h } from '../shared/page.js';
import { when } from './format.js';
import { busy } from './forms.js';
import { api } from './state.js';
import { toast } from './ui.js';

let shown = null;                 // {id, label}: the endpoint whose log is open
let attempts = [];

const EVENT_TEXT = {
  celebration: 'Deal won', 'incentive.won': 'Incentive won', 'contest.final': 'Contest final',
  reward: 'Points rewarded', achievement: 'Achievement', 'webhook.test': 'Test',
};

/** Opens (or reads again) the log of endpoint e. */
export async function openLog(e) {
  shown = { id: e.id, label: e.name || e.url };
  $('wh-log').hidden = false;
  $('wh-log-h').textContent = `Recent deliveries: ${shown.label}`;
  await loadLog();
}

export async function loadLog() {
  if (!shown) return;
  const id = shown.id;
  try {
    const body = await api('GET', `/webhooks/${encodeURIComponent(id)}/deliveries?limit=50`);
    if (!shown || shown.id !== id) return;
    attempts = body.items || [];
    render();
  } catch (err) {
    if (err.status !== 401) toast(`Deliveries not shown: ${err.message}`, 'err');
  }
}

function answerCell(a) {
  if (a.error === null) return h('td', {}, h('span', { class: 'status-tag st-live', text: `✓ ${a.status}` }));
  return h('td', {},
    h('span', { class: 'status-tag st-cancelled', text: a.status ? `✕ ${a.status}` : '✕ no answer' }),
    h('br'), h('span', { class: 'muted small wh-error', text: a.error }));
}

function thenCell(a) {
  if (a.error === null) return h('td', { text: 'Delivered' });
  if (a.gave_up) return h('td', { class: 'ends-soon', text: 'Given up; webhook turned off' });
  return h('td', { text: a.next_attempt_at ? `Retry ${when(a.next_attempt_at)}` : '' });
}

function render() {
  $('wh-log-rows').replaceChildren(...attempts.map((a) => h('tr', { 'data-delivery': a.delivery_id, 'data-status': a.status ?? '' },
    h('td', {}, h('span', { text: when(a.at) }), a.attempt > 1 ? h('span', { class: 'muted small', text: ` · attempt ${a.attempt}` }) : null),
    h('td', { text: EVENT_TEXT[a.type] || a.type }),
    answerCell(a),
    h('td', { text: `${a.latency_ms} ms` }),
    thenCell(a),
  )));
  $('wh-log-empty').hidden = attempts.length > 0;
}

/** Closes the log (of endpoint id only, when given: it was removed). */
export function closeLog(id) {
  if (id !== undefined && (!shown || shown.id !== id)) return;
  shown = null;
  attempts = [];
  $('wh-log').hidden = true;
  $('wh-log-rows').replaceChildren();
}

/** For the test hook: the attempts shown. */
export const logState = () => (shown ? { id: shown.id, attempts: attempts.map((a) => ({ type: a.type, status: a.status, error: a.error, gave_up: a.gave_up })) } : null);

export function wireLog() {
  $('wh-log-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, loadLog));
  $('wh-log-close').addEventListener('click', () => closeLog());
}
