// Bullpen wall display (docs/api.md §4 and §5): live standings of one or more contests, rotated,
// with celebrations from the floor. Paired by the URL fragment, which never reaches the server:
//   /display#token=…&contests=id1,id2[&boards=targets:east,targets:west][&amounts=hide][&seconds=20][&sound=off]
// boards: teams whose attainment boards (targets:{team_id}) follow the contests as slides.
// seconds: how long each slide of the playlist stays on screen (5 to 600, default 15).
// sound=off: celebrations are silent; the sound button (or the M key) changes it on this screen,
// and that choice is remembered by the browser and wins over the link.
// Plain modern JavaScript (native modules), no build step, nothing from the internet.
//
// The screen's parts are modules of display/: the boards in turn (slides.js), the time left
// (countdown.js), celebrations and the latest deals (celebration.js) with their sound
// (sound.js), the spot incentive banner (incentive.js) and the teams' attainment boards
// (targets.js). This one wires them to the socket.
import { Socket } from './shared/live.js';
import { metricOf } from './shared/format.js';
import { exposeTestHook } from './shared/testhook.js';
import { celebrationState, enqueueCelebration, makeConfetti, pushRecent, stopCelebrations } from './display/celebration.js';
import { incentives, loadIncentives, pollIncentivesIfDue, renderIncentive } from './display/incentive.js';
import { currentContest, currentSlide, playlist, renderAll, restartProgress, rotateIfDue, setStandings, stepSlide, targetsChanged } from './display/slides.js';
import { renderCountdown } from './display/countdown.js';
import { renderSound, soundState, toggleSound, unlockAudio } from './display/sound.js';
import { S, api, channelNames, contests, el, money, pairing, resubscribe, storePairedToken } from './display/state.js';
import { dropTeam, setTeamBoard, setTeamBoards, targetRowsShown, targetsState } from './display/targets.js';
import { applyScreen, bindScreen, celebrates } from './display/screen.js';
import { isFeed, pushFloor, renderFeed } from './display/feed.js';
import { pairingCode, startPairing } from './display/pair.js';

const OFFLINE_GRACE_MS = 2000; // no badge for the first connection's usual handshake

window.addEventListener('hashchange', () => location.reload());

function loadMeta() {
  for (const c of contests.values()) {
    if (c.meta || c.missing) continue;
    api('GET', '/contests/' + encodeURIComponent(c.id)).then((meta) => {
      c.meta = meta;
      renderAll();
    }, (err) => {
      if (err.status === 404 || err.status === 400) {
        c.missing = true;
        renderAll();
      }
      // Anything else: tried again on the next welcome.
    });
  }
}

function connect() {
  S.live = new Socket({
    token: pairing.token,
    channels: channelNames(),
    name: 'bullpen display',
    onStatus: setConnected,
    onWelcome,
    onSnapshot,
    onMessage: onChannelMessage,
    onServerError: onError,
    onFatal(code) {
      if (pairing.tokenStored) {
        // The token pairing gave this browser no longer works: pair again.
        storePairedToken('');
        location.reload();
        return;
      }
      S.stopped = true;
      showFatal(code === 4403 ? 'Token revoked' : 'Display not paired',
        code === 4403
          ? 'This display\'s token was revoked or may not watch boards. Pair the screen again with a new display token.'
          : 'The display token was not accepted. Pair the screen again with a display token from the manager console.');
    },
  });
  S.live.start();
}

function setConnected(on) {
  S.connected = on;
  if (on) S.everConnected = true;
  renderOffline();
}

function onWelcome(m) {
  if (pairing.screenId && m.screen_id !== pairing.screenId) {
    location.reload(); // the token was bound elsewhere, or its screen deleted: start over
    return;
  }
  bindScreen(m.screen_id);
  money.set(m.currency);
  loadMeta();
  loadIncentives();
}

function onError(m) {
  console.warn('bullpen display: server error', m.code, m.message, m.channel || '');
  if (m.channel && m.channel.startsWith('contest:') && (m.code === 'not_found' || m.code === 'invalid_argument' || m.code === 'permission_denied')) {
    const c = contests.get(m.channel.slice('contest:'.length));
    if (c) {
      c.missing = true;
      renderAll();
    }
  }
  if (m.channel && m.channel.startsWith('screen:') && (m.code === 'not_found' || m.code === 'permission_denied')) {
    // The screen went while this display was (re)connecting; a replica may have named it from a
    // token it cached for a few seconds: start over once that has passed.
    S.live.forget(m.channel);
    setTimeout(() => location.reload(), 6000);
  }
  if (m.channel && m.channel.startsWith('targets:') && (m.code === 'invalid_argument' || m.code === 'permission_denied')) {
    dropTeam(m.channel.slice('targets:'.length));
    targetsChanged();
  }
}

/** A screen's configuration, whole: the playlist is rebuilt at once; a deleted screen starts over. */
function onScreen(data) {
  if (!applyScreen(data)) {
    location.reload();
    return;
  }
  loadMeta();
  renderAll(true);
  restartProgress();
}

/** A channel message in order (the socket client drops repeats and asks again after a gap). */
function onChannelMessage(m) {
  if (m.channel === 'floor') return onFloor(m, true);
  if (m.channel.startsWith('screen:') && m.type === 'screen') return onScreen(m.data);
  if (m.channel.startsWith('contest:') && m.type === 'update') {
    const c = contests.get(m.channel.slice('contest:'.length));
    if (c) setStandings(c, m.data, true);
  }
  if (m.channel.startsWith('targets:') && m.type === 'attainment.board') {
    setTeamBoard(m.data);
    targetsChanged();
  }
  return undefined;
}

function onSnapshot(m) {
  if (m.channel.startsWith('screen:')) {
    onScreen(m.data);
    return;
  }
  if (m.channel === 'floor') {
    // The latest items are history: the footer shows them, nothing is celebrated again.
    for (const item of (m.data && m.data.items) || []) onFloor(item, false);
    return;
  }
  if (m.channel.startsWith('targets:')) {
    setTeamBoards(m.channel.slice('targets:'.length), m.data && m.data.boards);
    targetsChanged();
    return;
  }
  const c = contests.get(m.channel.slice('contest:'.length));
  if (c) {
    c.missing = false;
    setStandings(c, m.data, false);
  }
}

function onFloor(m, live) {
  const d = m.data || {};
  switch (m.type) {
    case 'celebration':
      pushRecent({ name: d.name || d.rep_id || 'Someone', amount: d.amount, deal_id: d.deal_id });
      pushFloor({ kind: 'deal', name: d.name || d.rep_id || 'Someone', team: d.team_id || '', amount: d.amount, at: d.occurred_at });
      if (live && celebrates(d.team_id)) {
        enqueueCelebration({ kind: 'deal', name: d.name || d.rep_id || 'Someone', team: d.team_id || '', amount: d.amount, deal_id: d.deal_id || '' });
      }
      break;
    case 'achievement': // a badge: one line in the latest deals, as text; a revocation says nothing
      if (!d.revoked) pushRecent({ name: `🏆 ${d.name || d.rep_id || 'Someone'} earned ${d.title || 'a badge'}` });
      break;
    case 'incentive.launched':
      if (d.id && d.status !== 'closed') incentives.set(d.id, d);
      renderIncentive();
      break;
    case 'incentive.ended': // closed early by a manager
      if (d.id) incentives.delete(d.id);
      renderIncentive();
      break;
    case 'incentive.won': {
      const inc = incentives.get(d.incentive_id);
      if (live && inc) {
        inc.winners = (inc.winners || []).concat([{ rep_id: d.rep_id, deal_id: d.deal_id, clawed_back_at: null }]);
        renderIncentive();
      } else if (live && S.connected) {
        loadIncentives(); // one this display has not heard of (launched while it was away)
      }
      pushFloor({ kind: 'win', name: d.name || d.rep_id || 'Someone', team: d.team_id || '', title: (inc && inc.title) || d.note || 'a spot incentive' });
      if (live && celebrates(d.team_id)) {
        enqueueCelebration({ kind: 'incentive', name: d.name || d.rep_id || 'Someone', team: d.team_id || '', points: d.points,
          title: (inc && inc.title) || d.note || 'a spot incentive', deal_id: d.deal_id || '' });
      }
      break;
    }
    case 'contest.started':
    case 'contest.ended':
    case 'contest.final': {
      const c = d.id && contests.get(d.id);
      if (c) {
        c.meta = d;
        // The board's status and period come with its standings: ask for a fresh one.
        if (live) resubscribe('contest:' + c.id, false);
        renderAll();
      }
      break;
    }
    default:
      break;
  }
}

function renderOffline() {
  const show = !S.connected && !S.stopped && (S.everConnected || Date.now() - S.startedAt > OFFLINE_GRACE_MS);
  el.offline.hidden = !show;
  el.main.dataset.state = S.connected ? 'online' : (S.stopped ? 'stopped' : 'offline');
  el.offlineText.textContent = S.everConnected ? 'Offline · reconnecting…' : 'Connecting…';
}

function showFatal(title, text) {
  el.fatalTitle.textContent = title;
  el.fatalText.textContent = text;
  el.fatal.hidden = false;
  stopCelebrations();
  el.offline.hidden = true;
  el.main.dataset.state = 'stopped';
}

function tick() {
  const t = Date.now();
  if (S.connected) pollIncentivesIfDue(t);
  rotateIfDue(t);
  const cur = currentSlide();
  if (isFeed(cur)) renderFeed(cur);
  renderCountdown();
  renderIncentive();
  renderOffline();
}

exposeTestHook('bullpenDisplay', {
  state() {
    const cur = currentContest();
    const slide = currentSlide();
    return {
      current: cur ? cur.id : null,
      slide: slide ? slide.key || slide.id : null,
      currency: money.code,
      serverVersion: S.live ? S.live.serverVersion : null,
      amountsHidden: pairing.hideAmounts,
      contests: Object.fromEntries([...contests.values()].map((c) => [c.id, {
        name: c.meta ? c.meta.name : null,
        metric: metricOf(c) || null,
        missing: c.missing,
        standings: c.standings,
      }])),
      targets: targetsState(),
      targetRows: targetRowsShown(),
      seq: S.live ? S.live.seqs() : Object.fromEntries(channelNames().map((name) => [name, null])),
      epoch: S.live ? S.live.epochs() : Object.fromEntries(channelNames().map((name) => [name, ''])),
      ...celebrationState(),
      incentives: [...incentives.values()].map((i) => ({ id: i.id, title: i.title, ends_at: i.ends_at })),
      rotateMs: pairing.rotateMs,
      sound: soundState(),
      screen: pairing.screenId ? { id: pairing.screenId, name: pairing.name, version: pairing.version, celebrateTeams: pairing.celebrateTeams } : null,
      playlist: playlist().map((s) => s.key || s.id),
      slideKind: slide ? slide.kind || 'contest' : null,
      pairingCode: pairingCode(),
    };
  },
  connected() {
    return S.connected;
  },
});

document.addEventListener('keydown', (ev) => {
  if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
  if (ev.key === 'ArrowRight') stepSlide(1);
  else if (ev.key === 'ArrowLeft') stepSlide(-1);
  else if (ev.key === 'm' || ev.key === 'M') toggleSound();
});
// Any touch of the page lets the browser start audio.
for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, unlockAudio, { capture: true });
el.sound.addEventListener('click', toggleSound);
renderSound();

makeConfetti();
renderAll();
restartProgress();
if (!pairing.token) {
  // No token: show a code for a manager to claim in the console (or open the pairing link).
  S.stopped = true;
  startPairing();
} else {
  setInterval(tick, 1000);
  connect();
}
