// The banner of the open spot incentive that ends first, with its places and countdown.
import { clockDuration, pointsFmt } from './format.js';
import { api, el, now } from './state.js';

const INCENTIVE_POLL_MS = 60000;
const INCENTIVE_POLL_OPEN_MS = 15000; // while a banner shows: it may be closed early (no floor message says so)

/** Open spot incentives by id. */
export const incentives = new Map();
let lastIncentivePoll = 0;

export function loadIncentives() {
  lastIncentivePoll = Date.now();
  api('GET', '/incentives?status=open&limit=50').then((body) => {
    incentives.clear();
    for (const inc of body.items || []) incentives.set(inc.id, inc);
    renderIncentive();
  }, () => {});
}

/** Reads the incentives again now and then, more often while the banner shows. */
export function pollIncentivesIfDue(t) {
  const poll = el.incentive.hidden ? INCENTIVE_POLL_MS : INCENTIVE_POLL_OPEN_MS;
  if (t - lastIncentivePoll >= poll) loadIncentives();
}

export function renderIncentive() {
  const t = now();
  let best = null;
  for (const [id, inc] of incentives) {
    const ends = Date.parse(inc.ends_at);
    if (!Number.isNaN(ends) && ends <= t) {
      incentives.delete(id);
      continue;
    }
    const starts = Date.parse(inc.starts_at);
    if (!Number.isNaN(starts) && starts > t) continue;
    if (!best || Date.parse(best.ends_at) > ends) best = inc;
  }
  if (!best) {
    el.incentive.hidden = true;
    return;
  }
  el.incentive.hidden = false;
  if (el.incentiveTitle.textContent !== best.title) el.incentiveTitle.textContent = best.title;
  const won = (best.winners || []).filter((w) => !w.clawed_back_at).length;
  const left = Math.max(0, (best.max_winners || 0) - won);
  const parts = [];
  if (best.reward_points) parts.push(`${pointsFmt.format(best.reward_points)} pts`);
  if (best.max_winners) parts.push(left > 0 ? `${left} of ${best.max_winners} left` : 'all places taken');
  parts.push(clockDuration(Date.parse(best.ends_at) - t));
  el.incentiveMeta.textContent = parts.join(' · ');
}
