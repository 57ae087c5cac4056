// Signing in and out of the rep's page, a manager's choice of whose page to see, and the
// session: its socket, its polls and its clock.
import { Socket } from '../shared/live.js';
import { fragment, store } from '../shared/page.js';
import { loadActivity, resetActivity } from './activity.js';
import { resetAttainment } from './attainment.js';
import { renderContests, tickContests } from './contest-card.js';
import { loadContests, loadRep, resetContests } from './contests.js';
import { feed } from './feed.js';
import { loadIncentives, renderIncentives, resetIncentives, tickIncentives } from './incentives.js';
import { loadLedger, renderBalance, renderLedger, resetLedger } from './ledger.js';
import { S, el, get, moves, rep, whenRevoked } from './state.js';
import { loadTrophies, resetTrophies } from './trophies.js';

const STORE_TOKEN = 'bullpen.me.token';
const STORE_REP = 'bullpen.me.rep';
const POLL_MS = 60000;          // contests, incentives, ledger, standings, badges read again (adjustments send no message)
const OFFLINE_GRACE_MS = 2000;  // no "offline" for the first connection's usual handshake

let tickTimer = 0;
let lastPoll = 0;
let startedAt = 0;
let retryTimer = 0;

whenRevoked(() => signOut('Your sign-in stopped working (the token may have been revoked). Paste a new token or open a new link.'));

/** Signs in from the link's fragment, else with the saved token, else shows the form. */
export function boot() {
  const frag = fragment();
  const fromLink = (frag.get('token') || '').trim();
  const repFromLink = (frag.get('rep') || '').trim();
  if (location.hash) {
    // The token leaves the address bar (and the history) at once.
    history.replaceState(null, '', location.pathname + location.search);
  }
  if (fromLink) {
    if (fromLink !== store.get(STORE_TOKEN)) store.del(STORE_REP);
    if (repFromLink) store.set(STORE_REP, repFromLink);
    signIn(fromLink, 'link');
    return;
  }
  const saved = store.get(STORE_TOKEN);
  if (saved) signIn(saved, 'saved');
  else showSignin();
}

function showSignin(message) {
  el.app.hidden = true;
  el.pick.hidden = true;
  el.signin.hidden = false;
  el.signout.hidden = true;
  el.conn.hidden = true;
  setSigninError(message || '');
  el.signinButton.disabled = false;
  document.title = 'Bullpen · sign in';
}

export function setSigninError(text) {
  el.tokenError.textContent = text;
  el.tokenError.hidden = !text;
  if (text) el.token.setAttribute('aria-invalid', 'true');
  else el.token.removeAttribute('aria-invalid');
}

export async function signIn(token, how) {
  clearTimeout(retryTimer);
  el.signinButton.disabled = true;
  if (how === 'form') setSigninError('');
  let who;
  try {
    who = await get('/me', token);
  } catch (err) {
    el.signinButton.disabled = false;
    if (err.status === 401) {
      if (how !== 'form') store.del(STORE_TOKEN);
      showSignin(how === 'saved'
        ? 'Your saved sign-in no longer works (the token may have been revoked). Paste a new token or open a new link.'
        : 'That token was not accepted. Check it, or ask your manager for a new link.');
    } else if (err.status === 403) {
      if (how !== 'form') store.del(STORE_TOKEN);
      showSignin('This token may not open a rep\'s page. Use your own rep token.');
    } else if (err.status === 429) {
      showSignin('Too many tries. Wait a moment, then sign in again.');
    } else {
      // Not the token's fault: keep it and try again by itself.
      if (how !== 'form') store.set(STORE_TOKEN, token);
      showSignin('Bullpen can\'t be reached right now. Trying again…');
      if (how !== 'form') retryTimer = setTimeout(() => signIn(token, 'saved'), 5000);
    }
    if (how === 'form') el.token.focus();
    return;
  }
  el.signinButton.disabled = false;
  if (who.role === 'rep' && who.rep_id) {
    store.set(STORE_TOKEN, token);
    start(token, who, who.rep_id);
    return;
  }
  if (who.role === 'admin' || who.role === 'manager') {
    store.set(STORE_TOKEN, token);
    const chosen = store.get(STORE_REP);
    if (chosen) start(token, who, chosen);
    else showPick(token, who);
    return;
  }
  if (how !== 'form') store.del(STORE_TOKEN);
  showSignin(`A ${who.role} token can't open a rep's page. Use your own rep token.`);
  if (how === 'form') el.token.focus();
}

// A manager or admin chooses whose page to see.
let pickToken = '';
let pickWho = null;
let pickTimer = 0;

function showPick(token, who, message) {
  pickToken = token;
  pickWho = who;
  el.signin.hidden = true;
  el.app.hidden = true;
  el.pick.hidden = false;
  el.signout.hidden = false;
  el.conn.hidden = true;
  el.pickLede.textContent = `You are signed in as ${who.role === 'admin' ? 'an admin' : 'a manager'}${who.name ? ` (${who.name})` : ''}. Choose a rep to see their page.`;
  el.pickError.textContent = message || '';
  el.pickError.hidden = !message;
  document.title = 'Bullpen · choose a rep';
  el.pickRep.focus();
}

export function searchReps() {
  clearTimeout(pickTimer);
  const q = el.pickRep.value.trim();
  pickTimer = setTimeout(() => {
    get('/reps?limit=20&q=' + encodeURIComponent(q), pickToken).then((body) => {
      el.pickList.replaceChildren(...(body.items || []).map((r) => {
        const o = document.createElement('option');
        o.value = r.rep_id;
        o.label = r.name ? `${r.name}${r.team_id ? ' · ' + r.team_id : ''}` : r.rep_id;
        return o;
      }));
    }, () => {});
  }, 200);
}

export async function pickRep(ev) {
  ev.preventDefault();
  const q = el.pickRep.value.trim();
  if (!q) {
    el.pickError.textContent = 'Type a rep\'s id or name.';
    el.pickError.hidden = false;
    return;
  }
  try {
    const body = await get('/reps?limit=50&q=' + encodeURIComponent(q), pickToken);
    const items = body.items || [];
    const hit = items.find((r) => r.rep_id === q) || (items.length === 1 ? items[0] : null)
      || items.find((r) => (r.name || '').toLowerCase() === q.toLowerCase());
    if (!hit) {
      el.pickError.textContent = items.length ? `Several reps match "${q}": pick one from the list.` : `No rep matches "${q}".`;
      el.pickError.hidden = false;
      return;
    }
    store.set(STORE_REP, hit.rep_id);
    start(pickToken, pickWho, hit.rep_id);
  } catch (err) {
    el.pickError.textContent = err.status === 401 ? 'Your token stopped working. Sign out and in again.' : 'Bullpen can\'t be reached right now. Try again.';
    el.pickError.hidden = false;
  }
}

export function signOut(message) {
  stopSession();
  store.del(STORE_TOKEN);
  store.del(STORE_REP);
  el.token.value = '';
  showSignin(message || '');
  el.token.focus();
}

export function stopSession() {
  if (S.live) S.live.stop();
  S.live = null;
  S.session = null;
  clearInterval(tickTimer);
  clearTimeout(retryTimer);
  resetContests();
  resetIncentives();
  resetLedger();
  resetActivity();
  resetAttainment();
  resetTrophies();
  moves.length = 0;
  Object.assign(rep, { rep_id: '', name: '', team_id: null, known: false });
  el.toasts.replaceChildren();
}

/** A manager or admin goes back to choosing whose page to see. */
export function changeRep() {
  if (!S.session) return;
  const { token, who } = S.session;
  stopSession();
  store.del(STORE_REP);
  showPick(token, who);
  searchReps();
}

// ------------------------------------------------------------------ the session

function start(token, who, repId) {
  stopSession();
  S.session = { token, who, repId, staff: who.role !== 'rep' };
  rep.rep_id = repId;
  startedAt = Date.now();
  el.signin.hidden = true;
  el.pick.hidden = true;
  el.app.hidden = false;
  el.signout.hidden = false;
  el.conn.hidden = false;
  el.changeRep.hidden = !S.session.staff;
  el.contestsEmpty.textContent = 'Loading your contests…';
  renderHello();
  renderBalance();
  renderContests();
  renderIncentives();
  renderLedger();
  renderConn();
  el.repName.focus({ preventScroll: true });

  S.live = new Socket({
    token,
    name: 'bullpen me',
    channels: ['rep:' + repId, 'floor'],
    ...feed,
    onStatus: renderConn,
  });
  S.live.start();
  lastPoll = Date.now();
  loadRep().then(() => loadContests());
  loadIncentives();
  loadLedger(true);
  loadActivity(true);
  loadTrophies();
  tickTimer = setInterval(tick, 1000);
}

export function renderHello() {
  const session = S.session;
  if (!session) return;
  const name = rep.name || (session.staff ? rep.rep_id : session.who.name) || rep.rep_id;
  el.repName.textContent = name;
  const parts = [];
  if (rep.team_id) parts.push(`Team ${rep.team_id}`);
  if (session.staff) parts.push(`viewed by ${session.who.role === 'admin' ? 'an admin' : 'a manager'}`);
  else if (!rep.known) parts.push('no deals recorded yet');
  el.repMeta.textContent = parts.join(' · ');
  el.repMeta.hidden = !parts.length;
  document.title = `Bullpen · ${name}`;
}

export function renderConn() {
  if (!S.session) return;
  const on = !!(S.live && S.live.connected);
  const ever = !!(S.live && S.live.everConnected);
  const state = on ? 'on' : (ever || Date.now() - startedAt > OFFLINE_GRACE_MS ? 'off' : 'starting');
  el.conn.dataset.state = state;
  const text = on ? 'Live' : ever ? 'Offline · reconnecting…' : 'Connecting…';
  if (el.connText.textContent !== text) el.connText.textContent = text;
  document.body.dataset.live = state;
}

function tick() {
  if (!S.session) return;
  renderConn();
  tickIncentives();
  tickContests();
  if (Date.now() - lastPoll >= POLL_MS && document.visibilityState !== 'hidden') poll();
}

function poll() {
  lastPoll = Date.now();
  loadRep().then(() => loadContests());
  loadIncentives();
  loadLedger(true);
  loadActivity(false);
  loadTrophies();
}
