// Signing the console in and out, its sections, the floor channel of the socket while signed
// in, and what follows the currency the server names.
import { ApiError } from '../shared/api.js';
import { loadAudit, resetAudit } from './audit.js';
import { Socket } from '../shared/live.js';
import { $, fragment, store } from '../shared/page.js';
import { loadContests, renderContests, resetContestForm, syncContestForm } from './contests.js';
import { loadDisplays, renderDisplaysUpdated, resetDisplays } from './displays.js';
import { floorSnapshot, onFloor, renderFloor } from './floor.js';
import { resetCoaching, showCoaching } from './coaching.js';
import { busy, clearErrors, showError } from './forms.js';
import { followCurrency, loadIncentives, renderCountdown, renderIncentives, resetIncentiveForm, resetIncentives } from './incentives.js';
import { renderRepResults, renderSelectedRep, resetPoints, searchReps } from './points.js';
import { S, api, contests, money, whenRevoked } from './state.js';
import { resetTargets, showTargets } from './targets.js';
import { showScreens } from './screens.js';
import { loadTokens, resetTokens, tickTokenScreen } from './tokens.js';
import { loadWebhooks, resetWebhooks } from './webhooks.js';

const TOKEN_KEY = 'bullpen.manage.token';
const DISPLAYS_POLL_MS = 10000;
const INCENTIVES_POLL_MS = 30000;
const CONTESTS_POLL_MS = 60000;
const WEBHOOKS_POLL_MS = 15000;   // an endpoint's state and waiting deliveries, while on screen
const SECTIONS = ['contests', 'incentives', 'points', 'coaching', 'targets', 'screens', 'displays', 'tokens', 'audit', 'webhooks'];
const STAFF = ['admin', 'manager'];

let section = 'contests';
const timers = [];

/** For the test hook. */
export const currentSection = () => section;

whenRevoked(() => signOut('Your token is no longer accepted (revoked?). Sign in again.'));

/** A token in the link's fragment, taken out of the address bar at once. */
export function tokenFromFragment() {
  const p = fragment();
  const t = (p.get('token') || '').trim();
  if (!t) return '';
  // The secret leaves the address bar and the history at once.
  const rest = [...p.keys()].includes('section') ? '#' + p.get('section') : '';
  history.replaceState(null, '', location.pathname + location.search + rest);
  return t;
}

export async function signIn(candidate, fromForm) {
  const form = $('signin-form');
  clearErrors(form);
  let who;
  try {
    who = await api('GET', '/me', undefined, { token: candidate });
  } catch (err) {
    const message = err.status === 401
      ? 'This token was not accepted: it is unknown or was revoked.'
      : err.message;
    showSignIn();
    showError(form, new ApiError(err.status, err.code, message, 'token'), 'Not signed in');
    return false;
  }
  if (!STAFF.includes(who.role)) {
    showSignIn();
    showError(form, new ApiError(403, 'permission_denied',
      `This is a ${who.role} token. The console needs a manager or admin token.`, 'token'), 'Not signed in');
    return false;
  }
  S.token = candidate;
  S.me = who;
  store.set(TOKEN_KEY, S.token);
  if (fromForm) $('signin-token').value = '';
  startConsole(fromForm);
  return true;
}

export function signOut(why) {
  const wasIn = !!S.token;
  S.token = '';
  S.me = null;
  store.del(TOKEN_KEY);
  stopSocket();
  for (const t of timers.splice(0)) clearInterval(t);
  resetIncentives();
  contests.clear();
  resetTokens();
  resetDisplays();
  resetPoints();
  resetCoaching();
  resetTargets();
  resetAudit();
  resetWebhooks();
  showSignIn();
  if (why && wasIn) {
    const msg = $('signin-msg');
    msg.hidden = false;
    msg.textContent = why;
  }
}

export function showSignIn() {
  $('signin').hidden = false;
  $('nav').hidden = true;
  $('who').hidden = true;
  $('conn').hidden = true;
  for (const s of SECTIONS) $('view-' + s).hidden = true;
  document.body.dataset.signedIn = 'false';
  document.title = 'Bullpen · manager console · sign in';
  $('signin-token').focus();
}

/** Shows the console for the signed-in token (focus: move the focus to its heading). */
function startConsole(focus) {
  $('signin').hidden = true;
  $('signin-msg').hidden = true;
  $('nav').hidden = false;
  $('who').hidden = false;
  $('conn').hidden = false;
  document.body.dataset.signedIn = 'true';
  const me = S.me;
  $('who-name').textContent = me.name || (me.role === 'admin' ? 'admin' : me.token_id);
  $('who-role').textContent = me.role;
  for (const el of document.querySelectorAll('[data-admin-only]')) el.hidden = me.role !== 'admin';
  showSection(sectionFromHash() || section, !!focus);
  resetContestForm();
  resetIncentiveForm();
  loadContests();
  loadIncentives();
  loadTokens();
  loadDisplays();
  loadWebhooks();
  timers.push(setInterval(loadDisplays, DISPLAYS_POLL_MS));
  timers.push(setInterval(() => { if (section === 'webhooks') loadWebhooks(); }, WEBHOOKS_POLL_MS));
  timers.push(setInterval(loadIncentives, INCENTIVES_POLL_MS));
  timers.push(setInterval(loadContests, CONTESTS_POLL_MS));
  connect();
}

// ------------------------------------------------------------------ sections

export function sectionFromHash() {
  const s = location.hash.replace(/^#/, '');
  return SECTIONS.includes(s) ? s : '';
}

export function showSection(name, focus = true) {
  if (!S.token) return;
  section = SECTIONS.includes(name) ? name : 'contests';
  for (const s of SECTIONS) $('view-' + s).hidden = s !== section;
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.dataset.nav === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const title = $(section + '-h').textContent;
  document.title = `Bullpen · ${title}`;
  if (focus) $(section + '-h').focus();
  if (section === 'displays') loadDisplays();
  if (section === 'tokens') loadTokens();
  if (section === 'points' && !$('rep-results').children.length) searchReps($('rep-q').value.trim(), renderRepResults);
  if (section === 'coaching') showCoaching();
  if (section === 'targets') showTargets();
  if (section === 'audit') loadAudit();
  if (section === 'webhooks') loadWebhooks();
  if (section === 'screens') showScreens(); // the Screens section (screens.js)
}

// ------------------------------------------------------------------ the socket

function setConnected(on) {
  S.connected = on;
  const c = $('conn');
  c.dataset.state = on ? 'on' : 'off';
  $('conn-text').textContent = on ? 'Live' : 'Offline · reconnecting…';
}

/** Opens the live feed for the signed-in token: the floor channel, resumed after a drop. */
function connect() {
  stopSocket();
  if (!S.token) return;
  const live = new Socket({
    token: S.token,
    channels: ['floor'],
    name: 'bullpen manage',
    onStatus: setConnected,
    onWelcome(m) {
      S.clockOffset = live.clockOffset;
      if (m.currency && money.set(m.currency)) {
        renderCurrencyLabels();
        renderAllData();
      }
    },
    // The console keeps what is being typed: a new server version does not reload it.
    onVersionChange: () => false,
    onServerError(m) {
      console.warn('bullpen manage: server error', m.code, m.message, m.channel || '');
    },
    onSnapshot(m) {
      if (m.channel !== 'floor') return;
      floorSnapshot((m.data && m.data.items) || []);
      // What happened while we were away is read from the API.
      loadIncentives();
    },
    onMessage(m) {
      if (m.channel === 'floor') onFloor(m, true);
    },
    onFatal() {
      signOut('Your token is no longer accepted (revoked?). Sign in again.');
    },
  });
  S.live = live;
  live.start();
}

function stopSocket() {
  const l = S.live;
  S.live = null;
  if (l) l.stop();
  setConnected(false);
}

/** The labels that name the currency. */
export function renderCurrencyLabels() {
  const min = $('i-min-label');
  if (min) min.textContent = `Minimum deal (${money.code})`;
  for (const l of document.querySelectorAll('.money-label')) l.textContent = `${l.dataset.base} (${money.code})`;
  const tl = $('c-target-label');
  if (tl && $('contest-form')) syncContestForm();
}

function renderAllData() {
  renderContests();
  renderIncentives();
  renderFloor();
  renderSelectedRep();
  followCurrency();
}

// ------------------------------------------------------------------ the clock

/** The console's clock: countdowns and "updated … ago". */
export function tick() {
  if (!S.token) return;
  renderCountdown();
  if (section === 'displays') renderDisplaysUpdated();
  if (section === 'tokens') tickTokenScreen();
}

/** Signs in with the link's token or the one kept from last time, else shows the form. */
export function boot() {
  const fromFragment = tokenFromFragment();
  const first = fromFragment || store.get(TOKEN_KEY) || '';
  if (first) {
    signIn(first, false).then((ok) => {
      if (!ok && !fromFragment) store.del(TOKEN_KEY);
    });
  } else {
    showSignIn();
  }
}

/** The sign-in form, the sign-out button, and a link opened while the console is. */
export function wireSession() {
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('signin-token').value.trim();
    if (!t) {
      showError($('signin-form'), new ApiError(0, 'invalid_argument', 'Paste a manager or admin token.', 'token'), 'Not signed in');
      return;
    }
    const button = ev.submitter || $('signin-form').querySelector('button[type=submit]');
    busy(button, () => signIn(t, true));
  });
  $('sign-out').addEventListener('click', () => signOut());
  window.addEventListener('hashchange', () => {
    const t = tokenFromFragment();
    if (t) {
      signIn(t, false);
      return;
    }
    const s = sectionFromHash();
    if (s && S.token) showSection(s);
  });
}
