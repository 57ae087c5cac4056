// Audit: the changes made to contests, incentives, tokens, points and targets, and the events
// posted, newest first, filtered by who and what and when (GET /audit), each changed field
// shown before → after. Every value is set as text: names and notes come from people.
import { $, h } from '../shared/page.js';
import { when } from './format.js';
import { busy, clearErrors, showError } from './forms.js';
import { S, api, contests } from './state.js';
import { toast } from './ui.js';

const PAGE = 50;

let items = [];
let next = null;        // the cursor of the page after the last one shown
let query = '';         // the filters of what is shown, as a query string
let loadSeq = 0;

const ACTIONS = {
  'contest.create': 'Created contest', 'contest.update': 'Changed contest', 'contest.end': 'Ended contest',
  'contest.cancel': 'Cancelled contest', 'incentive.launch': 'Launched incentive', 'incentive.end': 'Ended incentive',
  'token.create': 'Minted token', 'token.revoke': 'Revoked token', 'ledger.adjust': 'Adjusted points',
  'targets.put': 'Set targets', 'targets.delete': 'Removed target', 'events.post': 'Posted events',
  'webhook.create': 'Added webhook', 'webhook.update': 'Changed webhook', 'webhook.rotate': 'Rotated webhook secret',
  'webhook.delete': 'Removed webhook', 'webhook.disable': 'Disabled failing webhook',
};

/** A datetime-local value (the browser's own time zone) as RFC 3339, or '' when empty. */
function instant(v) {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString(); // an unreadable one goes as typed, for the API to name
}

function filters() {
  const f = $('audit-form').elements;
  const q = new URLSearchParams();
  const actor = f.actor.value.trim();
  const entity = f.entity.value.trim();
  if (actor) q.set('actor', actor);
  if (entity) q.set('entity', entity);
  for (const k of ['since', 'until']) {
    const v = instant(f[k].value);
    if (v) q.set(k, v);
  }
  return q;
}

/** Reads the first page for the filters on the form. */
export async function loadAudit() {
  if (!S.token) return;
  const form = $('audit-form');
  const q = filters();
  const mine = ++loadSeq;
  $('audit-table').setAttribute('aria-busy', 'true');
  try {
    q.set('limit', String(PAGE));
    const body = await api('GET', `/audit?${q}`);
    if (mine !== loadSeq) return;
    clearErrors(form);
    q.delete('limit');
    query = q.toString();
    items = body.items || [];
    next = body.next_cursor;
    renderAudit();
  } catch (err) {
    if (mine === loadSeq && err.status !== 401) showError(form, err, 'Changes not shown');
  } finally {
    if (mine === loadSeq) $('audit-table').setAttribute('aria-busy', 'false');
  }
}

async function more() {
  if (!next) return;
  const mine = loadSeq;
  await busy($('audit-more'), async () => {
    try {
      const q = new URLSearchParams(query);
      q.set('limit', String(PAGE));
      q.set('cursor', next);
      const body = await api('GET', `/audit?${q}`);
      if (mine !== loadSeq) return;
      items.push(...(body.items || []));
      next = body.next_cursor;
      renderAudit();
    } catch (err) {
      toast(err.message, 'err');
    }
  });
}

/** A field's value as a person reads it: text as it is, nothing as "none", the rest as JSON. */
function valueNode(v, cls) {
  if (v === null || v === undefined) return h('span', { class: `${cls} none`, text: 'none' });
  return h('span', { class: cls, text: typeof v === 'string' ? v : JSON.stringify(v) });
}

function fieldLine(name, before, after, side) {
  const li = h('li', {}, h('span', { class: 'field-name', text: name }));
  if (side !== 'after') li.append(valueNode(before, 'old'));
  if (!side) li.append(h('span', { class: 'arrow', 'aria-hidden': 'true', text: '→' }), h('span', { class: 'sr-only', text: ' changed to ' }));
  if (side !== 'before') li.append(valueNode(after, 'new'));
  return li;
}

/** The cell of a change: field by field, before → after; a thing created or removed whole. */
function changesCell(it) {
  const { before, after } = it;
  const names = (o) => Object.keys(o || {}).sort();
  if (before && after) {
    const keys = [...new Set([...names(before), ...names(after)])];
    return h('ul', { class: 'changes' }, keys.map((k) => fieldLine(k, before[k], after[k], '')));
  }
  const whole = before || after;
  const parts = [];
  if (whole) {
    const side = before ? 'before' : 'after';
    const list = h('ul', { class: 'changes' }, names(whole).map((k) => fieldLine(k, whole[k], whole[k], side)));
    const label = before ? `Removed; it was (${names(whole).length} fields)` : `Created with ${names(whole).length} fields`;
    parts.push(h('details', {}, h('summary', { text: label }), list));
  }
  if (it.detail) {
    if (it.action === 'events.post' && typeof it.detail.count === 'number') {
      parts.push(h('p', { text: `${it.detail.count} ${it.detail.count === 1 ? 'event' : 'events'}` }));
    } else {
      parts.push(h('ul', { class: 'changes muted small' }, names(it.detail).map((k) => fieldLine(k, it.detail[k], it.detail[k], 'after'))));
    }
  }
  return parts.length ? parts : h('span', { class: 'muted', text: '—' });
}

function actorCell(a) {
  const mine = S.me && a.token_id === S.me.token_id;
  const name = a.name || (a.token_id === 'admin' ? 'admin' : a.token_id === 'system' ? 'Bullpen itself' : a.token_id);
  return [
    h('strong', { text: mine ? `${name} (you)` : name }),
    a.role ? h('span', { class: 'role-tag', text: a.role }) : null,
    h('br'), h('span', { class: 'muted small', text: a.token_id }),
  ];
}

function whatCell(it) {
  const [kind, ...rest] = it.entity.split(':');
  const id = rest.join(':');
  const c = kind === 'contest' ? contests.get(id) : null;
  return [
    h('strong', { text: ACTIONS[it.action] || it.action }),
    h('br'),
    h('span', { class: 'small', text: c ? `${c.name} (${it.entity})` : it.entity }),
  ];
}

export function renderAudit() {
  const rows = items.map((it) => h('tr', { 'data-id': String(it.id) },
    h('td', { class: 'nowrap', text: when(it.at) }),
    h('td', {}, actorCell(it.actor)),
    h('td', {}, whatCell(it)),
    h('td', {}, changesCell(it)),
  ));
  $('audit-rows').replaceChildren(...rows);
  $('audit-empty').hidden = items.length > 0;
  $('audit-more').hidden = !next;
}

/** For the test hook. */
export const auditState = () => ({
  audit: items.map((it) => ({ id: it.id, action: it.action, entity: it.entity, actor: it.actor.token_id })),
  auditMore: !!next,
});

/** Forgets what a token that signed out was shown. */
export function resetAudit() {
  items = [];
  next = null;
  query = '';
  loadSeq++;
  $('audit-form').reset();
  clearErrors($('audit-form'));
  renderAudit();
}

/** The filters' form, its clear button and "more". */
export function wireAudit() {
  $('audit-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy($('audit-submit'), loadAudit);
  });
  $('audit-form').addEventListener('reset', () => setTimeout(loadAudit));
  $('audit-more').addEventListener('click', more);
}
