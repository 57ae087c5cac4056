// The two slides of a screen that are no board (docs/api.md §3 "Screens"): the spot incentives
// open now (the spotlight), and the floor feed, the latest deals and wins. Both are lists drawn
// whole from what the display already holds: the incentives it polls and the floor messages.
import { h } from '../shared/page.js';
import { clockDuration, pointsFmt, timeFmt } from './format.js';
import { incentives } from './incentive.js';
import { el, money, now, pairing } from './state.js';

const FLOOR_ITEMS = 10;

/** The latest floor items, newest first: {kind: 'deal'|'win', name, team, amount?, title?, at}. */
const floor = [];

// One object per kind, so the playlist can tell the slide on screen.
const slides = { incentives: { kind: 'incentives', key: 'incentives' }, floor: { kind: 'floor', key: 'floor' } };

export const feedSlide = (kind) => slides[kind];
export const isFeed = (s) => !!s && (s.kind === 'incentives' || s.kind === 'floor');
export const feedTitle = (s) => (s.kind === 'incentives' ? 'Spot incentives' : 'On the floor');

/** A deal won or an incentive won, for the floor feed. */
export function pushFloor(item) {
  floor.unshift(item);
  floor.length = Math.min(floor.length, FLOOR_ITEMS);
}

function row(rank, name, team, score) {
  return h('li', { class: 'row feed-row' },
    h('span', { class: 'c-rank' }, h('span', { class: 'rank', text: rank })),
    h('span', { class: 'c-name' }, h('span', { class: 'nm', text: name })),
    h('span', { class: 'c-team', text: team }),
    h('span', { class: 'c-score' }, h('span', { class: 'score', text: score })));
}

function incentiveRows(t) {
  const open = [...incentives.values()].filter((i) => !(Date.parse(i.starts_at) > t) && Date.parse(i.ends_at) > t)
    .sort((a, b) => Date.parse(a.ends_at) - Date.parse(b.ends_at));
  return open.map((i) => {
    const won = (i.winners || []).filter((w) => !w.clawed_back_at).length;
    const left = Math.max(0, (i.max_winners || 0) - won);
    return row('★', i.title, left > 0 ? `${left} of ${i.max_winners} left` : 'all places taken',
      `${pointsFmt.format(i.reward_points || 0)} pts · ${clockDuration(Date.parse(i.ends_at) - t)}`);
  });
}

function floorRows() {
  return floor.map((f) => row(f.at ? timeFmt.format(new Date(f.at)) : '', f.name, f.team,
    f.kind === 'win' ? `won ${f.title}` : (pairing.hideAmounts || f.amount === undefined ? 'Deal won' : money.format(f.amount))));
}

/** Draws a feed slide: its header and its list. */
export function renderFeed(s) {
  const title = feedTitle(s);
  el.name.textContent = title;
  el.metric.textContent = s.kind === 'incentives' ? 'Open now' : 'Latest deals and wins';
  document.title = 'Bullpen · ' + title.toLowerCase();
  const rows = s.kind === 'incentives' ? incentiveRows(now()) : floorRows();
  el.feedRows.replaceChildren(...rows);
  el.feedEmpty.hidden = rows.length > 0;
  el.feedEmpty.textContent = s.kind === 'incentives' ? 'No spot incentive is open right now.' : 'No deal yet today: the first one shows here.';
}
