// The contests the rep takes part in, and the rep's row on each: read from the API, kept up by
// the socket (the contest's board, the rep's own rank messages), with the neighbours above and
// below for the gap to the next place.
import { setAttainment } from './attainment.js';
import { renderContest, renderContests, sortContests } from './contest-card.js';
import { isTeam } from './format.js';
import { setBalance } from './ledger.js';
import { renderHello } from './session.js';
import { S, contests, el, get, guarded, rep } from './state.js';

const AROUND_EVERY_MS = 10000;  // the neighbours of a rep below a board's top 50, at most this often
const MINE_EVERY_MS = 4000;     // GET /reps/{id} at most this often when messages ask for it
const PACE_EVERY_MS = 60000;    // the pace moves with the clock too: read it again this often

const early = new Map();        // my standings on contests not loaded yet, by contest id
let lastMine = 0;
let mineTimer = 0;
let contestsTimer = 0;

function newContest(meta) {
  return {
    id: meta.id, meta, status: meta.status || 'live', mine: null, above: null, below: null, total: null,
    period: null, resetsAt: null, gapToNext: null, dealsToNext: null, onBoard: null, pace: null, paceAt: 0,
    moved: null, passedBy: null, passed: null, lastAround: 0, aroundTimer: 0, periodRefreshed: '', rankToast: null, els: null,
  };
}

export function loadRep() {
  lastMine = Date.now();
  return guarded(get('/reps/' + encodeURIComponent(rep.rep_id)), (v) => {
    rep.known = true;
    rep.name = v.name || '';
    rep.team_id = v.team_id || null;
    if (typeof v.points_balance === 'number') setBalance(v.points_balance);
    applyStandings(v.standings || []);
    setAttainment(v.attainment);
    renderHello();
  }, (err) => {
    // 404: a rep with no deal yet has no directory entry; the page still works.
    if (err.status !== 404 && err.status !== 0) console.warn('bullpen me: rep', err.message);
  });
}

/** Reads my standings again soon (a deal of mine landed, or I fell below a board's top 50). */
export function refreshMineSoon(delay = 800) {
  if (mineTimer) return;
  const wait = Math.max(delay, MINE_EVERY_MS - (Date.now() - lastMine));
  mineTimer = setTimeout(() => {
    mineTimer = 0;
    if (S.session) loadRep();
  }, wait);
}

/** Whether the rep is in contest k (its participants, or a team contest and the rep's team). */
export function takesPart(k) {
  if (k.status === 'cancelled') return false;
  if (k.scope === 'team' && !rep.team_id) return false;
  const p = k.participants;
  if (!p || (!(p.teams || []).length && !(p.reps || []).length)) return true;
  return (p.reps || []).includes(rep.rep_id) || (!!rep.team_id && (p.teams || []).includes(rep.team_id));
}

export function loadContests() {
  const s = S.session;
  if (!s) return Promise.resolve();
  return guarded(Promise.all([get('/contests?status=live&limit=100'), get('/contests?status=ended&limit=100')]), ([a, b]) => {
    const seen = new Set();
    for (const k of [...(a.items || []), ...(b.items || [])]) {
      if (!takesPart(k)) continue;
      seen.add(k.id);
      upsertContest(k);
    }
    for (const [id, c] of contests) {
      if (!seen.has(id) && c.status !== 'final') dropContest(id);
    }
    renderContests();
  });
}

export function loadContestsSoon() {
  clearTimeout(contestsTimer);
  contestsTimer = setTimeout(() => {
    if (S.session) loadContests();
  }, 500);
}

export function upsertContest(k) {
  let c = contests.get(k.id);
  if (!c) {
    c = newContest(k);
    contests.set(k.id, c);
  }
  c.meta = k;
  if (k.status) c.status = k.status;
  if (S.live && c.status !== 'final') S.live.subscribe('contest:' + k.id);
  const s = early.get(k.id);
  if (s) {
    early.delete(k.id);
    setMine(c, Number(s.rank), Number(s.score) || 0);
  }
  return c;
}

export function dropContest(id) {
  const c = contests.get(id);
  if (!c) return;
  clearTimeout(c.aroundTimer);
  if (c.els) c.els.li.remove();
  contests.delete(id);
  if (S.live) S.live.unsubscribe('contest:' + id);
}

function fetchAround(c) {
  if (!c.mine || c.status === 'final') return;
  c.lastAround = Date.now();
  const key = entrantKey(c);
  if (!key) return;
  guarded(get(`/contests/${encodeURIComponent(c.id)}/leaderboard?around=${encodeURIComponent(key)}&radius=1`), (st) => {
    applyBoard(c, st, true);
  }, (err) => {
    if (err.status === 404) {
      // No row on this board (a new period, say).
      c.mine = null;
      c.onBoard = false;
      renderContest(c);
    }
  });
}

export function aroundSoon(c, soon = false) {
  if (c.aroundTimer) return;
  const wait = soon ? 300 : Math.max(300, AROUND_EVERY_MS - (Date.now() - c.lastAround));
  c.aroundTimer = setTimeout(() => {
    c.aroundTimer = 0;
    if (S.session && contests.get(c.id) === c) fetchAround(c);
  }, wait);
}

/**
 * My rank and score from the rep feed or GET /reps/{id}: a row for every open contest I am on,
 * so a contest missing from the list has no row of mine. Rows of contests not loaded yet wait
 * for them.
 */
export function applyStandings(list) {
  const seen = new Set();
  early.clear();
  for (const s of list) {
    seen.add(s.contest_id);
    const c = contests.get(s.contest_id);
    if (!c) {
      early.set(s.contest_id, s);
      loadContestsSoon();
      continue;
    }
    setMine(c, Number(s.rank), Number(s.score) || 0);
  }
  for (const c of contests.values()) {
    if (seen.has(c.id) || c.status === 'final' || !c.mine) continue;
    c.mine = null;
    c.above = c.below = null;
    c.onBoard = false;
    renderContest(c);
  }
  sortContests();
}

function setMine(c, rank, score) {
  const changed = !c.mine || c.mine.rank !== rank || c.mine.score !== score;
  c.mine = { ...(c.mine || {}), rank, score };
  c.onBoard = true;
  if (c.above && c.above.rank !== rank - 1) c.above = null;
  if (c.below && c.below.rank !== rank + 1) c.below = null;
  // Who is next to me, for the gap: read when unknown or when my row moved.
  if ((changed || !c.above) && ((rank > 1 && !c.above) || (rank === 1 && !c.below && c.total !== 1))) aroundSoon(c, true);
  renderContest(c);
}

function entrantKey(c) {
  return isTeam(c) ? rep.team_id : rep.rep_id;
}

/** A board (top 50 from the channel, or the rows around me) tells my row and my neighbours. */
export function applyBoard(c, st, fromAround) {
  if (!st || !Array.isArray(st.entries)) return;
  if (st.period) c.period = st.period;
  if ('resets_at' in st) c.resetsAt = st.resets_at;
  if (st.status) c.status = st.status;
  if (typeof st.total === 'number') c.total = st.total;
  const key = entrantKey(c);
  const team = isTeam(c);
  const mine = key ? st.entries.find((e) => (team ? !e.rep_id && e.team_id === key : e.rep_id === key)) : null;
  if (fromAround) {
    // Only the API's board has pace (the channel's updates do not): keep it until the next read.
    c.paceAt = Date.now();
    c.pace = mine && st.pace && mine.pace_rank ? { rank: mine.pace_rank, projected: Number(mine.projected) || 0, score: Number(mine.score) || 0 } : null;
  }
  if (mine) {
    c.mine = { rank: mine.rank, score: Number(mine.score) || 0, finished_at: mine.finished_at || null };
    c.onBoard = true;
    const byRank = (r) => st.entries.find((e) => e.rank === r) || null;
    const label = (e) => (team ? `Team ${e.team_id || e.name}` : e.name || e.rep_id || '');
    const pick = (e) => (e ? { rank: e.rank, name: label(e), score: Number(e.score) || 0 } : null);
    c.above = pick(byRank(mine.rank - 1));
    c.below = pick(byRank(mine.rank + 1));
    if (!team && !rep.name && mine.name) {
      rep.name = mine.name;
      if (!rep.team_id && mine.team_id) rep.team_id = mine.team_id;
      renderHello();
    }
  } else if (!fromAround) {
    if (st.entries.length >= (c.total || 0)) {
      // The whole board is here and I am not on it.
      c.mine = null;
      c.above = c.below = null;
      c.onBoard = false;
    } else if (c.mine) {
      aroundSoon(c); // below the top 50: read my neighbours now and then
    }
  }
  renderContest(c);
  sortContests();
}

/** Whether contest c's board has pace: live, with an end, not a race (docs/api.md §6 "Pace"). */
function paced(c) {
  const k = c.meta || {};
  return c.status === 'live' && k.kind !== 'race' && (!!k.ends_at || (!!k.period && k.period !== 'none'));
}

/** Reads my row's pace again when my score moved since, or a minute went by. */
export function refreshPace(c) {
  if (!c.mine || !paced(c)) return;
  const stale = !c.pace ? Date.now() - c.paceAt > AROUND_EVERY_MS : c.pace.score !== c.mine.score;
  if (stale || Date.now() - c.paceAt > PACE_EVERY_MS) aroundSoon(c);
}

/** Forgets the contests of a session that ended. */
export function resetContests() {
  // Zeroed as well as cleared: refreshMineSoon waits for a pending timer to end, and a cleared
  // one never ends, so the next session's page would never read its standings again.
  clearTimeout(mineTimer);
  clearTimeout(contestsTimer);
  mineTimer = 0;
  contestsTimer = 0;
  for (const c of contests.values()) clearTimeout(c.aroundTimer);
  contests.clear();
  early.clear();
  el.contests.replaceChildren();
}
