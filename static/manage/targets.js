// Targets: a period's target sets with their attainment now (GET /targets): each set's team
// line (its own target, or the sum of its reps') and its reps' rows with value, percent, pace
// and what is needed per day; and removing a target or a whole set (DELETE /targets, one
// target at a time: a set goes with its last one). Importing is target-import.js.
import { METRICS, Money } from '../shared/format.js';
import { $, h } from '../shared/page.js';
import { monthKey, pctText, periodName, quarterKey, reached, share } from '../shared/targets.js';
import { scoreText } from './format.js';
import { busy, clearErrors, showError } from './forms.js';
import { api, money } from './state.js';
import { confirmAction, toast } from './ui.js';

let rows = [];       // GET /targets of the period on screen
let shownPeriod = '';
let loadSeq = 0;

/** The period the picker names ("2026-07" or "2026-Q3"). */
function pickedPeriod() {
  const form = $('target-period-form');
  return form.elements.kind.value === 'quarter' ? $('tp-quarter').value : $('tp-month').value;
}

function syncPicker() {
  const quarter = $('target-period-form').elements.kind.value === 'quarter';
  $('tp-month-field').hidden = quarter;
  $('tp-quarter-field').hidden = !quarter;
}

/** Puts the picker on period (a month or a quarter key) and shows it. */
export function showPeriod(period) {
  const form = $('target-period-form');
  const quarter = /-Q[1-4]$/.test(period);
  form.elements.kind.value = quarter ? 'quarter' : 'month';
  if (quarter) {
    if (![...$('tp-quarter').options].some((o) => o.value === period)) $('tp-quarter').append(h('option', { value: period, text: periodName(period) }));
    $('tp-quarter').value = period;
  } else {
    $('tp-month').value = period;
  }
  syncPicker();
  return loadTargets();
}

/** Reads the targets of the period on the picker. */
export async function loadTargets() {
  const period = pickedPeriod();
  const form = $('target-period-form');
  if (!period) return;
  const mine = ++loadSeq;
  const box = $('target-sets');
  box.setAttribute('aria-busy', 'true');
  try {
    const body = await api('GET', `/targets?period=${encodeURIComponent(period)}`);
    if (mine !== loadSeq) return;
    clearErrors(form);
    rows = body.items || [];
    shownPeriod = period;
  } catch (err) {
    if (mine === loadSeq) showError(form, err, 'Targets not shown');
    return;
  } finally {
    if (mine === loadSeq) box.setAttribute('aria-busy', 'false');
  }
  render();
}

/** The rows grouped by set (period, metric, team), in the API's order. */
function sets() {
  const out = new Map();
  for (const r of rows) {
    const key = `${r.period}|${r.metric}|${r.team_id}`;
    if (!out.has(key)) out.set(key, { period: r.period, metric: r.metric, team_id: r.team_id, timezone: r.timezone, team: null, reps: [] });
    const set = out.get(key);
    if (r.rep_id) set.reps.push(r);
    else set.team = r;
  }
  return [...out.values()];
}

const cents = new Money('USD', { minDigits: 2, maxDigits: 2 });

/** A figure of metric: money in whole units, or with its cents when it has some. */
function amount(metric, v) {
  const n = Number(v) || 0;
  if (metric !== 'revenue' || Number.isInteger(n)) return scoreText(metric, n);
  cents.set(money.code);
  return cents.format(n);
}

const setName = (s) => `Team ${s.team_id} · ${METRICS[s.metric] || s.metric} · ${periodName(s.period)}`;
const rowName = (r) => (r.rep_id ? r.name || r.rep_id : 'Team total');

function meter(r) {
  const bar = h('span', { class: 'tmeter-bar' });
  bar.style.width = `${(share(r.pct) * 100).toFixed(2)}%`;
  return h('span', { class: 'tmeter' + (reached(r.pct) ? ' reached' : ''), 'aria-hidden': 'true' }, bar);
}

function targetRow(s, r) {
  const team = !r.rep_id;
  const who = team
    ? [h('strong', { text: 'Team total' }), ' ', h('span', { class: 'muted small', text: r.derived ? 'sum of the reps\' targets' : 'the team\'s own target' })]
    : [h('strong', { text: rowName(r) }), ' ', h('span', { class: 'muted small', text: r.rep_id })];
  const what = team ? `the team target of ${s.team_id}` : `the target of ${rowName(r)}`;
  return h('tr', { class: team ? 'team-line' : '', 'data-rep': r.rep_id || '' },
    h('th', { scope: 'row' }, ...who),
    h('td', { class: 'num', text: amount(s.metric, r.target) }),
    h('td', { class: 'num', text: amount(s.metric, r.value) }),
    h('td', { class: 'attain' }, meter(r), h('span', { class: 'pct', text: pctText(r.pct, 2) })),
    h('td', { class: 'num', text: r.projected === undefined ? '—' : amount(s.metric, r.projected) }),
    h('td', { class: 'num', text: r.needed_per_day === undefined ? '—' : amount(s.metric, r.needed_per_day) }),
    h('td', { class: 'actions' }, team && r.derived ? null : h('button', {
      type: 'button', class: 'btn btn-danger-quiet btn-small', 'aria-label': `Delete ${what} (${METRICS[s.metric] || s.metric}, ${periodName(s.period)})`,
      onclick: (ev) => busy(ev.currentTarget, () => removeRows(s, [r], `Delete ${what}?`)),
    }, 'Delete')));
}

function setSection(s) {
  const title = setName(s);
  const own = s.team && !s.team.derived ? [s.team] : [];
  return h('section', { class: 'target-set', 'aria-label': title, 'data-set': `${s.period}|${s.metric}|${s.team_id}` },
    h('div', { class: 'card-head' },
      h('h3', { class: 'sub-h', text: title }),
      h('span', { class: 'muted small', text: s.timezone }),
      h('button', {
        type: 'button', class: 'btn btn-danger-quiet btn-small', 'aria-label': `Delete the set ${title}`,
        onclick: (ev) => busy(ev.currentTarget, () => removeRows(s, [...s.reps, ...own], `Delete every target of ${title}?`)),
      }, 'Delete set')),
    h('div', { class: 'table-scroll' },
      h('table', { class: 'table target-table' },
        h('caption', { class: 'sr-only', text: title }),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col', text: 'Who' }),
          h('th', { scope: 'col', class: 'num', text: 'Target' }),
          h('th', { scope: 'col', class: 'num', text: 'So far' }),
          h('th', { scope: 'col', text: 'Attainment' }),
          h('th', { scope: 'col', class: 'num', text: 'Projected' }),
          h('th', { scope: 'col', class: 'num', text: 'Needed/day' }),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only', text: 'Actions' })))),
        h('tbody', {}, ...(s.team ? [targetRow(s, s.team)] : []), ...s.reps.map((r) => targetRow(s, r))))));
}

function render() {
  const list = sets();
  $('target-sets').replaceChildren(...list.map(setSection));
  $('targets-empty').hidden = list.length > 0;
  $('targets-empty').textContent = `No target for ${periodName(shownPeriod)} yet.`;
}

/** Deletes rows of set s one by one after asking, then reads the list again. */
async function removeRows(s, targets, question) {
  if (!targets.length) return;
  const n = targets.length;
  const ok = await confirmAction(question, `${n === 1 ? 'The target goes' : `${n} targets go`}; the deals stay in the ledger. A set goes with its last target.`, 'Delete');
  if (!ok) return;
  let done = 0;
  try {
    for (const r of targets) {
      const q = new URLSearchParams({ period: s.period, metric: s.metric, team_id: s.team_id });
      if (r.rep_id) q.set('rep_id', r.rep_id);
      await api('DELETE', `/targets?${q}`);
      done++;
    }
    toast(n === 1 ? 'Target deleted.' : `${n} targets deleted.`);
  } catch (err) {
    toast(`${done} of ${n} deleted, then: ${err.message}`, 'err');
  }
  await loadTargets();
}

/** For the test hook: the rows on screen. */
export function targetsState() {
  return {
    targetsPeriod: shownPeriod || null,
    targets: rows.map((r) => ({ metric: r.metric, team_id: r.team_id, rep_id: r.rep_id || null, name: r.name || null, target: r.target,
      value: r.value, pct: r.pct, derived: !!r.derived })),
  };
}

/** The section shown: its list read again. */
export function showTargets() {
  loadTargets();
}

/** Forgets the rows of a token that signed out. */
export function resetTargets() {
  rows = [];
  shownPeriod = '';
  loadSeq++;
  $('target-sets').replaceChildren();
  $('targets-empty').hidden = true;
}

export function wireTargets() {
  const now = new Date();
  $('tp-month').value = monthKey(now);
  const year = now.getFullYear();
  for (let y = year - 1; y <= year + 1; y++) {
    for (let q = 1; q <= 4; q++) $('tp-quarter').append(h('option', { value: `${y}-Q${q}`, text: `Q${q} ${y}` }));
  }
  $('tp-quarter').value = quarterKey(now);
  const form = $('target-period-form');
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadTargets();
  });
  form.addEventListener('change', () => {
    syncPicker();
    loadTargets();
  });
  $('targets-refresh').addEventListener('click', loadTargets);
}
