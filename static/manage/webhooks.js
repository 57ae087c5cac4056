// Webhooks: adding and editing an endpoint (its URL, events and format; errors at the field the
// API names), its signing secret shown once (on adding and rotating), the list with each one's
// state (on, or off and why, failing since when, deliveries waiting), turning one off and on,
// a test send, removing one, and its recent deliveries (webhook-log.js).
import { newKey } from '../shared/api.js';
import { $, h } from '../shared/page.js';
import { ago, when } from './format.js';
import { busy, clearErrors, showError } from './forms.js';
import { S, api } from './state.js';
import { closeLog, loadLog, logState, openLog, wireLog } from './webhook-log.js';
import { confirmAction, setCount, toast } from './ui.js';

let hooks = [];
let editing = null;               // the endpoint the form edits, or null: the form adds one
let createKey = null;             // {sig, key}: a retried add is the same request

const FORMAT_TEXT = { slack: 'Slack', teams: 'Teams', bullpen: 'Bullpen JSON' };

export async function loadWebhooks() {
  if (!S.token) return;
  try {
    const body = await api('GET', '/webhooks?limit=500');
    hooks = body.items || [];
    render();
  } catch (err) {
    if (err.status !== 401) console.warn('bullpen manage: webhooks', err.message);
  }
}

function formBody() {
  const f = $('webhook-form').elements;
  return {
    name: f.name.value.trim(),
    url: f.url.value.trim(),
    events: [...f.events].filter((c) => c.checked).map((c) => c.value),
    format: f.format.value,
  };
}

async function submit(ev) {
  ev.preventDefault();
  const form = $('webhook-form');
  await busy($('webhook-submit'), async () => {
    const body = formBody();
    try {
      if (editing) {
        await api('PATCH', `/webhooks/${encodeURIComponent(editing.id)}`, body);
        toast(`"${body.name || body.url}" saved.`);
      } else {
        const sig = JSON.stringify(body);
        if (!createKey || createKey.sig !== sig) createKey = { sig, key: newKey('mgr-') };
        const made = await api('POST', '/webhooks', body, { key: createKey.key });
        createKey = null;
        showSecret(made.secret, `"${made.name || made.url}" added.`);
      }
      resetForm();
      await loadWebhooks();
    } catch (err) {
      if (err.status !== 0) createKey = null;
      showError(form, err, editing ? 'Not saved' : 'No webhook was added');
    }
  });
}

function resetForm() {
  const form = $('webhook-form');
  editing = null;
  form.reset();
  clearErrors(form);
  $('webhook-form-h').textContent = 'Add a webhook';
  $('webhook-submit').textContent = 'Add webhook';
  $('webhook-cancel').hidden = true;
}

function edit(e) {
  const form = $('webhook-form');
  const f = form.elements;
  resetForm();
  editing = e;
  f.name.value = e.name;
  f.url.value = e.url;
  for (const c of f.events) c.checked = e.events.includes(c.value);
  f.format.value = e.format;
  $('webhook-form-h').textContent = `Edit "${e.name || e.url}"`;
  $('webhook-submit').textContent = 'Save';
  $('webhook-cancel').hidden = false;
  f.name.focus();
}

function showSecret(secret, note) {
  $('wh-secret').value = secret;
  $('wh-secret-box').hidden = false;
  $('wh-secret-box').focus();
  if (note) toast(note);
}

function hideSecret() {
  $('wh-secret').value = '';
  $('wh-secret-box').hidden = true;
}

function stateCell(e) {
  if (!e.enabled) {
    return h('td', {},
      h('span', { class: 'status-tag st-cancelled' }, h('span', { 'aria-hidden': 'true', text: '✕' }), ' Disabled'),
      h('br'), h('span', { class: 'small wh-reason', text: e.disabled_reason || '' }),
      e.disabled_at ? h('span', { class: 'muted small', text: ` (${when(e.disabled_at)})` }) : null,
      e.pending ? h('p', { class: 'muted small', text: `${e.pending} waiting: sent when turned on again` }) : null);
  }
  return h('td', {},
    h('span', { class: 'status-tag st-live' }, h('span', { 'aria-hidden': 'true', text: '●' }), ' Enabled'),
    e.failing_since ? h('p', { class: 'small ends-soon', text: `Failing since ${when(e.failing_since)} (${ago(e.failing_since)}); retrying` }) : null,
    e.pending ? h('p', { class: 'muted small', text: `${e.pending} waiting` }) : null);
}

function actionsCell(e) {
  const label = e.name || e.url;
  const btn = (text, aria, fn, cls = 'btn btn-small') => h('button', { type: 'button', class: cls, 'aria-label': `${aria} ${label}`, onclick: (ev) => fn(e, ev.currentTarget) }, text);
  return h('td', { class: 'actions' },
    btn('Deliveries', 'Deliveries of', (x) => openLog(x)),
    btn('Edit', 'Edit', (x) => edit(x)),
    e.enabled ? btn('Send test', 'Send a test to', sendTest) : null,
    btn(e.enabled ? 'Turn off' : 'Turn on', e.enabled ? 'Turn off' : 'Turn on', toggle),
    btn('Rotate secret', 'Rotate the secret of', rotate),
    btn('Remove', 'Remove', remove, 'btn btn-small btn-danger-quiet'));
}

function render() {
  $('webhook-rows').replaceChildren(...hooks.map((e) => h('tr', { 'data-webhook': e.id, 'data-enabled': String(e.enabled), class: e.enabled ? '' : 'expired' },
    h('td', {},
      h('strong', { text: e.name || 'Unnamed' }), ' ', h('span', { class: 'role-tag', text: FORMAT_TEXT[e.format] || e.format }),
      h('br'), h('span', { class: 'muted small token-id', text: e.url }),
      h('br'), h('span', { class: 'small', text: e.events.join(', ') })),
    stateCell(e),
    actionsCell(e),
  )));
  $('webhooks-empty').hidden = hooks.length > 0;
  setCount('count-webhooks', hooks.filter((e) => !e.enabled).length, 'disabled');
}

async function toggle(e, button) {
  await busy(button, async () => {
    try {
      await api('PATCH', `/webhooks/${encodeURIComponent(e.id)}`, { enabled: !e.enabled });
      toast(`"${e.name || e.url}" turned ${e.enabled ? 'off' : 'on'}.`);
      await loadWebhooks();
    } catch (err) {
      toast(`Not changed: ${err.message}`, 'err');
    }
  });
}

async function sendTest(e, button) {
  await busy(button, async () => {
    try {
      await api('POST', `/webhooks/${encodeURIComponent(e.id)}/test`);
      toast(`Test queued for "${e.name || e.url}": see its deliveries.`);
      await openLog(e);
      setTimeout(loadLog, 2000);
    } catch (err) {
      toast(`No test sent: ${err.message}`, 'err');
    }
  });
}

async function rotate(e, button) {
  if (!await confirmAction(`Rotate the secret of "${e.name || e.url}"?`,
    'Requests are signed with the new secret from now on: the receiver must be given it, or it will refuse them.', 'Rotate')) return;
  await busy(button, async () => {
    try {
      const made = await api('POST', `/webhooks/${encodeURIComponent(e.id)}/rotate`);
      showSecret(made.secret, `New secret for "${e.name || e.url}".`);
    } catch (err) {
      toast(`Not rotated: ${err.message}`, 'err');
    }
  });
}

async function remove(e, button) {
  if (!await confirmAction(`Remove "${e.name || e.url}"?`, 'Nothing more is sent to it, and what waits for it is dropped.', 'Remove')) return;
  await busy(button, async () => {
    try {
      await api('DELETE', `/webhooks/${encodeURIComponent(e.id)}`);
      toast(`"${e.name || e.url}" removed.`);
      if (editing && editing.id === e.id) resetForm();
      closeLog(e.id);
      await loadWebhooks();
    } catch (err) {
      toast(`Not removed: ${err.message}`, 'err');
    }
  });
}

/** For the test hook: the endpoints as shown, the secret on screen and the open log. */
export const webhooksState = () => ({
  webhooks: [...$('webhook-rows').rows].map((tr) => ({ id: tr.dataset.webhook, enabled: tr.dataset.enabled === 'true', state: tr.cells[1].textContent })),
  webhookSecret: $('wh-secret-box').hidden ? null : $('wh-secret').value,
  webhookLog: logState(),
});

/** Forgets the webhooks of a token that signed out. */
export function resetWebhooks() {
  hooks = [];
  $('webhook-rows').replaceChildren();
  resetForm();
  hideSecret();
  closeLog();
}

export function wireWebhooks() {
  $('webhook-form').addEventListener('submit', submit);
  $('webhook-cancel').addEventListener('click', resetForm);
  $('wh-secret-done').addEventListener('click', hideSecret);
  $('webhooks-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, loadWebhooks));
  wireLog();
}
