// Spot incentives the rep may win: rebuilt when the set changes, the countdowns ticked in place.
import { formatDuration } from '../shared/format.js';
import { h, setText } from '../shared/page.js';
import { plural, signedPoints, wholeFmt } from './format.js';
import { el, get, guarded, incentives, money, now, rep } from './state.js';

export function loadIncentives() {
  guarded(Promise.all([get('/incentives?status=open&limit=100'), get('/incentives?status=scheduled&limit=100')]), ([a, b]) => {
    incentives.clear();
    for (const inc of [...(a.items || []), ...(b.items || [])]) {
      if (eligible(inc)) incentives.set(inc.id, inc);
    }
    renderIncentives();
  });
}

export function eligible(inc) {
  const a = inc.audience;
  if (!a || (!(a.teams || []).length && !(a.reps || []).length)) return true;
  return (a.reps || []).includes(rep.rep_id) || (!!rep.team_id && (a.teams || []).includes(rep.team_id));
}

const incEls = new Map();

/** The incentives still open to win, the one ending first first. */
export function incentiveList() {
  const t = now();
  return [...incentives.values()].filter((inc) => {
    const ends = Date.parse(inc.ends_at);
    return !(inc.ended_at && Date.parse(inc.ended_at) <= t) && !(ends <= t) && inc.status !== 'closed';
  }).sort((a, b) => Date.parse(a.ends_at) - Date.parse(b.ends_at));
}

export function renderIncentives() {
  const list = incentiveList();
  const keep = new Set(list.map((i) => i.id));
  for (const [id, x] of incEls) {
    if (!keep.has(id)) {
      x.li.remove();
      incEls.delete(id);
    }
  }
  for (const inc of list) {
    let x = incEls.get(inc.id);
    if (!x) {
      x = buildIncentive();
      incEls.set(inc.id, x);
    }
    fillIncentive(x, inc);
  }
  const order = list.map((i) => incEls.get(i.id).li);
  const current = [...el.incentives.children];
  if (!(order.length === current.length && order.every((li, i) => li === current[i]))) el.incentives.append(...order);
  el.incentivesEmpty.hidden = list.length > 0;
}

function buildIncentive() {
  const li = h('li', { class: 'card incentive' },
    h('div', { class: 'i-head' }, h('h3', { class: 'i-title' }), h('p', { class: 'i-reward' })),
    h('p', { class: 'i-cond' }),
    h('p', { class: 'i-won', hidden: true, text: 'You won this one' }),
    h('div', { class: 'i-foot' }, h('p', { class: 'i-places' }),
      h('p', { class: 'i-time' }, h('span', { class: 'i-label' }), ' ', h('span', { class: 'i-count', role: 'timer' }))));
  const q = (s) => li.querySelector(s);
  return {
    li, title: q('.i-title'), reward: q('.i-reward'), cond: q('.i-cond'), won: q('.i-won'), places: q('.i-places'),
    label: q('.i-label'), count: q('.i-count'),
  };
}

function conditionText(inc) {
  const cond = inc.condition || {};
  const parts = [];
  if (cond.type === 'deal.won' || !cond.type) parts.push('Close a deal');
  else parts.push(cond.type);
  if (cond.min_amount !== null && cond.min_amount !== undefined && Number(cond.min_amount) > 0) parts.push(`of ${money.format(cond.min_amount)} or more`);
  if (cond.product) parts.push(`for ${cond.product}`);
  return parts.join(' ');
}

function fillIncentive(x, inc) {
  setText(x.title, inc.title || 'Spot incentive');
  setText(x.reward, `${signedPoints(inc.reward_points || 0)} pts`);
  setText(x.cond, conditionText(inc));
  const winners = (inc.winners || []).filter((w) => !w.clawed_back_at);
  const iWon = winners.some((w) => w.rep_id === rep.rep_id);
  x.won.hidden = !iWon;
  x.li.classList.toggle('won', iWon);
  const left = Math.max(0, (inc.max_winners || 0) - winners.length);
  setText(x.places, inc.max_winners ? (left > 0 ? `${plural(left, 'place', 'places')} left of ${wholeFmt.format(inc.max_winners)}` : 'All places taken') : '');
  x.li.classList.toggle('full', !!inc.max_winners && left === 0);
  tickIncentive(x, inc);
}

function tickIncentive(x, inc) {
  const t = now();
  const starts = Date.parse(inc.starts_at);
  const ends = Date.parse(inc.ends_at);
  // Starting within the second is started: the page's clock is the server's only to within a
  // message's delivery, and "Starts in 0:00" for a just-launched incentive would be wrong.
  const soon = !Number.isNaN(starts) && starts - t >= 1000;
  const label = soon ? 'Starts in' : 'Ends in';
  const count = formatDuration((soon ? starts : ends) - t);
  if (x.label.textContent !== label) x.label.textContent = label;
  if (x.count.textContent !== count) x.count.textContent = count;
  x.li.classList.toggle('ending', !soon && ends - t < 5 * 60000);
}

/** Moves every countdown on a second (and drops the incentives that ended). */
export function tickIncentives() {
  for (const [id, x] of incEls) {
    const inc = incentives.get(id);
    if (inc) tickIncentive(x, inc);
  }
  if (incentiveList().length !== incEls.size) renderIncentives();
}

/** For the test hook: what each card shows. */
export function incentiveCard(id) {
  const x = incEls.get(id);
  return x ? { countdown: x.count.textContent, places: x.places.textContent } : null;
}

/** Forgets the incentives of a session that ended. */
export function resetIncentives() {
  incentives.clear();
  el.incentives.replaceChildren();
}
