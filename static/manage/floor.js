// The floor feed beside the console: deals, incentives and contests as they happen, which also
// keep the incentive and contest lists current between reads.
import { $, h } from '../shared/page.js';
import { renderContests } from './contests.js';
import { points } from './format.js';
import { isWatched, refreshIncentive, renderIncentives } from './incentives.js';
import { contests, incentives, money, now, repNames } from './state.js';
import { toast } from './ui.js';

const FLOOR_ITEMS = 8;
const floorItems = [];          // newest first

/** For the test hook: the feed's lines, newest first. */
export const floorTexts = () => floorItems.map((f) => f.text);

function pushFloor(item) {
  floorItems.unshift(item);
  floorItems.length = Math.min(floorItems.length, FLOOR_ITEMS);
  renderFloor();
}

export function renderFloor() {
  $('floor-list').replaceChildren(...floorItems.map((f) => h('li', { class: `floor-item fl-${f.kind}` },
    h('span', { class: 'fl-icon', 'aria-hidden': 'true', text: f.kind === 'win' ? '★' : f.kind === 'deal' ? '$' : '•' }),
    h('span', { class: 'fl-text', text: f.text }))));
  $('floor-empty').hidden = floorItems.length > 0;
}

/** A floor message (live: as it happens; else history from a snapshot). */
export function onFloor(m, live) {
  const d = m.data || {};
  switch (m.type) {
    case 'celebration':
      if (d.rep_id && d.name) repNames.set(d.rep_id, d.name);
      pushFloor({ kind: 'deal', text: `${d.name || d.rep_id} won ${money.format(d.amount)}` });
      break;
    case 'incentive.launched':
      if (d.id) {
        if (!incentives.has(d.id)) incentives.set(d.id, { ...d, winners: d.winners || [] });
        if (live) renderIncentives();
      }
      pushFloor({ kind: 'info', text: `New incentive: ${d.title || ''}` });
      break;
    case 'incentive.ended':
      // Closed early (here or by another manager): the data is the incentive as closed.
      if (d.id) {
        const known = incentives.get(d.id);
        incentives.set(d.id, { ...known, ...d, winners: d.winners || (known && known.winners) || [] });
        if (live) renderIncentives();
      }
      pushFloor({ kind: 'info', text: `Incentive closed: ${d.title || ''}` });
      break;
    case 'incentive.won': {
      if (d.rep_id && d.name) repNames.set(d.rep_id, d.name);
      const inc = incentives.get(d.incentive_id);
      pushFloor({ kind: 'win', text: `${d.name || d.rep_id} won ${points(d.points)} (incentive)` });
      if (!live) break;
      if (inc) {
        const already = (inc.winners || []).some((w) => w.rep_id === d.rep_id && w.deal_id === d.deal_id && !w.clawed_back_at);
        if (!already) {
          inc.winners = (inc.winners || []).concat([{ rep_id: d.rep_id, deal_id: d.deal_id, won_at: new Date(now()).toISOString(), clawed_back_at: null }]);
        }
        renderIncentives();
        if (isWatched(inc.id)) toast(`${d.name || d.rep_id} won ${points(d.points)}`, 'win');
      }
      refreshIncentive(d.incentive_id);
      break;
    }
    case 'contest.started':
    case 'contest.ended':
    case 'contest.final':
      if (d.id) {
        contests.set(d.id, d);
        if (live) renderContests();
      }
      pushFloor({ kind: 'info', text: `${d.name || 'A contest'} ${d.status === 'cancelled' ? 'cancelled' : m.type.slice('contest.'.length)}` });
      break;
    default:
      break;
  }
}

/** A snapshot of the floor: its latest items, as history. */
export function floorSnapshot(items) {
  floorItems.length = 0;
  for (const item of items.slice(-FLOOR_ITEMS)) onFloor(item, false);
  renderFloor();
}
