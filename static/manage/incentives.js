// Spot incentives: the launch form (its title suggested from the rule), the list, and the one
// being watched with its winners arriving live and its countdown.
import { newKey } from '../shared/api.js';
import { dateFormat } from '../shared/format.js';
import { $, h } from '../shared/page.js';
import { ago, countdown, durationWords, intFmt, localInputValue, points, shortMoney, timeFmt } from './format.js';
import { busy, clearErrors, ids, numOrNull, showError } from './forms.js';
import { api, incentives, money, now, repName, repNames } from './state.js';
import { confirmAction, setCount, statusTag, toast } from './ui.js';

let watchedId = null;
const repLookups = new Map();   // rep_id -> pending promise
const refreshQueued = new Map();

let titleEdited = false;
let incentiveKey = null;

function durationMs() {
  const v = $('incentive-form').elements.duration.value;
  if (v === 'custom') {
    const t = Date.parse($('i-ends').value);
    return Number.isNaN(t) ? null : t - Date.now();
  }
  if (v === 'eod') {
    const d = new Date();
    d.setHours(18, 0, 0, 0);
    return d.getTime() - Date.now();
  }
  return Number(v) * 60000;
}

function suggestedTitle() {
  const f = $('incentive-form').elements;
  const n = Number(f.max_winners.value) || 1;
  const pts = Number(f.reward_points.value) || 0;
  const min = Number(f.min_amount.value) || 0;
  const product = f.product.value.trim();
  const who = n === 1 ? 'First' : `First ${n}`;
  const what = min > 0 ? `to close ${shortMoney(min)}+` : 'to close a deal';
  const prod = product ? ` of ${product}` : '';
  const v = f.duration.value;
  let by;
  if (v === 'eod') by = 'before 6 pm';
  else if (v === 'custom') {
    const t = Date.parse($('i-ends').value);
    by = Number.isNaN(t) ? '' : `before ${dateFormat({ hour: 'numeric', minute: '2-digit' }).format(new Date(t))}`;
  } else by = `in the next ${durationWords(Number(v) * 60000)}`;
  return `${who} ${what}${prod}${by ? ' ' + by : ''} win ${intFmt.format(pts)} points`;
}

export function syncIncentiveForm() {
  const f = $('incentive-form').elements;
  // "Until 6 pm" only while 6 pm is ahead by a useful margin.
  const sixPm = new Date();
  sixPm.setHours(18, 0, 0, 0);
  const late = sixPm.getTime() - Date.now() < 10 * 60000;
  $('i-eod').hidden = late;
  if (late && f.duration.value === 'eod') f.duration.value = '30';
  const custom = f.duration.value === 'custom';
  $('i-ends-field').hidden = !custom;
  if (custom && !$('i-ends').value) $('i-ends').value = localInputValue(Date.now() + 3600000);
  if (!titleEdited) $('i-title').value = suggestedTitle();
}

export function resetIncentiveForm() {
  const form = $('incentive-form');
  form.reset();
  clearErrors(form);
  titleEdited = false;
  incentiveKey = null;
  syncIncentiveForm();
}

function incentiveBody() {
  const f = $('incentive-form').elements;
  const body = {
    title: f.title.value,
    condition: { type: 'deal.won' },
    reward_points: numOrNull(f.reward_points.value),
    max_winners: numOrNull(f.max_winners.value),
  };
  const min = numOrNull(f.min_amount.value);
  if (min !== null) body.condition.min_amount = min;
  const product = f.product.value.trim();
  if (product) body.condition.product = product;
  if (body.reward_points === null) delete body.reward_points;
  if (body.max_winners === null) delete body.max_winners;
  const ms = durationMs();
  if (ms !== null) body.ends_at = new Date(Date.now() + ms).toISOString();
  const teams = ids(f.teams.value);
  const reps = ids(f.reps.value);
  if (teams.length || reps.length) body.audience = { teams, reps };
  return body;
}

async function submitIncentive(ev) {
  ev.preventDefault();
  const form = $('incentive-form');
  await busy($('incentive-submit'), async () => {
    const body = incentiveBody();
    // ends_at moves with the clock: the retry of the same launch is recognised without it.
    const { ends_at: _ignored, ...same } = body;
    const text = JSON.stringify(same);
    if (!incentiveKey || incentiveKey.body !== text) incentiveKey = { body: text, key: newKey('mgr-') };
    try {
      const inc = await api('POST', '/incentives', body, { key: incentiveKey.key });
      incentives.set(inc.id, inc);
      watch(inc.id);
      resetIncentiveForm();
      renderIncentives();
      toast(`Launched: ${inc.title}`);
      $('watch-h').focus();
    } catch (err) {
      if (err.status !== 0) incentiveKey = null;
      if (err.field && err.field.startsWith('audience') && !$('i-more').open) $('i-more').open = true;
      if (err.field === 'condition.product') $('i-more').open = true;
      showError(form, err, 'The incentive was not launched');
    }
  });
}

let loadingIncentives = null;

export function loadIncentives() {
  if (loadingIncentives) return loadingIncentives;
  loadingIncentives = (async () => {
    try {
      const [open, scheduled, closed] = await Promise.all([
        api('GET', '/incentives?status=open&limit=100'),
        api('GET', '/incentives?status=scheduled&limit=100'),
        api('GET', '/incentives?status=closed&limit=10'),
      ]);
      incentives.clear();
      for (const i of [...(open.items || []), ...(scheduled.items || []), ...(closed.items || [])]) incentives.set(i.id, i);
      if (!watchedId) {
        const first = [...incentives.values()].find((i) => i.status === 'open');
        if (first) watchedId = first.id;
      }
      renderIncentives();
      lookupWinnerNames();
    } catch (err) {
      if (err.status !== 401) console.warn('bullpen manage: incentives', err.message);
    } finally {
      loadingIncentives = null;
    }
  })();
  return loadingIncentives;
}

/** Reads one incentive again (its winners, as the ledger has them), soon. */
export function refreshIncentive(id, delay = 250) {
  if (refreshQueued.has(id)) return;
  refreshQueued.set(id, setTimeout(async () => {
    refreshQueued.delete(id);
    try {
      const inc = await api('GET', `/incentives/${encodeURIComponent(id)}`);
      incentives.set(inc.id, inc);
      renderIncentives();
      lookupWinnerNames();
    } catch { /* the next poll tries again */ }
  }, delay));
}

function lookupWinnerNames() {
  for (const inc of incentives.values()) {
    for (const w of inc.winners || []) lookupRep(w.rep_id);
  }
}

function lookupRep(repId) {
  if (!repId || repNames.has(repId) || repLookups.has(repId)) return;
  repLookups.set(repId, api('GET', `/reps/${encodeURIComponent(repId)}`).then((r) => {
    if (r && r.name) repNames.set(repId, r.name);
    renderWatch();
  }, () => repLookups.delete(repId)));
}

function watch(id) {
  watchedId = id;
  renderIncentives();
}

/**
 * The status now, moving only forward from what the server said: this clock may run a few
 * milliseconds behind the server's, and an incentive the server calls open is never shown
 * as "starts in 0:00".
 */
function statusNow(inc) {
  if (inc.status === 'closed') return 'closed';
  const t = now();
  if (inc.ended_at && t >= Date.parse(inc.ended_at)) return 'closed';
  if (t >= Date.parse(inc.ends_at)) return 'closed';
  if (inc.status === 'open') return 'open';
  return t < Date.parse(inc.starts_at) ? 'scheduled' : 'open';
}

const liveWinners = (inc) => (inc.winners || []).filter((w) => !w.clawed_back_at);

function incentiveRule(inc) {
  const c = inc.condition || {};
  const parts = [c.min_amount ? `Deals of ${money.format(c.min_amount)} or more` : 'Any won deal'];
  if (c.product) parts.push(`product ${c.product}`);
  parts.push(`${points(inc.reward_points)} each`);
  parts.push(`${inc.max_winners} ${inc.max_winners === 1 ? 'winner' : 'winners'}`);
  const a = inc.audience || {};
  const who = [...(a.teams || []).map((t) => `team ${t}`), ...(a.reps || [])];
  if (who.length) parts.push(`open to ${who.join(', ')}`);
  return parts.join(' · ');
}

export function renderIncentives() {
  const all = [...incentives.values()];
  for (const i of all) i.status = statusNow(i);
  const order = { open: 0, scheduled: 1, closed: 2 };
  all.sort((a, b) => (order[a.status] - order[b.status]) || (Date.parse(b.created_at || b.starts_at) - Date.parse(a.created_at || a.starts_at)));
  const openCount = all.filter((i) => i.status === 'open').length;
  setCount('count-incentives', openCount, 'open');
  const list = $('inc-list');
  list.replaceChildren(...all.slice(0, 20).map((inc) => {
    const won = liveWinners(inc).length;
    const watching = inc.id === watchedId;
    return h('li', { class: 'inc-item' + (watching ? ' watching' : '') },
      h('div', { class: 'inc-main' },
        h('p', { class: 'inc-title' }, h('span', { text: inc.title }), ' ', statusTag(inc.status)),
        h('p', { class: 'muted small' },
          `${won} of ${inc.max_winners} won · `,
          inc.status === 'open' ? `ends ${ago(inc.ends_at)}` : inc.status === 'scheduled' ? `starts ${ago(inc.starts_at)}` : `closed ${ago(inc.ended_at || inc.ends_at)}`),
      ),
      h('button', { type: 'button', class: 'btn btn-small', 'aria-pressed': String(watching), onclick: () => { watch(inc.id); $('watch-h').focus(); } },
        watching ? 'Watching' : 'Watch', h('span', { class: 'sr-only', text: ` ${inc.title}` })),
    );
  }));
  $('inc-empty').hidden = all.length > 0;
  renderWatch();
}

function renderWatch() {
  const inc = watchedId && incentives.get(watchedId);
  $('watch-empty').hidden = !!inc;
  $('watch-body').hidden = !inc;
  const tag = $('watch-status');
  if (!inc) {
    tag.replaceChildren();
    return;
  }
  inc.status = statusNow(inc);
  tag.replaceChildren(statusTag(inc.status));
  $('watch-title').textContent = inc.title;
  $('watch-rule').textContent = incentiveRule(inc);
  const won = liveWinners(inc).length;
  $('watch-places').textContent = won >= inc.max_winners ? `${won} of ${inc.max_winners}, all won` : `${won} of ${inc.max_winners}`;
  $('watch-meter').style.width = `${Math.min(100, (won / Math.max(1, inc.max_winners)) * 100)}%`;
  $('watch-end').hidden = inc.status === 'closed';
  renderCountdown();
  const list = $('winners');
  const winners = inc.winners || [];
  const existing = new Map([...list.children].map((li) => [li.dataset.key, li]));
  let place = 0;
  const items = winners.map((w) => {
    const key = `${w.rep_id}|${w.deal_id}`;
    const clawed = !!w.clawed_back_at;
    if (!clawed) place++;
    const li = h('li', { class: 'winner' + (clawed ? ' clawed' : '') + (existing.size && !existing.has(key) ? ' fresh' : ''), 'data-key': key },
      h('span', { class: 'winner-place', 'aria-hidden': 'true', text: clawed ? '–' : `#${place}` }),
      h('span', { class: 'winner-name' },
        h('strong', { text: repName(w.rep_id) }),
        repName(w.rep_id) !== w.rep_id ? h('span', { class: 'muted small', text: w.rep_id }) : null),
      h('span', { class: 'muted small winner-deal', title: `deal ${w.deal_id}`, text: `deal ${w.deal_id}` }),
      h('span', { class: 'winner-when small', text: w.won_at ? timeFmt.format(new Date(w.won_at)) : '' }),
      clawed
        ? h('span', { class: 'status-tag st-cancelled' }, h('span', { 'aria-hidden': 'true', text: '↺' }), ' Clawed back')
        : h('span', { class: 'winner-points', text: `+${intFmt.format(inc.reward_points)}` }),
    );
    return li;
  });
  list.replaceChildren(...items);
  $('winners-empty').hidden = winners.length > 0;
}

export function renderCountdown() {
  const inc = watchedId && incentives.get(watchedId);
  if (!inc || $('watch-body').hidden) return;
  const status = statusNow(inc);
  if (status !== inc.status) {
    renderIncentives();
    return;
  }
  const left = $('watch-left');
  const label = $('watch-left-label');
  if (status === 'scheduled') {
    label.textContent = 'Starts in';
    left.textContent = countdown(Date.parse(inc.starts_at) - now());
  } else if (status === 'open') {
    label.textContent = 'Time left';
    left.textContent = countdown(Date.parse(inc.ends_at) - now());
  } else {
    label.textContent = 'Closed';
    left.textContent = timeFmt.format(new Date(inc.ended_at || inc.ends_at));
  }
}

async function endWatched() {
  const inc = watchedId && incentives.get(watchedId);
  if (!inc) return;
  if (!await confirmAction(`End "${inc.title}" now?`, 'No further deal can win it. The winners so far keep their points.', 'End incentive')) return;
  await busy($('watch-end'), async () => {
    try {
      const i = await api('POST', `/incentives/${encodeURIComponent(inc.id)}/end`);
      incentives.set(i.id, i);
      renderIncentives();
      toast(`"${i.title}" is closed.`);
    } catch (err) {
      toast(`The incentive was not ended: ${err.message}`, 'err');
    }
  });
}

/** Whether the incentive with this id is the one being watched. */
export const isWatched = (id) => id === watchedId;

/** For the test hook. */
export const watching = () => watchedId;

/** The suggested title follows the currency, unless the manager wrote their own. */
export function followCurrency() {
  if (!titleEdited) syncIncentiveForm();
}

/** Forgets the incentives of a token that signed out. */
export function resetIncentives() {
  for (const t of refreshQueued.values()) clearTimeout(t);
  refreshQueued.clear();
  repLookups.clear();
  incentives.clear();
  watchedId = null;
}

/** The launch form, the watched incentive's end button and the refresh button. */
export function wireIncentives() {
  const inf = $('incentive-form');
  inf.addEventListener('submit', submitIncentive);
  inf.addEventListener('input', (ev) => {
    if (ev.target.id === 'i-title') titleEdited = ev.target.value.trim() !== '';
    else syncIncentiveForm();
  });
  inf.addEventListener('change', (ev) => {
    if (ev.target.id !== 'i-title') syncIncentiveForm();
  });
  $('watch-end').addEventListener('click', endWatched);
  $('incentives-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, loadIncentives));
}
