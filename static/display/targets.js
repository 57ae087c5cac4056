// Attainment boards on the wall (docs/api.md §4, channel targets:{team_id}): each target set of
// a paired team is a slide of its own, the team's total on top and its reps ranked by percent
// below, a bar each. The boards come whole (snapshot, then attainment.board), so any one can be
// drawn alone. With amounts=hide a revenue set shows its percents and bars, never its money.
import { METRICS, formatDuration } from '../shared/format.js';
import { $, restartClass } from '../shared/page.js';
import { pctText, periodName, reached, share } from '../shared/targets.js';
import { countFmt, pointsFmt } from './format.js';
import { el, money, pairing } from './state.js';

const TOP = 10;

/** @type {Map<string, {team_id: string, boards: object[]|null, missing: boolean, refreshedFor: string}>} */
export const teams = new Map();
for (const id of pairing.targets) teams.set(id, { team_id: id, boards: null, missing: false, refreshedFor: '' });

// Slides keep their object while their set lives, so the playlist can tell the one on screen.
const slides = new Map(); // key -> {kind: 'targets', key, team_id, board}

const tel = {
  box: $('targets'), team: $('t-team'), teamLabel: $('t-team-label'), teamFill: $('t-team-fill'),
  teamPct: $('t-team-pct'), teamOf: $('t-team-of'), rows: $('t-rows'), empty: $('t-empty'),
};

const boardKey = (teamId, b) => `targets:${teamId}|${b.period}|${b.metric}`;

/** A team's boards of the current period (its channel's snapshot). */
export function setTeamBoards(teamId, boards) {
  const t = teams.get(teamId);
  if (!t) return;
  t.missing = false;
  t.boards = Array.isArray(boards) ? boards.slice() : [];
}

/**
 * One board, whole (an attainment.board message): it replaces the set's last one. A board
 * `removed` names a set that is gone (its last target deleted): its slide goes.
 */
export function setTeamBoard(b) {
  const t = b && teams.get(b.team_id);
  if (!t) return;
  const same = (x) => x.period === b.period && x.metric === b.metric;
  if (b.removed) {
    slides.delete(boardKey(t.team_id, b));
    if (t.boards) t.boards = t.boards.filter((x) => !same(x));
    return;
  }
  const boards = t.boards || [];
  const i = boards.findIndex(same);
  if (i >= 0) boards[i] = b;
  else boards.push(b);
  t.boards = boards;
}

/** A team the server will not show this display (unknown, or not allowed): no slides. */
export function dropTeam(teamId) {
  const t = teams.get(teamId);
  if (t) t.missing = true;
}

/** The teams a screen shows now (screen.js): new ones wait for their boards, others go. */
export function setTeams(ids) {
  for (const id of [...teams.keys()]) if (!ids.includes(id)) teams.delete(id);
  for (const id of ids) if (!teams.has(id)) teams.set(id, { team_id: id, boards: null, missing: false, refreshedFor: '' });
}

/**
 * The slides of the paired teams (or of the one team given), in the pairing's order: one per
 * set, the team's month before its quarter; a team whose boards have not come yet waits on a
 * slide of its own.
 */
export function targetSlides(only) {
  const out = [];
  for (const t of teams.values()) {
    if (t.missing || (only !== undefined && t.team_id !== only)) continue;
    const list = t.boards === null ? [null] : [...t.boards].sort((a, b) => a.period.length - b.period.length || a.metric.localeCompare(b.metric));
    for (const b of list) {
      const key = b ? boardKey(t.team_id, b) : `targets:${t.team_id}`;
      let s = slides.get(key);
      if (!s) {
        s = { kind: 'targets', key, team_id: t.team_id, board: null };
        slides.set(key, s);
      }
      s.board = b;
      out.push(s);
    }
  }
  return out;
}

/** Whether the set's money may be on the wall. */
const showsAmounts = (metric) => !(pairing.hideAmounts && metric === 'revenue');

function figure(metric, v) {
  switch (metric) {
    case 'revenue': return money.format(v);
    case 'points': return pointsFmt.format(Number(v) || 0);
    default: return countFmt.format(Number(v) || 0);
  }
}

/** "4,000 of 10,000", or nothing when money stays off the wall. */
const ofText = (metric, a) => (showsAmounts(metric) ? `${figure(metric, a.value)} of ${figure(metric, a.target)}` : '');

/** The slide's name in the footer. */
export const slideTitle = (s) => `${s.team_id} · ${s.board ? METRICS[s.board.metric] || s.board.metric : 'targets'}`;

/** The header of a targets slide. */
function renderHeader(s) {
  const b = s.board;
  el.name.textContent = b ? `Team ${s.team_id} · ${periodName(b.period)}` : `Team ${s.team_id}`;
  el.metric.textContent = b ? `${METRICS[b.metric] || b.metric} · % of target` : 'Targets';
  document.title = `Bullpen · team ${s.team_id} targets`;
}

let renderedKey = null;
const rowEls = new Map(); // rep_id -> {li, refs, value}

function buildRow() {
  const li = document.createElement('li');
  li.className = 't-row';
  const part = (cls, tag = 'span') => {
    const n = document.createElement(tag);
    n.className = cls;
    return n;
  };
  const rank = part('t-rank');
  const name = part('t-name');
  const bar = part('t-bar');
  const fill = part('t-fill');
  bar.append(fill);
  bar.setAttribute('aria-hidden', 'true');
  const pct = part('t-pct');
  const of = part('t-of');
  li.append(rank, name, bar, pct, of);
  li.addEventListener('animationend', () => li.classList.remove('bump'));
  return { li, value: null, refs: { rank, name, fill, pct, of } };
}

/** Draws a targets slide: the team's line, then the reps by percent (rows kept, bars grow). */
export function renderTargets(s) {
  renderHeader(s);
  const b = s.board;
  const animate = renderedKey === s.key;
  if (!animate) {
    for (const r of rowEls.values()) r.li.remove();
    rowEls.clear();
    renderedKey = s.key;
  }
  tel.team.hidden = !b;
  if (!b) {
    tel.empty.hidden = false;
    tel.empty.textContent = 'Waiting for the targets…';
    return;
  }
  const team = b.team;
  tel.box.classList.toggle('no-amounts', !showsAmounts(b.metric));
  tel.teamLabel.textContent = team.own ? `Team ${s.team_id}` : `Team ${s.team_id} · sum of the reps' targets`;
  tel.teamFill.style.setProperty('--share', share(team.pct).toFixed(4));
  tel.team.classList.toggle('reached', reached(team.pct));
  tel.teamPct.textContent = pctText(team.pct);
  tel.teamOf.textContent = ofText(b.metric, team);

  const reps = (b.reps || []).slice(0, TOP);
  tel.empty.hidden = reps.length > 0;
  tel.empty.textContent = 'No rep of this team has a target in this set.';
  const keep = new Set();
  const ordered = reps.map((a) => {
    keep.add(a.rep_id);
    let r = rowEls.get(a.rep_id);
    if (!r) {
      r = buildRow();
      rowEls.set(a.rep_id, r);
    }
    const value = Number(a.value) || 0;
    r.refs.rank.textContent = String(a.rank);
    r.refs.name.textContent = a.name || a.rep_id;
    r.refs.pct.textContent = pctText(a.pct);
    r.refs.of.textContent = ofText(b.metric, a);
    r.refs.fill.style.setProperty('--share', share(a.pct).toFixed(4));
    r.li.classList.toggle('reached', reached(a.pct));
    for (const k of [1, 2, 3]) r.li.classList.toggle('r' + k, a.rank === k);
    if (animate && r.value !== null && value > r.value) restartClass(r.li, 'bump');
    r.value = value;
    return r;
  });
  for (const [id, r] of rowEls) {
    if (!keep.has(id)) {
      r.li.remove();
      rowEls.delete(id);
    }
  }
  tel.rows.append(...ordered.map((r) => r.li));
}

/**
 * The clock of a targets slide: what is left of the period, and the team's pace as a percent
 * of its target (no money). A period that ended asks the channel for the next one's boards
 * (resubscribe(name) tells whether it could).
 */
export function targetsCountdown(s, t, resubscribe) {
  const b = s.board;
  if (!b) return { label: 'Targets', value: '—', soon: false, resets: [] };
  const end = Date.parse(b.end);
  const kind = /-Q[1-4]$/.test(b.period) ? 'Quarter' : 'Month';
  const team = teams.get(s.team_id);
  if (Number.isNaN(end)) return { label: kind, value: '—', soon: false, resets: [] };
  if (t >= end) {
    if (t > end + 3000 && team && team.refreshedFor !== b.end && resubscribe('targets:' + s.team_id)) team.refreshedFor = b.end;
    return { label: `${kind} is over`, value: 'Counting…', soon: false, resets: [] };
  }
  const target = Number(b.team.target) || 0;
  const projected = b.team.projected === undefined ? NaN : Number(b.team.projected);
  const resets = target > 0 && Number.isFinite(projected)
    ? ['Team on pace for ', { strong: pctText((projected / target) * 100) }, ' of target'] : [];
  return { label: `${kind} ends in`, value: formatDuration(end - t, { clock: true }), soon: end - t < 86400 * 1000, resets };
}

/** For the test hook: the teams' boards as they came. */
export function targetsState() {
  return Object.fromEntries([...teams.values()].map((t) => [t.team_id, { missing: t.missing, boards: t.boards }]));
}

/** The rows on screen, for the test hook: what a person reads off the wall. */
export function targetRowsShown() {
  if (tel.box.hidden) return null;
  return {
    team: tel.team.hidden ? null : { label: tel.teamLabel.textContent, pct: tel.teamPct.textContent, of: tel.teamOf.textContent },
    reps: [...tel.rows.children].map((li) => ({
      rank: li.querySelector('.t-rank').textContent, name: li.querySelector('.t-name').textContent,
      pct: li.querySelector('.t-pct').textContent, of: li.querySelector('.t-of').textContent,
    })),
  };
}
