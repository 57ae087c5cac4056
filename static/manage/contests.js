// Contests: the form that creates one (weights, prizes, participants, its time zone), the list
// by status, and ending or cancelling one.
import { newKey } from '../shared/api.js';
import { METRICS } from '../shared/format.js';
import { $, h } from '../shared/page.js';
import { PERIODS, browserZone, intFmt, scoreText, wallToRFC3339, whenIn, zonedInputValue } from './format.js';
import { busy, clearErrors, ids, numOrNull, showError } from './forms.js';
import { showPeriods } from './history.js';
import { api, contests, money } from './state.js';
import { renderPairingContests } from './tokens.js';
import { confirmAction, setCount, statusTag, toast } from './ui.js';

let contestFilter = 'live';

const WEIGHT_PRESETS = [
  { key: 'deal.won', label: 'Won deal', value: '10' },
  { key: 'call', label: 'Call', value: '1' },
  { key: 'email', label: 'Email', value: '' },
  { key: 'meeting', label: 'Meeting', value: '5' },
  { key: 'demo', label: 'Demo', value: '8' },
  { key: 'revenue_per_point', label: 'Revenue per point', value: '', money: true },
];

let weightSeq = 0;

function weightRow(preset) {
  const n = ++weightSeq;
  const id = `w-${n}`;
  const row = h('div', { class: 'weight-row', 'data-error-box': '' });
  if (preset) {
    const label = preset.money ? `${preset.label} (${money.code})` : `${preset.label}`;
    row.append(
      h('label', { for: id, class: preset.money ? 'money-label' : null, 'data-base': preset.money ? preset.label : null, text: label }),
      h('input', { id, type: 'number', min: '0', step: 'any', inputmode: 'decimal', value: preset.value, 'data-weight': preset.key, 'data-field': `weights.${preset.key}`, placeholder: preset.money ? 'off' : '—' }),
    );
  } else {
    const nameId = `wn-${n}`;
    const nameInput = h('input', { id: nameId, type: 'text', maxlength: '40', autocomplete: 'off', spellcheck: 'false', placeholder: 'activity, e.g. proposal', 'aria-label': 'Activity name', class: 'weight-name' });
    const valueInput = h('input', { id, type: 'number', min: '0', step: 'any', inputmode: 'decimal', 'data-weight': '', 'aria-label': 'Points for this activity' });
    const sync = () => {
      const key = nameInput.value.trim();
      valueInput.dataset.weight = key;
      valueInput.dataset.field = key ? `weights.${key}` : 'weights.';
      valueInput.setAttribute('aria-label', key ? `Points per ${key}` : 'Points for this activity');
    };
    nameInput.addEventListener('input', sync);
    sync();
    row.append(nameInput, valueInput,
      h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': 'Remove this activity', onclick: () => { row.remove(); $('add-weight').focus(); } }, 'Remove'));
  }
  return row;
}

let prizeSeq = 0;

function prizeRow(rank, pts) {
  const n = ++prizeSeq;
  const row = h('div', { class: 'prize-row', 'data-error-box': '' });
  const rankInput = h('input', { id: `pr-${n}`, type: 'number', min: '1', step: '1', value: rank, class: 'prize-rank' });
  const ptsInput = h('input', { id: `pp-${n}`, type: 'number', min: '1', step: '1', value: pts ?? '', class: 'prize-points', placeholder: 'points' });
  row.append(
    h('label', { for: rankInput.id, text: 'Rank' }), rankInput,
    h('label', { for: ptsInput.id, text: 'Points' }), ptsInput,
    h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': `Remove this prize`, onclick: () => { row.remove(); $('add-prize').focus(); } }, 'Remove'),
  );
  return row;
}

let ownReset = false;

/** Empties the contest form to its defaults (fromReset: the form's own reset already ran). */
export function resetContestForm(fromReset) {
  const form = $('contest-form');
  if (fromReset !== true) {
    ownReset = true;
    form.reset();
    ownReset = false;
  }
  clearErrors(form);
  $('weight-rows').replaceChildren(...WEIGHT_PRESETS.map(weightRow));
  $('prize-rows').replaceChildren(prizeRow(1, 500), prizeRow(2, 250), prizeRow(3, 100));
  $('c-tz').value = browserZone;
  // Today from midnight: deals already made today count (events before a contest's
  // creation count too).
  const start = new Date();
  start.setHours(0, 0, 0, 0);
  const end = new Date(start.getTime());
  end.setDate(end.getDate() + 7);
  $('c-starts').value = zonedInputValue(start.getTime(), browserZone);
  $('c-ends').value = zonedInputValue(end.getTime(), browserZone);
  $('c-max-winners').value = '1';
  contestKey = null;
  syncContestForm();
}

export function syncContestForm() {
  const form = $('contest-form');
  const kind = form.elements.kind.value;
  const metric = form.elements.metric.value;
  for (const el of form.querySelectorAll('[data-when]')) {
    const w = el.dataset.when;
    el.hidden = !((w === 'race' && kind === 'race') || (w === 'leaderboard' && kind !== 'race') || (w === 'points' && metric === 'points'));
  }
  $('c-target-label').textContent = metric === 'revenue' ? `Target (${money.code})` : `Target (${(METRICS[metric] || 'score').toLowerCase()})`;
}

let contestKey = null; // {body, key}: reused while the same body is retried

function contestBody() {
  const form = $('contest-form');
  const f = form.elements;
  const kind = f.kind.value;
  const metric = f.metric.value;
  const tz = f.timezone.value.trim();
  const zone = tz || 'UTC';
  const body = {
    name: f.name.value,
    kind,
    metric,
    scope: f.scope.value,
    timezone: tz,
  };
  const starts = wallToRFC3339(f.starts_at.value, zone);
  if (starts) body.starts_at = starts;
  const ends = wallToRFC3339(f.ends_at.value, zone);
  if (ends) body.ends_at = ends;
  if (kind === 'race') {
    const target = numOrNull(f.target.value);
    if (target !== null) body.target = target;
    const mw = numOrNull(f.max_winners.value);
    if (mw !== null) body.max_winners = mw;
  } else {
    body.period = f.period.value;
  }
  if (metric === 'points') {
    const weights = {};
    for (const input of $('weight-rows').querySelectorAll('input[data-weight]')) {
      const v = numOrNull(input.value);
      const key = input.dataset.weight;
      if (v === null) continue;
      weights[key] = v;
    }
    body.weights = weights;
  }
  const teams = ids(f.teams.value);
  const reps = ids(f.reps.value);
  if (teams.length || reps.length) body.participants = { teams, reps };
  // Prizes: the rows with points, in order; each row learns the index it was sent at, so
  // that an error on "prizes.1.points" lands on the right input.
  const prizes = [];
  for (const row of $('prize-rows').querySelectorAll('.prize-row')) {
    const rank = row.querySelector('.prize-rank');
    const pts = row.querySelector('.prize-points');
    delete rank.dataset.field;
    delete pts.dataset.field;
    if (String(pts.value).trim() === '' && String(rank.value).trim() === '') continue;
    const i = prizes.length;
    rank.dataset.field = `prizes.${i}.rank`;
    pts.dataset.field = `prizes.${i}.points`;
    prizes.push({ rank: numOrNull(rank.value), points: numOrNull(pts.value) });
  }
  body.prizes = prizes;
  const min = numOrNull(f.min_score.value);
  if (min !== null) body.min_score = min;
  return body;
}

async function submitContest(ev) {
  ev.preventDefault();
  const form = $('contest-form');
  await busy($('contest-submit'), async () => {
    const body = contestBody();
    const text = JSON.stringify(body);
    if (!contestKey || contestKey.body !== text) contestKey = { body: text, key: newKey('mgr-') };
    try {
      const c = await api('POST', '/contests', body, { key: contestKey.key });
      contests.set(c.id, c);
      resetContestForm();
      contestFilter = filterOf(c.status);
      renderContests(c.id);
      toast(`Contest "${c.name}" created (${c.status}).`);
    } catch (err) {
      if (err.status !== 0) contestKey = null; // an answer: a new attempt is a new request
      showError(form, err, 'The contest was not created');
    }
  });
}

export async function loadContests() {
  try {
    const body = await api('GET', '/contests?limit=500');
    contests.clear();
    for (const c of body.items || []) contests.set(c.id, c);
    renderContests();
    renderPairingContests();
  } catch (err) {
    if (err.status !== 401) console.warn('bullpen manage: contests', err.message);
  }
}

const filterOf = (status) => (status === 'final' ? 'ended' : status);

/** The contest's window on its own zone's clock, as the manager typed it. */
function contestWindow(c) {
  const starts = whenIn(c.starts_at, c.timezone);
  const ends = c.ends_at ? whenIn(c.ends_at, c.timezone) : 'open-ended';
  return `${starts} – ${ends}`;
}

function contestRule(c) {
  const parts = [c.kind === 'race' ? 'Race' : 'Leaderboard', METRICS[c.metric] || c.metric];
  if (c.scope === 'team') parts.push('teams');
  if (c.kind === 'race' && c.target !== undefined) parts.push(`to ${scoreText(c.metric, c.target)}`);
  if (PERIODS[c.period]) parts.push(PERIODS[c.period]);
  return parts.join(' · ');
}

export function renderContests(highlight) {
  const list = $('contest-list');
  list.setAttribute('aria-busy', 'false');
  const counts = { live: 0, scheduled: 0, ended: 0, cancelled: 0 };
  for (const c of contests.values()) counts[filterOf(c.status)] = (counts[filterOf(c.status)] || 0) + 1;
  for (const b of $('contest-filter').querySelectorAll('button')) {
    b.setAttribute('aria-pressed', String(b.dataset.filter === contestFilter));
    b.querySelector('.n').textContent = counts[b.dataset.filter] ? `(${counts[b.dataset.filter]})` : '';
  }
  setCount('count-contests', counts.live, 'live');
  const shown = [...contests.values()].filter((c) => filterOf(c.status) === contestFilter)
    .sort((a, b) => Date.parse(b.created_at || 0) - Date.parse(a.created_at || 0));
  list.replaceChildren(...shown.map((c) => {
    const actions = h('div', { class: 'row-actions' });
    if (c.status !== 'scheduled') {
      actions.append(h('button', { type: 'button', class: 'btn btn-small btn-quiet', 'aria-label': `Periods of ${c.name}`, onclick: () => showPeriods(c) }, 'Periods'));
    }
    if (c.status === 'live') {
      actions.append(h('button', { type: 'button', class: 'btn btn-small', onclick: (e) => endContest(c, e.currentTarget) }, 'End now'));
    }
    if (['live', 'scheduled', 'ended'].includes(c.status)) {
      actions.append(h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', onclick: (e) => cancelContest(c, e.currentTarget) }, 'Cancel'));
    }
    const prizes = (c.prizes || []).length
      ? `Prizes: ${c.prizes.map((p) => `#${p.rank} ${intFmt.format(p.points)}`).join(', ')} points`
      : 'No prizes';
    return h('li', { class: 'contest-item' + (c.id === highlight ? ' fresh' : ''), 'data-id': c.id },
      h('div', { class: 'contest-main' },
        h('p', { class: 'contest-name' }, h('span', { text: c.name }), ' ', statusTag(c.status)),
        h('p', { class: 'muted small', text: contestRule(c) }),
        h('p', { class: 'muted small' }, h('span', { text: contestWindow(c) }), ' · ', h('span', { text: c.timezone }), ' · ', h('span', { text: prizes })),
      ),
      actions,
    );
  }));
  const empty = $('contest-empty');
  empty.hidden = shown.length > 0;
  empty.textContent = contests.size ? `No ${contestFilter} contest.` : 'No contest yet: create the first one with the form.';
}

async function endContest(c, button) {
  if (!await confirmAction(`End "${c.name}" now?`, 'It stops counting deals now; late events still count during the grace period, then prizes are paid.', 'End now')) return;
  await busy(button, async () => {
    try {
      const k = await api('POST', `/contests/${encodeURIComponent(c.id)}/end`);
      contests.set(k.id, k);
      contestFilter = filterOf(k.status);
      renderContests(k.id);
      toast(`"${k.name}" ended.`);
    } catch (err) {
      toast(`"${c.name}" was not ended: ${err.message}`, 'err');
    }
  });
}

async function cancelContest(c, button) {
  if (!await confirmAction(`Cancel "${c.name}"?`, 'A cancelled contest pays no prizes. It stays in the list for the record.', 'Cancel contest')) return;
  await busy(button, async () => {
    try {
      const k = await api('POST', `/contests/${encodeURIComponent(c.id)}/cancel`);
      contests.set(k.id, k);
      renderContests();
      toast(`"${k.name}" cancelled.`);
    } catch (err) {
      toast(`"${c.name}" was not cancelled: ${err.message}`, 'err');
    }
  });
}

/** The contest form, the filter and the refresh button. */
export function wireContests() {
  const cf = $('contest-form');
  cf.addEventListener('submit', submitContest);
  cf.addEventListener('reset', () => {
    if (!ownReset) setTimeout(() => resetContestForm(true), 0);
  });
  cf.addEventListener('change', (ev) => {
    if (['kind', 'metric'].includes(ev.target.name)) syncContestForm();
  });
  $('add-weight').addEventListener('click', () => {
    const row = weightRow(null);
    $('weight-rows').append(row);
    row.querySelector('input').focus();
  });
  $('add-prize').addEventListener('click', () => {
    const rows = $('prize-rows').querySelectorAll('.prize-rank');
    const next = rows.length ? Math.max(...[...rows].map((r) => Number(r.value) || 0)) + 1 : 1;
    const row = prizeRow(next, '');
    $('prize-rows').append(row);
    row.querySelector('.prize-points').focus();
  });
  $('contest-filter').addEventListener('click', (ev) => {
    const b = ev.target.closest('button[data-filter]');
    if (!b) return;
    contestFilter = b.dataset.filter;
    renderContests();
  });
  $('contests-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, loadContests));

  const tzList = $('tz-list');
  try {
    const zones = Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : [];
    tzList.replaceChildren(...['UTC', ...zones].map((z) => h('option', { value: z })));
  } catch { /* typing a zone still works */ }
}
