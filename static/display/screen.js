// A display bound to a screen (docs/api.md §3 "Screens", §4 channel screen:{id}): `welcome` names
// the screen; its channel's snapshot and each `screen` message bring the configuration whole,
// and the display rebuilds its playlist from it in place: the channels it watches, its slides,
// seconds, money, sound and whose celebrations it shows. A screen deleted falls back to the link.
import { setScreenSound } from './sound.js';
import { S, contests, pairing } from './state.js';
import { setTeams } from './targets.js';

const ROTATE_MIN_S = 5;
const ROTATE_MAX_S = 600;

/** The screen named by welcome: its channel is watched (once; a reconnect resumes it). */
export function bindScreen(screenId) {
  if (!screenId || pairing.screenId === screenId) return;
  pairing.screenId = screenId;
  S.live.subscribe('screen:' + screenId);
}

/**
 * A screen's configuration (a snapshot or a `screen` message). It returns false for a screen
 * that is gone, which the page answers by starting over from its link.
 */
export function applyScreen(sc) {
  if (!sc || sc.removed) return false;
  const slides = Array.isArray(sc.slides) ? sc.slides : [];
  const ids = [...new Set(slides.filter((s) => s.kind === 'contest' && s.id).map((s) => s.id))];
  const teams = [...new Set(slides.filter((s) => s.kind === 'targets' && s.team).map((s) => s.team))];
  const before = new Set([...pairing.contests.map((id) => 'contest:' + id), ...pairing.targets.map((id) => 'targets:' + id)]);
  const after = new Set([...ids.map((id) => 'contest:' + id), ...teams.map((id) => 'targets:' + id)]);
  for (const name of before) if (!after.has(name)) S.live.unsubscribe(name);
  for (const id of [...contests.keys()]) if (!ids.includes(id)) contests.delete(id);
  for (const id of ids) {
    if (!contests.has(id)) contests.set(id, { id, meta: null, standings: null, missing: false, periodRefreshed: '' });
  }
  setTeams(teams);
  pairing.contests = ids;
  pairing.targets = teams;
  pairing.slides = slides;
  pairing.name = sc.name || '';
  pairing.hideAmounts = sc.amounts === 'hide';
  pairing.rotateMs = 1000 * Math.min(ROTATE_MAX_S, Math.max(ROTATE_MIN_S, Number(sc.seconds) || 15));
  pairing.celebrateTeams = Array.isArray(sc.celebrate_teams) ? sc.celebrate_teams : [];
  pairing.version = sc.version;
  setScreenSound(sc.sound !== 'off');
  for (const name of after) if (!before.has(name)) S.live.subscribe(name);
  return true;
}

/** Whether the screen celebrates a team's deals and wins (no list: everyone's). */
export const celebrates = (team) => !pairing.celebrateTeams.length || pairing.celebrateTeams.includes(team || '');
