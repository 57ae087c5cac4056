// Coaching: pick a period and a rep; the rep's figures against its team's median, then the
// whole team side by side (GET /reps/{id}/coaching, GET /teams/{id}/coaching).
import { belowTag, figureText, figures, rangeText, valueOf } from '../shared/coaching.js';
import { $, h } from '../shared/page.js';
import { clearErrors, showError } from './forms.js';
import { searchReps } from './points.js';
import { api, repNames } from './state.js';

let selected = '';      // the rep_id on screen
let mine = null;        // GET /reps/{id}/coaching
let team = null;        // GET /teams/{id}/coaching, of mine's team
let loadSeq = 0;
let searchTimer = 0;

/** ?from=&to= of the period form (empty: the server's default, this month). */
function rangeQuery() {
  const q = new URLSearchParams();
  for (const k of ['from', 'to']) {
    const v = $(`coach-${k}`).value;
    if (v) q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

function renderResults(items) {
  $('coach-results').replaceChildren(...items.map((r) => h('li', {},
    h('button', {
      type: 'button', class: 'rep-result' + (selected === r.rep_id ? ' selected' : ''), 'data-rep': r.rep_id,
      'aria-pressed': String(selected === r.rep_id), onclick: () => pick(r.rep_id),
    }, h('strong', { text: r.name || r.rep_id }), h('span', { class: 'muted small', text: ` ${r.rep_id}${r.team_id ? ' · ' + r.team_id : ''}` })))));
  $('coach-results-status').textContent = items.length ? `${items.length} ${items.length === 1 ? 'rep' : 'reps'} found` : 'No rep found';
}

function search() {
  searchReps($('coach-q').value.trim(), renderResults, (err) => {
    $('coach-results-status').textContent = `Search failed: ${err.message}`;
  });
}

async function pick(repId) {
  selected = repId;
  for (const b of $('coach-results').querySelectorAll('.rep-result')) {
    const on = b.dataset.rep === repId;
    b.classList.toggle('selected', on);
    b.setAttribute('aria-pressed', String(on));
  }
  await load();
}

/** Reads the rep's figures and its team's for the period on the form. */
async function load() {
  if (!selected) return;
  const mineSeq = ++loadSeq;
  const form = $('coach-range-form');
  const q = rangeQuery();
  try {
    const rep = await api('GET', `/reps/${encodeURIComponent(selected)}/coaching${q}`);
    const side = rep.team_id ? await api('GET', `/teams/${encodeURIComponent(rep.team_id)}/coaching${q}`) : null;
    if (mineSeq !== loadSeq) return;
    clearErrors(form);
    mine = rep;
    team = side;
    if (rep.name) repNames.set(rep.rep_id, rep.name);
  } catch (err) {
    if (mineSeq !== loadSeq) return;
    showError(form, err, 'Figures not shown');
    return;
  }
  render();
}

function render() {
  $('coach-empty').hidden = !!mine;
  $('coach-body').hidden = !mine;
  $('coach-team').hidden = !team;
  if (!mine) return;
  $('coach-rep-h').textContent = mine.name || mine.rep_id;
  $('coach-col-rep').textContent = mine.name || mine.rep_id;
  $('coach-range').textContent = rangeText(mine);
  $('coach-meta').textContent = mine.team_id
    ? `${mine.rep_id} · team ${mine.team_id}, ${mine.team_size} ${mine.team_size === 1 ? 'rep' : 'reps'}`
    : `${mine.rep_id} · no team: no median to compare with`;
  const below = new Set(mine.below_median || []);
  $('coach-rows').replaceChildren(...figures(mine).map((fig) => h('tr', { 'data-figure': fig.key },
    h('th', { scope: 'row', text: fig.label }),
    h('td', { class: 'num' + (below.has(fig.key) ? ' below' : ''), text: figureText(mine, fig, valueOf(mine.figures, fig.key)) }),
    h('td', { class: 'num', text: mine.team_median ? figureText(mine, fig, valueOf(mine.team_median, fig.key)) : '—' }),
    h('td', {}, below.has(fig.key) ? belowTag() : null))));
  renderTeam();
}

function renderTeam() {
  if (!team) return;
  const figs = figures(team);
  $('coach-team-h').textContent = `Team ${team.team_id} side by side · ${rangeText(team)}`;
  $('coach-team-head').replaceChildren(h('tr', {},
    h('th', { scope: 'col', text: 'Rep' }),
    ...figs.map((fig) => h('th', { scope: 'col', class: 'num', text: fig.label }))));
  const rows = team.reps.map((r) => {
    const below = new Set(r.below_median || []);
    return h('tr', { 'data-rep': r.rep_id, class: r.rep_id === selected ? 'selected' : '' },
      h('th', { scope: 'row' }, h('button', { type: 'button', class: 'link-btn', onclick: () => pick(r.rep_id), text: r.name || r.rep_id })),
      ...figs.map((fig) => h('td', { class: 'num' + (below.has(fig.key) ? ' below' : ''), 'data-figure': fig.key },
        figureText(team, fig, valueOf(r.figures, fig.key)), below.has(fig.key) ? belowTag() : null)));
  });
  rows.push(h('tr', { class: 'median' },
    h('th', { scope: 'row', text: 'Team median' }),
    ...figs.map((fig) => h('td', { class: 'num', 'data-figure': fig.key, text: figureText(team, fig, valueOf(team.median, fig.key)) }))));
  $('coach-team-rows').replaceChildren(...rows);
}

/** For the test hook: what is on screen. */
export function coachingState() {
  return {
    coachRep: mine ? mine.rep_id : null,
    coachTeam: team ? team.team_id : null,
    coachBelow: mine ? [...(mine.below_median || [])] : [],
  };
}

/** The section shown: the first search, so there is something to pick. */
export function showCoaching() {
  if (!$('coach-results').children.length) search();
}

/** Forgets the figures of a token that signed out. */
export function resetCoaching() {
  selected = '';
  mine = null;
  team = null;
  loadSeq++;
  render();
}

export function wireCoaching() {
  $('coach-q').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 200);
  });
  $('coach-search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const first = $('coach-results').querySelector('button');
    if (first) first.click();
  });
  $('coach-range-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    load();
  });
  for (const id of ['coach-from', 'coach-to']) $(id).addEventListener('change', load);
}
