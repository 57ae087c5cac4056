// What the socket brings the rep's page: the rep's own channel (points, rank changes, my
// targets, my badges), each contest's board and the floor (incentives launched, won and ended; contests
// starting and ending).
import { onAttainment, setAttainment } from './attainment.js';
import { contestName, renderContest, renderContests, sortContests } from './contest-card.js';
import { applyBoard, applyStandings, aroundSoon, dropContest, loadContestsSoon, refreshMineSoon, takesPart, upsertContest } from './contests.js';
import { REASONS, names, signedPoints, wholeFmt } from './format.js';
import { eligible, loadIncentives, renderIncentives } from './incentives.js';
import { loadLedgerSoon, renderBalance, renderLedger, setBalance } from './ledger.js';
import { renderConn, renderHello, signOut } from './session.js';
import { S, contests, incentives, ledger, money, moves, now, rep } from './state.js';
import { TOAST_MS, TOAST_SHORT_MS, toast } from './toasts.js';
import { loadTrophies, onAchievement } from './trophies.js';

const MOVES_KEPT = 10;
const RECENT_DEAL_MS = 10 * 60_000; // a deal of mine in a floor snapshot this recent re-reads my standings

/** The socket client's callbacks for the rep's page. */
export const feed = { onWelcome, onSnapshot, onMessage, onFatal, onServerError };

function onWelcome(m) {
  if (m.currency && money.set(m.currency)) renderAll();
  renderConn();
}

function onFatal(code) {
  signOut(code === 4403
    ? 'Your token was revoked. Ask your manager for a new link.'
    : 'Your token was not accepted for live updates. Sign in again.');
}

function onServerError(m) {
  console.warn('bullpen me: server error', m.code, m.message, m.channel || '');
  if (!m.channel || !S.live) return;
  if (m.channel.startsWith('contest:') && (m.code === 'not_found' || m.code === 'invalid_argument')) {
    S.live.forget(m.channel);
    dropContest(m.channel.slice('contest:'.length));
    renderContests();
  } else if (m.channel.startsWith('rep:') && m.code === 'permission_denied') {
    S.live.forget(m.channel);
  }
}

function onSnapshot(m) {
  const d = m.data || {};
  if (m.channel === 'floor') {
    // History: the latest items update what we know, nothing is announced again. A deal of
    // mine that landed while the snapshot was taken comes inside it, not as a message of its
    // own: my standings are read again for it as for a live one.
    for (const item of d.items || []) onFloor(item, false);
    if ((d.items || []).some(recentlyMine)) refreshMineSoon();
    if (m.recovered === false) loadIncentives();
    return;
  }
  if (m.channel.startsWith('rep:')) {
    const before = S.balance;
    if (typeof d.points_balance === 'number') setBalance(d.points_balance);
    applyStandings(d.standings || []);
    setAttainment(d.attainment);
    if (m.recovered === false) {
      // Messages were lost while away: say what changed, and read the ledger again.
      if (before !== null && S.balance !== null && S.balance !== before) {
        const diff = S.balance - before;
        toast(diff > 0 ? 'reward' : 'clawback', `${signedPoints(diff)} points while you were away`, 'Your ledger below has the details.', TOAST_MS);
      }
      loadLedgerSoon();
      loadTrophies();
    }
    return;
  }
  if (m.channel.startsWith('contest:')) {
    const c = contests.get(m.channel.slice('contest:'.length));
    if (c) applyBoard(c, d, false);
  }
}

function onMessage(m) {
  if (m.channel === 'floor') return onFloor(m, true);
  if (m.channel.startsWith('rep:')) return onRepMessage(m);
  if (m.channel.startsWith('contest:') && m.type === 'update') {
    const c = contests.get(m.channel.slice('contest:'.length));
    if (c) applyBoard(c, m.data, false);
  }
  return undefined;
}

function onRepMessage(m) {
  const d = m.data || {};
  switch (m.type) {
    case 'reward':
    case 'clawback':
      return onPoints(m.type, d);
    case 'rank':
      return onRank(d);
    case 'attainment':
      return onAttainment(d);
    case 'achievement':
      return onAchievement(d);
    default:
      return undefined;
  }
}

function onPoints(kind, d) {
  if (typeof d.balance === 'number') setBalance(d.balance);
  const pts = Number(d.points) || 0;
  let title;
  if (kind === 'reward') {
    title = d.reason === 'prize' ? `You won ${signedPoints(pts)} points!` : `${signedPoints(pts)} points!`;
  } else {
    title = `${signedPoints(pts)} points taken back`;
  }
  // The note starts with the points ("200 points: …"), which the title already says.
  const detail = (d.note || '').replace(/^[+\-−]?[\d.,\s]+points?:\s*/i, '') || REASONS[d.reason] || '';
  toast(kind, title, detail, TOAST_MS);
  // Shown at once; the next read of the ledger replaces it with the stored entry.
  ledger.entries.unshift({
    id: 'pending-' + Date.now() + '-' + Math.random(), points: pts, reason: d.reason || (kind === 'clawback' ? 'clawback' : 'incentive'),
    note: d.note || '', created_at: new Date(now()).toISOString(), incentive_id: d.incentive_id, contest_id: d.contest_id, pending: true,
  });
  renderLedger();
  loadLedgerSoon();
  if (d.incentive_id) {
    const inc = incentives.get(d.incentive_id);
    if (inc) {
      const ws = inc.winners || [];
      if (kind === 'reward' && !ws.some((w) => w.rep_id === rep.rep_id && !w.clawed_back_at)) {
        inc.winners = ws.concat([{ rep_id: rep.rep_id, deal_id: d.deal_id, clawed_back_at: null }]);
      } else if (kind === 'clawback') {
        inc.winners = ws.map((w) => (w.rep_id === rep.rep_id && w.deal_id === d.deal_id && !w.clawed_back_at
          ? { ...w, clawed_back_at: new Date(now()).toISOString() } : w));
      }
      renderIncentives();
    }
  }
}

function onRank(d) {
  const c = contests.get(d.contest_id);
  if (!c) {
    loadContestsSoon();
    return;
  }
  const at = now();
  c.mine = { ...(c.mine || {}), rank: d.rank, score: Number(d.score) || 0 };
  c.onBoard = true;
  c.gapToNext = d.gap_to_next === null || d.gap_to_next === undefined ? null : Number(d.gap_to_next);
  c.dealsToNext = d.deals_to_next ?? null;
  if (d.previous_rank && d.previous_rank !== d.rank) c.moved = { from: d.previous_rank, to: d.rank, at };
  // The neighbours we knew may be stale now: the contest's own update or a read fixes them.
  if (c.above && c.above.rank !== d.rank - 1) c.above = null;
  if (c.below && c.below.rank !== d.rank + 1) c.below = null;
  if (!c.above && d.rank > 1) aroundSoon(c, true);
  const cname = contestName(c);
  const passedBy = d.passed_by || [];
  const passed = d.passed || [];
  if (passedBy.length || passed.length) {
    const kind = passedBy.length ? 'passed' : 'up';
    const text = passedBy.length ? `${names(passedBy)} passed you in ${cname}` : `You passed ${names(passed)} in ${cname}`;
    if (passedBy.length) c.passedBy = { text, at };
    else c.passed = { text, at };
    remember({ kind, text, contest_id: c.id, at });
    // A board in flux: one toast per contest, the newest in place of the last.
    if (c.rankToast && c.rankToast.isConnected) c.rankToast.remove();
    c.rankToast = toast(kind, text, `You are #${d.rank} now.`, TOAST_SHORT_MS);
  }
  renderContest(c);
  sortContests();
}

function remember(move) {
  moves.unshift(move);
  moves.length = Math.min(moves.length, MOVES_KEPT);
}

/** A celebration of my own deal from the last few minutes (server time). */
function recentlyMine(m) {
  const d = m.data || {};
  const at = Date.parse(d.occurred_at || '');
  return m.type === 'celebration' && d.rep_id === rep.rep_id && !Number.isNaN(at) && now() - at < RECENT_DEAL_MS;
}

function onFloor(m, isLive) {
  const d = m.data || {};
  switch (m.type) {
    case 'celebration':
      // My own deal: my scores moved, perhaps where the top 50 does not show it.
      if (isLive && d.rep_id === rep.rep_id) refreshMineSoon();
      break;
    case 'incentive.launched': {
      if (!d.id || d.status === 'closed' || !eligible(d)) break;
      const fresh = !incentives.has(d.id);
      if (!incentives.has(d.id) || isLive) incentives.set(d.id, { ...d, winners: d.winners || [] });
      renderIncentives();
      if (isLive && fresh) {
        const who = d.max_winners > 1 ? ` for the first ${wholeFmt.format(d.max_winners)} reps` : d.max_winners === 1 ? ' for the first rep to make it' : '';
        toast('incentive', `New spot incentive: ${d.title}`, `${signedPoints(d.reward_points)} points${who}.`, TOAST_SHORT_MS);
      }
      break;
    }
    case 'incentive.won': {
      const inc = incentives.get(d.incentive_id);
      if (inc && isLive) {
        const ws = inc.winners || [];
        if (!ws.some((w) => w.rep_id === d.rep_id && w.deal_id === d.deal_id && !w.clawed_back_at)) {
          inc.winners = ws.concat([{ rep_id: d.rep_id, deal_id: d.deal_id, clawed_back_at: null, name: d.name }]);
        }
        renderIncentives();
      }
      break;
    }
    case 'incentive.ended':
      // Closed early by a manager: its countdown goes now.
      if (d.id && incentives.delete(d.id)) renderIncentives();
      break;
    case 'contest.started':
      if (d.id && takesPart(d)) {
        upsertContest(d);
        renderContests();
      }
      break;
    case 'contest.ended': {
      const c = d.id && contests.get(d.id);
      if (c) {
        c.meta = d;
        c.status = d.status || 'ended';
        renderContest(c);
      }
      break;
    }
    case 'contest.final': {
      const c = d.id && contests.get(d.id);
      if (c) {
        c.meta = d;
        c.status = 'final';
        if (S.live) S.live.unsubscribe('contest:' + c.id);
        renderContest(c);
        if (isLive) loadLedgerSoon();
      }
      break;
    }
    default:
      break;
  }
}

function renderAll() {
  renderHello();
  renderBalance();
  for (const c of contests.values()) renderContest(c);
  renderIncentives();
  renderLedger();
}
