// My trophy case: the badges I earned (docs/api.md §3 "Achievements"), newest first, each in
// words with its occurrence (the day, the deal, the week or month, the period) and the points it paid; a revoked
// one stays on the shelf struck through with the server's note, and is never counted as held.
// Read with my page (GET /reps/{id}/achievements, and the rules of GET /achievements for the
// empty state) and moved live by `achievement` messages on my channel.
import { METRICS, dateFormat } from '../shared/format.js';
import { $, h } from '../shared/page.js';
import { periodName } from '../shared/targets.js';
import { plural, signedPoints } from './format.js';
import { get, guarded, rep } from './state.js';

const NAMES = { first_win: 'First win of the day', hat_trick: 'Hat-trick', streak: 'Streak', largest_deal: 'Personal best', quota_club: 'Quota club', best_period: 'Best period ever' };
const ORDER = ['first_win', 'hat_trick', 'streak', 'largest_deal', 'best_period', 'quota_club'];
const PERIOD_NAMES = { week: 'Best week ever', month: 'Best month ever' };
const dayFmt = dateFormat({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** id -> badge, as the server last said it. */
const badges = new Map();
let rules = null;
let loaded = false;
let reading = 0;     // reads started; a read's answer is for the session that asked
let liveSince = [];  // badges heard live while a read was on its way: laid over its answer

const keyDay = (s) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s || '');
  return m ? dayFmt.format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))) : s || '';
};

/** An ISO week's key (2026-W14) as "week of Mon 30 Mar 2026"; a month's (2026-04) as "April 2026". */
function weekOrMonth(key) {
  const m = /^(\d{4})-W(\d{2})$/.exec(key || '');
  if (!m) return periodName(key);
  const jan4 = Date.UTC(+m[1], 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 864e5 + (+m[2] - 1) * 7 * 864e5;
  return `week of ${dayFmt.format(new Date(monday))}`;
}

/** The badge's name in words: the server's title, or its kind's name. */
const nameOf = (b) => b.title || NAMES[b.kind] || b.kind;

/** Which occurrence: the day, the streak's first day, the deal, or the period and metric. */
export function occurrence(b) {
  switch (b.kind) {
    case 'first_win':
    case 'hat_trick':
      return keyDay(b.key);
    case 'streak':
      return `from ${keyDay(b.key)}`;
    case 'largest_deal':
      return `deal ${b.deal_id || b.key}`;
    case 'best_period':
      return weekOrMonth(b.key);
    case 'quota_club': {
      const [period, metric] = (b.key || '').split('/');
      return `${METRICS[metric] || metric || ''} · ${periodName(period)}`;
    }
    default:
      return b.key || '';
  }
}

/** The server's reason for a revocation, as "revoked: …". */
const revokedText = (b) => 'revoked: ' + ((b.revoked_reason || '').replace(/^revoked:\s*/i, '') || 'its condition no longer holds');

/** Reads my badges and the rules. */
export function loadTrophies() {
  const id = ++reading;
  liveSince = [];
  guarded(get(`/reps/${encodeURIComponent(rep.rep_id)}/achievements`), (v) => {
    if (id !== reading) return;
    badges.clear();
    for (const b of v.items || []) badges.set(b.id, b);
    for (const b of liveSince) merge(b);
    loaded = true;
    renderTrophies();
  }, (err) => {
    if (err.status !== 404) return; // a rep the directory does not know yet, with no badge
    loaded = true;
    renderTrophies();
  });
  guarded(get('/achievements'), (r) => {
    rules = r;
    renderTrophies();
  });
}

/** A badge that was awarded or revoked just now (an `achievement` message on my channel). */
export function onAchievement(d) {
  if (!d || d.id === undefined) return;
  liveSince.push(d);
  merge(d);
  renderTrophies();
}

// The message's points are what it moved (negative for a revocation); the list's are what the
// award paid, which a revocation keeps.
function merge(d) {
  const had = badges.get(d.id);
  const b = { ...had, ...d };
  if (!d.revoked) {
    // Earned again after a revocation: the same badge, standing once more.
    delete b.revoked_at;
    delete b.revoked_reason;
  }
  if (d.revoked && had && had.points !== undefined) b.points = had.points;
  else if (typeof d.points === 'number') b.points = Math.abs(d.points);
  delete b.balance;
  badges.set(d.id, b);
}

export function resetTrophies() {
  badges.clear();
  rules = null;
  loaded = false;
  reading++;
  liveSince = [];
  renderTrophies();
}

// The server's times carry as many fractional digits as they need: compared as times, not text.
const newestFirst = (a, b) => (Date.parse(b.awarded_at) || 0) - (Date.parse(a.awarded_at) || 0) || b.id - a.id;

function card(b) {
  const points = typeof b.points === 'number' && b.points > 0 ? `${signedPoints(b.points)} points` : '';
  const name = h('h3', { class: 't-name' }, b.revoked ? h('s', { text: nameOf(b) }) : nameOf(b));
  return h('li', { class: 'card trophy' + (b.revoked ? ' revoked' : ''), 'data-id': b.id, 'data-kind': b.kind },
    h('span', { class: 't-mark', 'aria-hidden': 'true', text: b.revoked ? '✕' : '★' }),
    h('div', { class: 't-text' }, name,
      h('p', { class: 't-when', text: [occurrence(b), points].filter(Boolean).join(' · ') }),
      b.revoked ? h('p', { class: 't-revoked', text: revokedText(b) }) : null));
}

/** The rules that are on, in words (a streak with its days). */
function offered() {
  if (!rules) return [];
  return ORDER.filter((k) => rules[k] && rules[k].enabled)
    .map((k) => (k === 'streak' && rules.streak.days ? `${rules.streak.days}-day streak`
      : k === 'best_period' ? PERIOD_NAMES[rules.best_period.period] || NAMES[k] : NAMES[k]));
}

export function renderTrophies() {
  const list = [...badges.values()].sort(newestFirst);
  const held = list.filter((b) => !b.revoked).length;
  const on = offered();
  // No badge and no rule on: the case would only say badges do not exist here.
  $('trophies').hidden = !loaded || (list.length === 0 && on.length === 0);
  $('trophy-held').textContent = list.length ? plural(held, 'badge held', 'badges held') : '';
  $('trophy-list').replaceChildren(...list.map(card));
  const empty = $('trophy-empty');
  empty.hidden = list.length > 0;
  empty.textContent = !on.length ? ''
    : (rules.first_win && rules.first_win.enabled ? 'No badges yet — first win of the day is one deal away.' : 'No badges yet.')
      + ` To earn: ${on.join(', ')}.`;
}

/** For the test hook: my badges as the server sent them and as the page says them. */
export function trophiesState() {
  return {
    read: loaded && rules !== null,
    shown: !$('trophies').hidden,
    held: $('trophy-held').textContent,
    empty: $('trophy-empty').hidden ? null : $('trophy-empty').textContent,
    items: [...$('trophy-list').children].map((li) => ({
      id: Number(li.dataset.id), kind: li.dataset.kind, revoked: li.classList.contains('revoked'),
      struck: !!li.querySelector('.t-name s'),
      text: [...li.querySelectorAll('.t-name, .t-when, .t-revoked')].map((n) => n.textContent),
    })),
  };
}
