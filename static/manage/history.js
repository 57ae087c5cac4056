// A contest's periods, past and present (GET /contests/{id}/periods): each board's window and
// status, its leaders or, once final, its winners and the prizes the ledger paid; and the CSV
// exports (standings, the points ledger, incentive winners, attainment), downloaded with the signed-in
// token: fetch, then a blob handed to a link, since a plain link cannot carry the token.
import { ApiError } from '../shared/api.js';
import { $, h } from '../shared/page.js';
import { intFmt, scoreText, whenIn } from './format.js';
import { busy, clearErrors, showError } from './forms.js';
import { S, api } from './state.js';
import { statusTag, toast } from './ui.js';

let shown = null; // the contest whose periods the panel shows

/** The board's name: its first day in the contest's zone, or the whole contest. */
function periodName(c, p) {
  if (p.key === 'all') return 'Whole contest';
  const kind = { day: 'Day', week: 'Week of', month: 'Month of', quarter: 'Quarter from' }[c.period] || 'Period';
  return `${kind} ${p.key}`;
}

function entryName(e) {
  return e.name || e.rep_id || e.team_id || '—';
}

function periodItem(c, p) {
  const body = [];
  if (p.status === 'final') {
    body.push(p.winners.length
      ? h('ol', { class: 'period-winners', 'aria-label': `Winners of ${periodName(c, p)}` }, ...p.winners.map((w) => h('li', {},
        h('span', { class: 'pw-rank', text: `#${w.rank}` }), ' ', h('span', { class: 'pw-name', text: entryName(w) }), ' ',
        h('span', { class: 'pw-score', text: scoreText(c.metric, w.score) }), ' ',
        h('span', { class: 'pw-prize', text: `${intFmt.format(w.points)} points` }))))
      : h('p', { class: 'muted small', text: 'No prize was won.' }));
    if (p.prizes_paid.length && c.scope === 'team') {
      body.push(h('p', { class: 'muted small', text: `Paid: ${p.prizes_paid.map((x) => `${x.name || x.rep_id} ${intFmt.format(x.points)}`).join(', ')} points` }));
    }
  } else {
    body.push(p.top.length
      ? h('ol', { class: 'period-top', 'aria-label': `Leaders of ${periodName(c, p)}` }, ...p.top.map((e) => h('li', {},
        h('span', { class: 'pw-rank', text: `${e.rank}.` }), ' ', h('span', { class: 'pw-name', text: entryName(e) }), ' ',
        h('span', { class: 'pw-score', text: scoreText(c.metric, e.score) }))))
      : h('p', { class: 'muted small', text: 'No entries yet.' }));
  }
  const end = p.end ? whenIn(p.end, c.timezone) : 'open-ended';
  return h('li', { class: 'period-item', 'data-key': p.key },
    h('div', { class: 'period-main' },
      h('p', { class: 'period-name' }, h('span', { text: periodName(c, p) }), ' ', statusTag(p.status)),
      h('p', { class: 'muted small', text: `${whenIn(p.start, c.timezone)} – ${end} · ${intFmt.format(p.total)} on the board` }),
      ...body),
    h('div', { class: 'row-actions' },
      h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Export ${periodName(c, p)} as CSV`,
        onclick: (ev) => busy(ev.currentTarget, () => downloadOrToast(`/exports/standings.csv?contest_id=${encodeURIComponent(c.id)}&period=${encodeURIComponent(p.key)}`)) }, 'Export CSV')));
}

/** Opens the periods panel on contest c. */
export async function showPeriods(c) {
  shown = c;
  const panel = $('periods-panel');
  panel.hidden = false;
  $('periods-h').textContent = `Periods of "${c.name}"`;
  const list = $('period-list');
  list.setAttribute('aria-busy', 'true');
  try {
    const body = await api('GET', `/contests/${encodeURIComponent(c.id)}/periods?limit=12`);
    if (shown !== c) return;
    list.replaceChildren(...body.items.map((p) => periodItem(c, p)));
    $('periods-empty').hidden = body.items.length > 0;
  } catch (err) {
    toast(`The periods of "${c.name}" could not be read: ${err.message}`, 'err');
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
  $('periods-h').focus();
}

/** What the periods panel shows, for the tests. */
export function periodsState() {
  return { periodsOf: shown ? shown.id : null };
}

/**
 * Downloads an export with the signed-in token and saves it under the server's file name. An
 * API error (a 400 naming a field, say) is thrown as ApiError.
 */
export async function download(path) {
  let res;
  try {
    res = await fetch('/api/v1' + path, { headers: { Authorization: 'Bearer ' + S.token }, cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, 'unavailable', 'The server did not answer. Check the connection and try again.');
  }
  if (!res.ok) {
    let e = {};
    try {
      e = (await res.json()).error || {};
    } catch { /* no body */ }
    throw new ApiError(res.status, e.code || 'internal', e.message || `The server answered HTTP ${res.status}.`, e.field);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '')?.[1] || 'export.csv';
  const url = URL.createObjectURL(await res.blob());
  const a = h('a', { href: url, download: name, hidden: '' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  toast(`Downloaded ${name}.`);
  return name;
}

async function downloadOrToast(path) {
  try {
    await download(path);
  } catch (err) {
    toast(`The export failed: ${err.message}`, 'err');
  }
}

/** The exports form: a window of dates, then one button per export. */
async function submitExport(ev, kind) {
  const form = $('export-form');
  clearErrors(form);
  const f = form.elements;
  // The attainment of a target period (its team, if named); the others a window of dates.
  const q = kind === 'attainment' ? new URLSearchParams({ period: f.period.value.trim() })
    : new URLSearchParams({ from: f.from.value, to: f.to.value });
  if (kind === 'ledger' && f.rep_id.value.trim()) q.set('rep_id', f.rep_id.value.trim());
  if (kind !== 'winners' && f.team_id.value.trim()) q.set('team_id', f.team_id.value.trim());
  const file = { ledger: 'ledger', winners: 'incentive-winners', attainment: 'attainment' }[kind];
  await busy(ev.currentTarget, async () => {
    try {
      await download(`/exports/${file}.csv?${q}`);
    } catch (err) {
      showError(form, err, 'The export was not made');
    }
  });
}

export function wireHistory() {
  $('periods-close').addEventListener('click', () => {
    shown = null;
    $('periods-panel').hidden = true;
  });
  const form = $('export-form');
  form.addEventListener('submit', (ev) => ev.preventDefault());
  $('export-ledger').addEventListener('click', (ev) => submitExport(ev, 'ledger'));
  $('export-winners').addEventListener('click', (ev) => submitExport(ev, 'winners'));
  $('export-attainment').addEventListener('click', (ev) => submitExport(ev, 'attainment'));
  // This month so far, in the dates the API reads as UTC days; the target period this month.
  const today = new Date();
  const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), 1));
  form.elements.from.value = first.toISOString().slice(0, 10);
  form.elements.to.value = today.toISOString().slice(0, 10);
  form.elements.period.value = first.toISOString().slice(0, 7);
}
