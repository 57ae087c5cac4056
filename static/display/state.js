// What the wall display's parts share: the pairing from the link, the contests it shows, the
// socket's state, the currency and the page's elements.
import { $, fragment, store } from '../shared/page.js';
import { apiClient } from '../shared/api.js';
import { Money } from '../shared/format.js';

const ROTATE_DEFAULT_S = 15;   // seconds per contest when there are several (&seconds=)
const ROTATE_MIN_S = 5;
const ROTATE_MAX_S = 600;

export const el = {
  main: $('display'), name: $('contest-name'), metric: $('metric'), board: $('board'), rows: $('rows'),
  empty: $('empty'), headName: $('head-name'), headScore: $('head-score'), timeLeft: $('time-left'),
  timeLeftLabel: $('time-left-label'), resets: $('resets'), slides: $('slides'), recent: $('recent'),
  clock: $('clock'), progress: $('progress'), offline: $('offline'), offlineText: $('offline-text'),
  cel: $('celebration'), celKicker: $('cel-kicker'), celName: $('cel-name'), celWhat: $('cel-what'),
  celTeam: $('cel-team'), confetti: $('confetti'), fatal: $('fatal'), fatalTitle: $('fatal-title'),
  fatalText: $('fatal-text'), incentive: $('incentive'), incentiveTitle: $('incentive-title'),
  incentiveMeta: $('incentive-meta'), sound: $('sound'), soundText: $('sound-text'), targets: $('targets'),
  feed: $('feed'), feedRows: $('feed-rows'), feedEmpty: $('feed-empty'),
  pair: $('pair'), pairCode: $('pair-code'), pairText: $('pair-text'),
};

// A token given by pairing with a code, kept by the browser for a display opened at /display.
const PAIRED_KEY = 'bullpen.display.token';

export const pairing = (() => {
  const p = fragment();
  const ids = (p.get('contests') || '').split(',').map((s) => s.trim()).filter(Boolean);
  // boards=targets:east,targets:west: the attainment boards of those teams, after the contests.
  const teams = (p.get('boards') || '').split(',').map((s) => s.trim()).filter((s) => s.startsWith('targets:'))
    .map((s) => s.slice('targets:'.length)).filter(Boolean);
  const seconds = Number.parseFloat(p.get('seconds') || '');
  const token = (p.get('token') || '').trim();
  return {
    token: token || store.get(PAIRED_KEY) || '',
    tokenStored: !token && !!store.get(PAIRED_KEY), // from pairing by code, not the link
    contests: [...new Set(ids)],
    targets: [...new Set(teams)],
    hideAmounts: (p.get('amounts') || '').toLowerCase() === 'hide',
    rotateMs: 1000 * (Number.isFinite(seconds) ? Math.min(ROTATE_MAX_S, Math.max(ROTATE_MIN_S, seconds)) : ROTATE_DEFAULT_S),
    sound: !['off', 'no', 'false', '0'].includes((p.get('sound') || '').toLowerCase()),
    // Set by a screen (screen.js): its id, its slides in order, and whose celebrations it shows
    // (empty: everyone's). Without a screen, slides is null and the link's order holds.
    screenId: null,
    slides: null,
    celebrateTeams: [],
  };
})();

/** Keeps (or, with '', forgets) the token pairing by code gave this browser. */
export function storePairedToken(token) {
  if (token) store.set(PAIRED_KEY, token);
  else store.del(PAIRED_KEY);
}

/** @type {Map<string, {id: string, meta: object|null, standings: object|null, missing: boolean, periodRefreshed: string}>} */
export const contests = new Map();
for (const id of pairing.contests) {
  contests.set(id, { id, meta: null, standings: null, missing: false, periodRefreshed: '' });
}
export const channelNames = () => [...pairing.contests.map((id) => 'contest:' + id), ...pairing.targets.map((id) => 'targets:' + id), 'floor',
  ...(pairing.screenId ? ['screen:' + pairing.screenId] : [])];

export const money = new Money('USD');

/** The API, for contest names and incentives (the standings come over the socket). */
export const api = apiClient({ token: () => pairing.token });

export const S = {
  /** The live feed (shared/live.js): every contest of the pairing and the floor. */
  live: null,
  connected: false,
  everConnected: false,
  stopped: false,               // not paired, or the token was refused: nothing more to do
  startedAt: Date.now(),
};

export const now = () => (S.live ? S.live.now() : Date.now());

export function resubscribe(name, resume) {
  if (S.live) S.live.resubscribe(name, resume);
}
