// My activity: this month's activities, wins and deal sizes against my team's median
// (GET /reps/{id}/coaching), so a rep sees where it stands before a manager says so.
import { belowTag, figureText, figures, rangeText, valueOf } from '../shared/coaching.js';
import { $, h } from '../shared/page.js';
import { get, guarded, rep } from './state.js';

// The figures move with deals and activities, but nobody coaches by the minute: read again at
// most this often while the page is open.
const REFRESH_MS = 5 * 60_000;

let view = null;
let loadedAt = 0;

/** Reads the figures now (first) or when the last read is old enough. */
export function loadActivity(first) {
  if (!first && Date.now() - loadedAt < REFRESH_MS) return;
  loadedAt = Date.now();
  guarded(get(`/reps/${encodeURIComponent(rep.rep_id)}/coaching`), (v) => {
    view = v;
    renderActivity();
  }, (err) => {
    $('activity-table').hidden = true;
    $('activity-empty').hidden = false;
    $('activity-empty').textContent = err.status === 403 ? 'This token may not read this rep\'s activity.' : `Could not read the activity: ${err.message}`;
  });
}

export function renderActivity() {
  const table = $('activity-table');
  if (!view) {
    table.hidden = true;
    $('activity-range').textContent = '';
    $('activity-empty').hidden = false;
    $('activity-empty').textContent = 'Loading…';
    return;
  }
  const below = new Set(view.below_median || []);
  const median = view.team_median;
  $('activity-range').textContent = `This month, ${rangeText(view)}` + (median ? ` · team ${view.team_id}, ${view.team_size} ${view.team_size === 1 ? 'rep' : 'reps'}` : '');
  $('activity-rows').replaceChildren(...figures(view).map((fig) => h('tr', { 'data-figure': fig.key },
    h('th', { scope: 'row', text: fig.label }),
    h('td', { class: 'num' + (below.has(fig.key) ? ' below' : '') }, figureText(view, fig, valueOf(view.figures, fig.key)), below.has(fig.key) ? belowTag() : null),
    h('td', { class: 'num', text: median ? figureText(view, fig, valueOf(median, fig.key)) : '—' }))));
  table.hidden = false;
  $('activity-empty').hidden = !!median;
  $('activity-empty').textContent = median ? '' : 'You are in no team yet: there is no median to compare with.';
}

/** For the test hook. */
export function activityState() {
  if (!view) return null;
  return {
    below: [...(view.below_median || [])],
    rows: [...$('activity-rows').children].map((tr) => ({
      figure: tr.dataset.figure,
      label: tr.cells[0].textContent,
      mine: tr.cells[1].firstChild ? tr.cells[1].firstChild.textContent : '',
      below: tr.cells[1].querySelector('.below-mark') ? tr.cells[1].querySelector('.below-mark').textContent : '',
      median: tr.cells[2].textContent,
    })),
  };
}

/** Forgets the figures of a session that ended. */
export function resetActivity() {
  view = null;
  loadedAt = 0;
  renderActivity();
}
