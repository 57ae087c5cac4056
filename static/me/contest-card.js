// A contest's card on the rep's page: rank and score, the pace ("on pace for #N"), the gap to the
// next place, a race's progress, who passed whom, and the time left; the cards sorted best rank
// first.
import { METRICS, formatDuration, metricOf } from '../shared/format.js';
import { h, setText } from '../shared/page.js';
import { refreshMineSoon, refreshPace } from './contests.js';
import { PERIODS, agoText, amount, dateFmt, formatScore, isTeam, plural, pointsFmt, round2, wholeFmt } from './format.js';
import { S, contests, el, money, now, rep } from './state.js';

/** The smallest step a score moves by (contract: ties go to whoever got there first). */
const unit = (c) => (metricOf(c) === 'deals' || metricOf(c) === 'units' ? 1 : 0.01);

export function contestName(c) {
  return (c.meta && c.meta.name) || 'a contest';
}

function buildContest(c) {
  const li = h('li', { class: 'card contest', 'data-id': c.id },
    h('div', { class: 'c-head' }, h('h3', { class: 'c-name' }), h('p', { class: 'c-kind' })),
    h('div', { class: 'c-place' },
      h('p', { class: 'c-rank' }, h('span', { class: 'vh', text: 'Rank ' }), h('span', { class: 'rank-num' }), h('span', { class: 'of' })),
      h('p', { class: 'c-score' }, h('span', { class: 'vh', text: 'Score ' }), h('span', { class: 'score' })),
      h('p', { class: 'c-moved' })),
    h('p', { class: 'c-pace' }),
    h('p', { class: 'c-gap' }),
    h('div', { class: 'c-race', hidden: true },
      h('div', { class: 'race-bar', 'aria-hidden': 'true' }, h('div', { class: 'race-fill' })), h('p', { class: 'race-text' })),
    h('p', { class: 'c-passed' }),
    h('p', { class: 'c-time' }));
  const q = (s) => li.querySelector(s);
  c.els = {
    li, name: q('.c-name'), kind: q('.c-kind'), rank: q('.rank-num'), of: q('.of'), score: q('.score'),
    moved: q('.c-moved'), pace: q('.c-pace'), gap: q('.c-gap'), race: q('.c-race'), raceFill: q('.race-fill'), raceText: q('.race-text'),
    passed: q('.c-passed'), time: q('.c-time'),
  };
  return li;
}

export function renderContest(c) {
  if (!contests.has(c.id)) return;
  if (!c.els) {
    el.contests.append(buildContest(c));
    renderContestsEmpty();
  }
  const e = c.els;
  setText(e.name, contestName(c));
  const kind = [METRICS[metricOf(c)] || 'Contest'];
  if (isTeam(c)) kind.push(`Team ${rep.team_id || ''}`.trim());
  if (c.meta && c.meta.kind === 'race') kind.push('Race');
  if (c.meta && PERIODS[c.meta.period]) kind.push(PERIODS[c.meta.period]);
  setText(e.kind, kind.join(' · '));
  const m = c.mine;
  e.li.classList.toggle('off-board', !m);
  e.li.classList.toggle('leader', !!m && m.rank === 1);
  e.li.classList.toggle('final', c.status === 'final');
  if (m) {
    e.rank.textContent = `#${wholeFmt.format(m.rank)}`;
    setText(e.of, c.total ? ` of ${wholeFmt.format(c.total)}` : '');
    e.score.textContent = formatScore(c, m.score);
  } else {
    e.rank.textContent = '—';
    setText(e.of, '');
    e.score.textContent = c.onBoard === false || c.onBoard === null ? 'No score yet' : '';
  }
  // How far I moved last, for a minute.
  const mv = c.moved && now() - c.moved.at < 60000 ? c.moved : null;
  if (mv) {
    const up = mv.to < mv.from;
    setText(e.moved, `${up ? '▲' : '▼'} ${up ? 'up' : 'down'} ${Math.abs(mv.from - mv.to)} from #${mv.from}`);
    e.moved.className = 'c-moved ' + (up ? 'up' : 'down');
  } else {
    setText(e.moved, '');
  }
  setText(e.pace, paceText(c));
  setText(e.gap, gapText(c));
  renderRace(c);
  const p = c.passedBy && (!c.passed || c.passedBy.at >= c.passed.at) ? c.passedBy : c.passed;
  if (p && now() - p.at < 15 * 60000) {
    setText(e.passed, `${p.text} · ${agoText(p.at)}`);
    e.passed.className = 'c-passed ' + (p === c.passedBy ? 'down' : 'up');
  } else {
    setText(e.passed, '');
  }
  setText(e.time, timeText(c));
}

function renderRace(c) {
  const e = c.els;
  const target = c.meta && c.meta.kind === 'race' ? Number(c.meta.target) : 0;
  if (!target) {
    e.race.hidden = true;
    return;
  }
  e.race.hidden = false;
  const score = c.mine ? c.mine.score : 0;
  e.raceFill.style.width = `${Math.min(100, Math.max(0, (score / target) * 100)).toFixed(1)}%`;
  const left = target - score;
  setText(e.raceText, c.mine && c.mine.finished_at ? 'You crossed the finish line.'
    : `${formatScore(c, Math.max(0, round2(left)))} to the finish (${formatScore(c, target)})`);
}

/**
 * "On pace for #2 · $52,000 projected": the rank of my projected score at the board's end (read
 * with my neighbours from the API), shown while it was read for the score I have now.
 */
function paceText(c) {
  const p = c.pace;
  if (!p || !c.mine || c.status !== 'live' || p.score !== c.mine.score) return '';
  const m = metricOf(c);
  const projected = m === 'deals' || m === 'units'
    ? `${pointsFmt.format(p.projected)} ${m === 'deals' ? (p.projected === 1 ? 'deal' : 'deals') : (p.projected === 1 ? 'unit' : 'units')}`
    : formatScore(c, p.projected);
  return `On pace for #${wholeFmt.format(p.rank)} · ${projected} projected`;
}

/** "1 deal from #3", "$1,200 from #2": what it takes to move up one place. */
function gapText(c) {
  const m = c.mine;
  if (!m) {
    if (c.status === 'final') return 'You had no score on this board.';
    return isTeam(c) ? 'Your team has no score yet: a deal puts it on the board.' : 'Not on the board yet: your first deal puts you on it.';
  }
  if (m.finished_at) return 'Finished!';
  const who = (x) => (x && x.name ? ` · ${x.name}` : '');
  if (m.rank === 1) {
    if (c.below && c.below.rank === 2) {
      const lead = round2(m.score - c.below.score);
      if (lead <= 0) return `Level with #2${who(c.below)}, and you got there first`;
      return `In the lead: ${amount(c, lead)} ahead of #2${who(c.below)}`;
    }
    return c.total === 1 ? 'In the lead (the only one on the board so far)' : 'In the lead';
  }
  const next = m.rank - 1;
  let diff = null;
  if (c.above && c.above.rank === next) diff = round2(c.above.score - m.score);
  else if (c.gapToNext !== null) diff = round2(c.gapToNext - unit(c));
  if (diff === null) return `Next up: #${next}`;
  const tail = ` from #${next}${who(c.above && c.above.rank === next ? c.above : null)}`;
  switch (metricOf(c)) {
    case 'deals': {
      const n = c.dealsToNext && !(c.above && c.above.rank === next) ? c.dealsToNext : Math.max(1, Math.floor(diff) + 1);
      return plural(n, 'deal', 'deals') + tail;
    }
    case 'units':
      return plural(Math.max(1, Math.floor(diff) + 1), 'unit', 'units') + tail;
    case 'revenue':
      if (diff <= 0) return `Level with #${next}${who(c.above)}: your next sale moves you up`;
      return money.format(Math.ceil(diff)) + tail;
    default:
      if (diff <= 0) return `Level with #${next}${who(c.above)}: your next point moves you up`;
      return `${pointsFmt.format(diff)} ${diff === 1 ? 'point' : 'points'}${tail}`;
  }
}

export function timeText(c) {
  const t = now();
  const status = c.status;
  if (status === 'final') return c.mine ? `Final results: you finished #${c.mine.rank}` : 'Final results';
  if (status === 'cancelled') return 'Cancelled';
  const end = c.period && c.period.end ? Date.parse(c.period.end) : (c.meta && c.meta.ends_at ? Date.parse(c.meta.ends_at) : NaN);
  const contestEnd = c.meta && c.meta.ends_at ? Date.parse(c.meta.ends_at) : NaN;
  if (status === 'ended' || (!Number.isNaN(contestEnd) && t >= contestEnd)) return 'Time is up: late deals are still being counted';
  const resetAt = c.resetsAt ? Date.parse(c.resetsAt) : NaN;
  if (!Number.isNaN(resetAt)) {
    if (resetAt + 3000 < t && c.periodRefreshed !== c.resetsAt && S.live && S.live.connected) {
      // A new period began: a fresh board, a fresh snapshot.
      c.periodRefreshed = c.resetsAt;
      S.live.resubscribe('contest:' + c.id, false);
      refreshMineSoon();
    }
    return resetAt > t ? `Fresh board in ${formatDuration(resetAt - t)}` : 'A fresh board is starting…';
  }
  if (!Number.isNaN(end)) return end - t > 7 * 86400000 ? `Ends ${dateFmt.format(new Date(end))}` : `Ends in ${formatDuration(end - t)}`;
  return c.meta && c.meta.kind === 'race' ? 'Open until the race is won' : '';
}

export function renderContests() {
  for (const c of contests.values()) renderContest(c);
  sortContests();
  renderContestsEmpty();
}

function renderContestsEmpty() {
  el.contestsEmpty.hidden = contests.size > 0;
  el.contestsEmpty.textContent = 'No live contest includes you right now.';
}

const statusOrder = { live: 0, ended: 1, final: 2 };

/** On the board first (best rank first), then the rest, then finished contests. */
export function sortContests() {
  const list = [...contests.values()].filter((c) => c.els);
  list.sort((a, b) => (statusOrder[a.status] ?? 1) - (statusOrder[b.status] ?? 1)
    || (a.mine ? 0 : 1) - (b.mine ? 0 : 1)
    || (a.mine && b.mine ? a.mine.rank - b.mine.rank : 0)
    || contestName(a).localeCompare(contestName(b)));
  const current = [...el.contests.children];
  if (list.length === current.length && list.every((c, i) => c.els.li === current[i])) return;
  el.contests.append(...list.map((c) => c.els.li));
}

/** Moves each card's clock on a second, and lets a recent move or pass fade after its time. */
export function tickContests() {
  for (const c of contests.values()) {
    if (c.els) {
      setText(c.els.time, timeText(c));
      refreshPace(c);
      if (c.moved || c.passedBy || c.passed) renderContest(c);
    }
  }
}
