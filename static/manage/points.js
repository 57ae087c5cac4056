// Points: find a rep, read their standings, attainment trend (trend.js) and ledger, and record an
// adjustment.
import { newKey } from '../shared/api.js';
import { $, h } from '../shared/page.js';
import { REASONS, points, scoreText, signedFmt, when } from './format.js';
import { busy, clearErrors, numOrNull, showError } from './forms.js';
import { S, api, contests, repNames } from './state.js';
import { showTrend, wireTrend } from './trend.js';
import { toast } from './ui.js';

let selectedRep = null;         // GET /reps/{id}
let ledger = { entries: [], total: 0 };

let searchTimer = 0;
let searchSeq = 0;

/** Reps matching q, handed to into (the latest search only). */
export function searchReps(q, into, done) {
  const mine = ++searchSeq;
  api('GET', `/reps?limit=20&q=${encodeURIComponent(q)}`).then((body) => {
    if (mine !== searchSeq) return;
    const items = body.items || [];
    for (const r of items) if (r.name) repNames.set(r.rep_id, r.name);
    into(items);
  }, (err) => {
    if (mine === searchSeq && done) done(err);
  });
}

export function renderRepResults(items) {
  const list = $('rep-results');
  list.replaceChildren(...items.map((r) => h('li', {},
    h('button', {
      type: 'button', class: 'rep-result' + (selectedRep && selectedRep.rep_id === r.rep_id ? ' selected' : ''), 'data-rep': r.rep_id,
      'aria-pressed': String(!!(selectedRep && selectedRep.rep_id === r.rep_id)),
      onclick: () => selectRep(r.rep_id),
    }, h('strong', { text: r.name || r.rep_id }), h('span', { class: 'muted small', text: ` ${r.rep_id}${r.team_id ? ' · ' + r.team_id : ''}` })))));
  $('rep-results-status').textContent = items.length ? `${items.length} ${items.length === 1 ? 'rep' : 'reps'} found` : 'No rep found';
}

async function selectRep(repId) {
  try {
    const [rep, led] = await Promise.all([
      api('GET', `/reps/${encodeURIComponent(repId)}`),
      api('GET', `/reps/${encodeURIComponent(repId)}/ledger?limit=20`),
    ]);
    selectedRep = rep;
    ledger = { entries: led.entries || [], total: led.total ?? (led.entries || []).length, balance: led.balance };
    if (rep.name) repNames.set(rep.rep_id, rep.name);
    clearErrors($('adjust-form'));
    $('adjust-form').reset();
    adjustKey = null;
    renderRep();
    showTrend(rep.rep_id);
    for (const b of $('rep-results').querySelectorAll('.rep-result')) {
      const on = b.dataset.rep === rep.rep_id;
      b.classList.toggle('selected', on);
      b.setAttribute('aria-pressed', String(on));
    }
    $('a-points').focus();
  } catch (err) {
    toast(`Could not open ${repId}: ${err.message}`, 'err');
  }
}

export function renderRep() {
  const rep = selectedRep;
  $('rep-empty').hidden = !!rep;
  $('rep-body').hidden = !rep;
  if (!rep) return;
  $('rep-h').textContent = rep.name || rep.rep_id;
  $('rep-meta').textContent = [rep.rep_id, rep.team_id ? `team ${rep.team_id}` : 'no team'].join(' · ');
  const standings = (rep.standings || []).map((st) => {
    const c = contests.get(st.contest_id);
    return `#${st.rank} in ${c ? c.name : 'a contest'} (${scoreText(c ? c.metric : '', st.score)})`;
  });
  $('rep-standings').textContent = standings.length ? standings.join(' · ') : 'Not on a live board right now.';
  $('rep-balance').textContent = points(ledger.balance ?? rep.points_balance);
  const rows = ledger.entries.map((e) => h('tr', {},
    h('td', { class: 'nowrap', text: when(e.created_at) }),
    h('td', { class: 'num ' + (e.points < 0 ? 'neg' : 'pos'), text: signedFmt.format(e.points) }),
    h('td', {}, h('span', { class: `reason r-${e.reason}`, text: REASONS[e.reason] || e.reason })),
    h('td', { class: 'note', text: e.note || '' }),
    h('td', { class: 'small muted', text: e.by === 'system' ? 'system' : e.by === (S.me && S.me.token_id) ? 'you' : e.by }),
  ));
  $('ledger-rows').replaceChildren(...rows);
  $('ledger-empty').hidden = ledger.entries.length > 0;
  $('ledger-more').hidden = ledger.entries.length >= ledger.total;
}

async function moreLedger() {
  if (!selectedRep) return;
  await busy($('ledger-more'), async () => {
    try {
      const led = await api('GET', `/reps/${encodeURIComponent(selectedRep.rep_id)}/ledger?limit=50&offset=${ledger.entries.length}`);
      ledger.entries.push(...(led.entries || []));
      ledger.total = led.total ?? ledger.total;
      renderRep();
    } catch (err) {
      toast(err.message, 'err');
    }
  });
}

let adjustKey = null;

async function submitAdjustment(ev) {
  ev.preventDefault();
  if (!selectedRep) return;
  const form = $('adjust-form');
  const rep = selectedRep;
  await busy($('adjust-submit'), async () => {
    const body = { note: form.elements.note.value };
    const pts = numOrNull(form.elements.points.value);
    if (pts !== null) body.points = pts;
    const text = JSON.stringify([rep.rep_id, body]);
    if (!adjustKey || adjustKey.body !== text) adjustKey = { body: text, key: newKey('mgr-') };
    try {
      const entry = await api('POST', `/reps/${encodeURIComponent(rep.rep_id)}/adjustments`, body, { key: adjustKey.key });
      adjustKey = null;
      if (selectedRep !== rep) return;
      ledger.entries.unshift(entry);
      ledger.total++;
      ledger.balance = entry.balance;
      rep.points_balance = entry.balance;
      form.reset();
      clearErrors(form);
      renderRep();
      toast(`${signedFmt.format(entry.points)} points for ${rep.name || rep.rep_id}. Balance: ${points(entry.balance)}.`);
    } catch (err) {
      if (err.status !== 0) adjustKey = null;
      showError(form, err, 'The points were not recorded');
    }
  });
}

/** The rep on screen, if any, drawn again (the currency changed, say). */
export function renderSelectedRep() {
  if (selectedRep) renderRep();
}

/** For the test hook. */
export function pointsState() {
  return {
    selectedRep: selectedRep ? selectedRep.rep_id : null,
    balance: selectedRep ? (ledger.balance ?? selectedRep.points_balance) : null,
  };
}

/** Forgets the rep on screen of a token that signed out. */
export function resetPoints() {
  selectedRep = null;
}

/** The rep search and the adjustment form. */
export function wirePoints() {
  $('rep-q').addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => searchReps($('rep-q').value.trim(), renderRepResults, (err) => {
      $('rep-results-status').textContent = `Search failed: ${err.message}`;
    }), 200);
  });
  $('rep-search-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const first = $('rep-results').querySelector('button');
    if (first) first.click();
  });
  $('adjust-form').addEventListener('submit', submitAdjustment);
  $('ledger-more').addEventListener('click', moreLedger);
  wireTrend();
}
