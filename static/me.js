// Bullpen rep view (contract §3–§5, /me): my rank, score and the gap to the next place in every
// live contest, who just passed me, my points balance and ledger, open spot incentives with a
// countdown, and a toast when a reward lands. Made for a phone first.
//
// Signed in with a rep token from the URL fragment (/me#token=…, which never reaches the server)
// or the sign-in form; the token is kept in localStorage until "Sign out". A manager's or admin's
// token may open any rep's page (/me#token=…&rep=rep-17, or the form that asks whose).
//
// Live through the socket client in live.js (auth, subscribe with since/epoch, ping, backoff).
// Plain modern JavaScript, no build step, nothing from the internet.
(() => {
  'use strict';

  const L = window.BullpenLive;
  const STORE_TOKEN = 'bullpen.me.token';
  const STORE_REP = 'bullpen.me.rep';
  const LEDGER_PAGE = 20;
  const TOAST_MS = 6500;          // a reward or clawback stays this long
  const TOAST_SHORT_MS = 4500;    // a rank change or a new incentive
  const MAX_TOASTS = 3;           // on screen at once (2 on a phone); older ones make room
  const TOAST_LOG = 50;           // kept for the test hook
  const POLL_MS = 60000;          // contests, incentives, ledger, standings read again (adjustments send no message)
  const AROUND_EVERY_MS = 10000;  // the neighbours of a rep below a board's top 50, at most this often
  const MINE_EVERY_MS = 4000;     // GET /reps/{id} at most this often when messages ask for it
  const OFFLINE_GRACE_MS = 2000;  // no "offline" for the first connection's usual handshake
  const MOVES_KEPT = 10;

  const $ = (id) => document.getElementById(id);
  const el = {
    conn: $('conn'), connText: $('conn-text'), signout: $('signout'), content: $('content'),
    signin: $('signin'), signinForm: $('signin-form'), token: $('token'), tokenError: $('token-error'),
    showToken: $('show-token'), signinButton: $('signin-button'),
    pick: $('pick'), pickForm: $('pick-form'), pickRep: $('pick-rep'), pickList: $('pick-list'),
    pickError: $('pick-error'), pickLede: $('pick-lede'),
    app: $('app'), repName: $('rep-name'), repMeta: $('rep-meta'), changeRep: $('change-rep'),
    balance: $('balance'), contests: $('contests'), contestsEmpty: $('contests-empty'),
    incentives: $('incentives'), incentivesEmpty: $('incentives-empty'),
    ledger: $('ledger'), ledgerTitle: $('ledger-title'), ledgerEmpty: $('ledger-empty'), ledgerMore: $('ledger-more'), toasts: $('toasts'),
  };

  // ------------------------------------------------------------------ storage (may be off)

  const store = {
    get(k) {
      try {
        return localStorage.getItem(k);
      } catch {
        return null;
      }
    },
    set(k, v) {
      try {
        localStorage.setItem(k, v);
      } catch { /* private mode: the session lasts as long as the page */ }
    },
    del(k) {
      try {
        localStorage.removeItem(k);
      } catch { /* nothing kept */ }
    },
  };

  // ------------------------------------------------------------------ formatting

  const locale = navigator.language || 'en-US';
  let currency = 'USD';
  let moneyFmt = L.moneyFormat(currency, locale, 0);
  const countFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const pointsFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const wholeFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const dateFmt = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const timeFmt = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  const listFmt = typeof Intl.ListFormat === 'function' ? new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }) : null;

  function setCurrency(code) {
    if (!code || code === currency) return false;
    currency = code;
    moneyFmt = L.moneyFormat(currency, locale, 0);
    return true;
  }

  const money = (v) => moneyFmt.format(Number(v) || 0);
  const round2 = (v) => Math.round((Number(v) || 0) * 100) / 100;
  const plural = (n, one, many) => `${wholeFmt.format(n)} ${n === 1 ? one : many}`;
  const signedPoints = (p) => (p > 0 ? '+' : p < 0 ? '−' : '') + wholeFmt.format(Math.abs(p));

  function names(list) {
    const ns = list.map((n) => n.name || n.rep_id).filter(Boolean);
    if (ns.length > 3) return `${ns.slice(0, 2).join(', ')} and ${ns.length - 2} more`;
    return listFmt ? listFmt.format(ns) : ns.join(', ');
  }

  const METRICS = { revenue: 'Revenue', deals: 'Deals', units: 'Units', points: 'Points' };
  const PERIODS = { day: 'Daily board', week: 'Weekly board', month: 'Monthly board', quarter: 'Quarterly board' };
  const REASONS = { incentive: 'Spot incentive', prize: 'Contest prize', adjustment: 'Adjustment', clawback: 'Clawback' };

  const metricOf = (c) => (c.meta && c.meta.metric) || '';
  const isTeam = (c) => !!(c.meta && c.meta.scope === 'team');

  function formatScore(c, v) {
    switch (metricOf(c)) {
      case 'revenue': return money(v);
      case 'points': return `${pointsFmt.format(Number(v) || 0)} pts`;
      case 'deals': return plural(Number(v) || 0, 'deal', 'deals');
      case 'units': return plural(Number(v) || 0, 'unit', 'units');
      default: return countFmt.format(Number(v) || 0);
    }
  }

  /** The smallest step a score moves by (contract: ties go to whoever got there first). */
  const unit = (c) => (metricOf(c) === 'deals' || metricOf(c) === 'units' ? 1 : 0.01);

  // ------------------------------------------------------------------ state

  /** @type {null|{token: string, who: object, repId: string, staff: boolean}} */
  let session = null;
  const rep = { rep_id: '', name: '', team_id: null, known: false };
  let balance = null;
  /** Contests the rep takes part in, by id. */
  const contests = new Map();
  /** Open (or about to open) spot incentives the rep may win, by id. */
  const incentives = new Map();
  const ledger = { entries: [], total: 0, loading: false, loaded: false };
  const toastLog = [];
  let toastCount = 0;
  const moves = [];               // the latest "passed you" / "you passed", newest first
  const early = new Map();        // my standings on contests not loaded yet, by contest id
  let live = null;
  let tickTimer = 0;
  let lastPoll = 0;
  let lastMine = 0;
  let mineTimer = 0;
  let ledgerTimer = 0;
  let contestsTimer = 0;
  let startedAt = 0;
  let retryTimer = 0;

  const now = () => (live ? live.now() : Date.now());

  function newContest(meta) {
    return {
      id: meta.id, meta, status: meta.status || 'live', mine: null, above: null, below: null, total: null,
      period: null, resetsAt: null, gapToNext: null, dealsToNext: null, onBoard: null,
      moved: null, passedBy: null, passed: null, lastAround: 0, aroundTimer: 0, periodRefreshed: '', rankToast: null, els: null,
    };
  }

  // ------------------------------------------------------------------ HTTP

  async function api(path, token = session && session.token) {
    if (!token) {
      // Signed out while a refresh was pending: nothing to ask the server.
      const err = new Error('not signed in');
      err.status = 401;
      throw err;
    }
    let res;
    try {
      res = await fetch('/api/v1' + path, {
        headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch (cause) {
      const err = new Error('network: ' + cause);
      err.status = 0;
      throw err;
    }
    if (!res.ok) {
      let body = null;
      try {
        body = await res.json();
      } catch { /* not JSON */ }
      const e = body && body.error;
      const err = new Error((e && e.message) || `${path}: HTTP ${res.status}`);
      err.status = res.status;
      err.code = e && e.code;
      throw err;
    }
    return res.json();
  }

  /** Runs fn's promise for the current session only; a revoked token signs out. */
  function guarded(promise, onOk, onErr) {
    const s = session;
    return promise.then((v) => {
      if (session === s) onOk(v);
    }, (err) => {
      if (session !== s || !s) return;
      if (err.status === 401) {
        signOut('Your sign-in stopped working (the token may have been revoked). Paste a new token or open a new link.');
        return;
      }
      if (onErr) onErr(err);
      else if (err.status !== 0) console.warn('bullpen me:', err.message);
    });
  }

  // ------------------------------------------------------------------ sign-in

  function boot() {
    const frag = L.fragment();
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

  function setSigninError(text) {
    el.tokenError.textContent = text;
    el.tokenError.hidden = !text;
    if (text) el.token.setAttribute('aria-invalid', 'true');
    else el.token.removeAttribute('aria-invalid');
  }

  async function signIn(token, how) {
    clearTimeout(retryTimer);
    el.signinButton.disabled = true;
    if (how === 'form') setSigninError('');
    let who;
    try {
      who = await api('/me', token);
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

  function searchReps() {
    clearTimeout(pickTimer);
    const q = el.pickRep.value.trim();
    pickTimer = setTimeout(() => {
      api('/reps?limit=20&q=' + encodeURIComponent(q), pickToken).then((body) => {
        el.pickList.replaceChildren(...(body.items || []).map((r) => {
          const o = document.createElement('option');
          o.value = r.rep_id;
          o.label = r.name ? `${r.name}${r.team_id ? ' · ' + r.team_id : ''}` : r.rep_id;
          return o;
        }));
      }, () => {});
    }, 200);
  }

  async function pickRep(ev) {
    ev.preventDefault();
    const q = el.pickRep.value.trim();
    if (!q) {
      el.pickError.textContent = 'Type a rep\'s id or name.';
      el.pickError.hidden = false;
      return;
    }
    try {
      const body = await api('/reps?limit=50&q=' + encodeURIComponent(q), pickToken);
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

  function signOut(message) {
    stopSession();
    store.del(STORE_TOKEN);
    store.del(STORE_REP);
    el.token.value = '';
    showSignin(message || '');
    el.token.focus();
  }

  function stopSession() {
    if (live) live.stop();
    live = null;
    session = null;
    clearInterval(tickTimer);
    clearTimeout(mineTimer);
    clearTimeout(ledgerTimer);
    clearTimeout(contestsTimer);
    clearTimeout(retryTimer);
    for (const c of contests.values()) clearTimeout(c.aroundTimer);
    contests.clear();
    early.clear();
    incentives.clear();
    ledger.entries = [];
    ledger.total = 0;
    ledger.loaded = false;
    moves.length = 0;
    balance = null;
    Object.assign(rep, { rep_id: '', name: '', team_id: null, known: false });
    el.contests.replaceChildren();
    el.incentives.replaceChildren();
    el.ledger.replaceChildren();
    el.toasts.replaceChildren();
  }

  // ------------------------------------------------------------------ the session

  function start(token, who, repId) {
    stopSession();
    session = { token, who, repId, staff: who.role !== 'rep' };
    rep.rep_id = repId;
    startedAt = Date.now();
    el.signin.hidden = true;
    el.pick.hidden = true;
    el.app.hidden = false;
    el.signout.hidden = false;
    el.conn.hidden = false;
    el.changeRep.hidden = !session.staff;
    el.contestsEmpty.textContent = 'Loading your contests…';
    renderHello();
    renderBalance();
    renderContests();
    renderIncentives();
    renderLedger();
    renderConn();
    el.repName.focus({ preventScroll: true });

    live = new L.Socket({
      token,
      name: 'bullpen me',
      channels: ['rep:' + repId, 'floor'],
      onWelcome,
      onSnapshot,
      onMessage,
      onStatus: renderConn,
      onFatal,
      onServerError,
    });
    live.start();
    lastPoll = Date.now();
    loadRep().then(() => loadContests());
    loadIncentives();
    loadLedger(true);
    tickTimer = setInterval(tick, 1000);
  }

  function loadRep() {
    lastMine = Date.now();
    return guarded(api('/reps/' + encodeURIComponent(rep.rep_id)), (v) => {
      rep.known = true;
      rep.name = v.name || '';
      rep.team_id = v.team_id || null;
      if (typeof v.points_balance === 'number') setBalance(v.points_balance);
      applyStandings(v.standings || []);
      renderHello();
    }, (err) => {
      // 404: a rep with no deal yet has no directory entry; the page still works.
      if (err.status !== 404 && err.status !== 0) console.warn('bullpen me: rep', err.message);
    });
  }

  /** Reads my standings again soon (a deal of mine landed, or I fell below a board's top 50). */
  function refreshMineSoon(delay = 800) {
    if (mineTimer) return;
    const wait = Math.max(delay, MINE_EVERY_MS - (Date.now() - lastMine));
    mineTimer = setTimeout(() => {
      mineTimer = 0;
      if (session) loadRep();
    }, wait);
  }

  function takesPart(k) {
    if (k.status === 'cancelled') return false;
    if (k.scope === 'team' && !rep.team_id) return false;
    const p = k.participants;
    if (!p || (!(p.teams || []).length && !(p.reps || []).length)) return true;
    return (p.reps || []).includes(rep.rep_id) || (!!rep.team_id && (p.teams || []).includes(rep.team_id));
  }

  function loadContests() {
    const s = session;
    if (!s) return Promise.resolve();
    return guarded(Promise.all([api('/contests?status=live&limit=100'), api('/contests?status=ended&limit=100')]), ([a, b]) => {
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

  function loadContestsSoon() {
    clearTimeout(contestsTimer);
    contestsTimer = setTimeout(() => {
      if (session) loadContests();
    }, 500);
  }

  function upsertContest(k) {
    let c = contests.get(k.id);
    if (!c) {
      c = newContest(k);
      contests.set(k.id, c);
    }
    c.meta = k;
    if (k.status) c.status = k.status;
    if (live && c.status !== 'final') live.subscribe('contest:' + k.id);
    const s = early.get(k.id);
    if (s) {
      early.delete(k.id);
      setMine(c, Number(s.rank), Number(s.score) || 0);
    }
    return c;
  }

  function dropContest(id) {
    const c = contests.get(id);
    if (!c) return;
    clearTimeout(c.aroundTimer);
    if (c.els) c.els.li.remove();
    contests.delete(id);
    if (live) live.unsubscribe('contest:' + id);
  }

  function loadIncentives() {
    guarded(Promise.all([api('/incentives?status=open&limit=100'), api('/incentives?status=scheduled&limit=100')]), ([a, b]) => {
      incentives.clear();
      for (const inc of [...(a.items || []), ...(b.items || [])]) {
        if (eligible(inc)) incentives.set(inc.id, inc);
      }
      renderIncentives();
    });
  }

  function eligible(inc) {
    const a = inc.audience;
    if (!a || (!(a.teams || []).length && !(a.reps || []).length)) return true;
    return (a.reps || []).includes(rep.rep_id) || (!!rep.team_id && (a.teams || []).includes(rep.team_id));
  }

  function loadLedger(reset) {
    if (ledger.loading && !reset) return;
    ledger.loading = true;
    const limit = reset ? Math.min(500, Math.max(LEDGER_PAGE, ledger.entries.filter((e) => !e.pending).length)) : LEDGER_PAGE;
    const offset = reset ? 0 : ledger.entries.filter((e) => !e.pending).length;
    guarded(api(`/reps/${encodeURIComponent(rep.rep_id)}/ledger?limit=${limit}&offset=${offset}`), (v) => {
      ledger.loading = false;
      ledger.loaded = true;
      ledger.total = v.total || 0;
      const got = v.entries || [];
      if (reset) ledger.entries = got;
      else {
        const have = new Set(ledger.entries.map((e) => e.id));
        ledger.entries = ledger.entries.filter((e) => !e.pending).concat(got.filter((e) => !have.has(e.id)));
      }
      if (typeof v.balance === 'number') setBalance(v.balance);
      renderLedger();
    }, (err) => {
      ledger.loading = false;
      if (err.status === 403) {
        el.ledgerEmpty.textContent = 'This token may not read this rep\'s ledger.';
        el.ledgerEmpty.hidden = false;
      }
    });
  }

  function loadLedgerSoon() {
    clearTimeout(ledgerTimer);
    ledgerTimer = setTimeout(() => {
      if (session) loadLedger(true);
    }, 400);
  }

  function fetchAround(c) {
    if (!c.mine || c.status === 'final') return;
    c.lastAround = Date.now();
    const key = entrantKey(c);
    if (!key) return;
    guarded(api(`/contests/${encodeURIComponent(c.id)}/leaderboard?around=${encodeURIComponent(key)}&radius=1`), (st) => {
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

  function aroundSoon(c, soon = false) {
    if (c.aroundTimer) return;
    const wait = soon ? 300 : Math.max(300, AROUND_EVERY_MS - (Date.now() - c.lastAround));
    c.aroundTimer = setTimeout(() => {
      c.aroundTimer = 0;
      if (session && contests.get(c.id) === c) fetchAround(c);
    }, wait);
  }

  // ------------------------------------------------------------------ socket messages

  function onWelcome(m) {
    if (setCurrency(m.currency)) renderAll();
    renderConn();
  }

  function onFatal(code) {
    signOut(code === 4403
      ? 'Your token was revoked. Ask your manager for a new link.'
      : 'Your token was not accepted for live updates. Sign in again.');
  }

  function onServerError(m) {
    console.warn('bullpen me: server error', m.code, m.message, m.channel || '');
    if (!m.channel || !live) return;
    if (m.channel.startsWith('contest:') && (m.code === 'not_found' || m.code === 'invalid_argument')) {
      live.forget(m.channel);
      dropContest(m.channel.slice('contest:'.length));
      renderContests();
    } else if (m.channel.startsWith('rep:') && m.code === 'permission_denied') {
      live.forget(m.channel);
    }
  }

  function onSnapshot(m) {
    const d = m.data || {};
    if (m.channel === 'floor') {
      // History: the latest items update what we know, nothing is announced again.
      for (const item of d.items || []) onFloor(item, false);
      if (m.recovered === false) loadIncentives();
      return;
    }
    if (m.channel.startsWith('rep:')) {
      const before = balance;
      if (typeof d.points_balance === 'number') setBalance(d.points_balance);
      applyStandings(d.standings || []);
      if (m.recovered === false) {
        // Messages were lost while away: say what changed, and read the ledger again.
        if (before !== null && balance !== null && balance !== before) {
          const diff = balance - before;
          toast(diff > 0 ? 'reward' : 'clawback', `${signedPoints(diff)} points while you were away`, 'Your ledger below has the details.', TOAST_MS);
        }
        loadLedgerSoon();
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
          if (live) live.unsubscribe('contest:' + c.id);
          renderContest(c);
          if (isLive) loadLedgerSoon();
        }
        break;
      }
      default:
        break;
    }
  }

  /**
   * My rank and score from the rep feed or GET /reps/{id}: a row for every open contest I am on,
   * so a contest missing from the list has no row of mine. Rows of contests not loaded yet wait
   * for them.
   */
  function applyStandings(list) {
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
  function applyBoard(c, st, fromAround) {
    if (!st || !Array.isArray(st.entries)) return;
    if (st.period) c.period = st.period;
    if ('resets_at' in st) c.resetsAt = st.resets_at;
    if (st.status) c.status = st.status;
    if (typeof st.total === 'number') c.total = st.total;
    const key = entrantKey(c);
    const team = isTeam(c);
    const mine = key ? st.entries.find((e) => (team ? !e.rep_id && e.team_id === key : e.rep_id === key)) : null;
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

  // ------------------------------------------------------------------ rendering

  function renderAll() {
    renderHello();
    renderBalance();
    for (const c of contests.values()) renderContest(c);
    renderIncentives();
    renderLedger();
  }

  function renderHello() {
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

  function setBalance(v) {
    if (typeof v !== 'number' || Number.isNaN(v)) return;
    const changed = balance !== v;
    balance = v;
    if (changed) renderBalance(true);
  }

  function renderBalance(bump) {
    el.balance.textContent = balance === null ? '—' : wholeFmt.format(balance);
    if (bump && !reducedMotion()) restartClass(el.balance, 'bump');
  }

  const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  const restartClass = (node, cls) => {
    node.classList.remove(cls);
    void node.offsetWidth; // a new animation, not the one already running
    node.classList.add(cls);
  };

  function contestName(c) {
    return (c.meta && c.meta.name) || 'a contest';
  }

  function buildContest(c) {
    const li = document.createElement('li');
    li.className = 'card contest';
    li.dataset.id = c.id;
    li.innerHTML =
      '<div class="c-head"><h3 class="c-name"></h3><p class="c-kind"></p></div>' +
      '<div class="c-place">' +
      '<p class="c-rank"><span class="vh">Rank </span><span class="rank-num"></span><span class="of"></span></p>' +
      '<p class="c-score"><span class="vh">Score </span><span class="score"></span></p>' +
      '<p class="c-moved"></p>' +
      '</div>' +
      '<p class="c-gap"></p>' +
      '<div class="c-race" hidden><div class="race-bar" aria-hidden="true"><div class="race-fill"></div></div><p class="race-text"></p></div>' +
      '<p class="c-passed"></p>' +
      '<p class="c-time"></p>';
    const q = (s) => li.querySelector(s);
    c.els = {
      li, name: q('.c-name'), kind: q('.c-kind'), rank: q('.rank-num'), of: q('.of'), score: q('.score'),
      moved: q('.c-moved'), gap: q('.c-gap'), race: q('.c-race'), raceFill: q('.race-fill'), raceText: q('.race-text'),
      passed: q('.c-passed'), time: q('.c-time'),
    };
    return li;
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
    node.hidden = !text;
  }

  function renderContest(c) {
    if (!contests.has(c.id)) return;
    if (!c.els) {
      el.contests.append(buildContest(c));
      renderContestsEmpty();
    }
    const e = c.els;
    setText(e.name, contestName(c));
    const kind = [METRICS[metricOf(c)] || 'Contest'];
    if (isTeam(c)) kind.push(`Team ${rep.team_id || ''}`.trim());
    if (c.meta && c.meta.kind === 'race') kind.push('Race');
    if (c.meta && PERIODS[c.meta.period]) kind.push(PERIODS[c.meta.period]);
    setText(e.kind, kind.join(' · '));
    const m = c.mine;
    e.li.classList.toggle('off-board', !m);
    e.li.classList.toggle('leader', !!m && m.rank === 1);
    e.li.classList.toggle('final', c.status === 'final');
    if (m) {
      e.rank.textContent = `#${wholeFmt.format(m.rank)}`;
      setText(e.of, c.total ? ` of ${wholeFmt.format(c.total)}` : '');
      e.score.textContent = formatScore(c, m.score);
    } else {
      e.rank.textContent = '—';
      setText(e.of, '');
      e.score.textContent = c.onBoard === false || c.onBoard === null ? 'No score yet' : '';
    }
    // How far I moved last, for a minute.
    const mv = c.moved && now() - c.moved.at < 60000 ? c.moved : null;
    if (mv) {
      const up = mv.to < mv.from;
      setText(e.moved, `${up ? '▲' : '▼'} ${up ? 'up' : 'down'} ${Math.abs(mv.from - mv.to)} from #${mv.from}`);
      e.moved.className = 'c-moved ' + (up ? 'up' : 'down');
    } else {
      setText(e.moved, '');
    }
    setText(e.gap, gapText(c));
    renderRace(c);
    const p = c.passedBy && (!c.passed || c.passedBy.at >= c.passed.at) ? c.passedBy : c.passed;
    if (p && now() - p.at < 15 * 60000) {
      setText(e.passed, `${p.text} · ${agoText(p.at)}`);
      e.passed.className = 'c-passed ' + (p === c.passedBy ? 'down' : 'up');
    } else {
      setText(e.passed, '');
    }
    setText(e.time, timeText(c));
  }

  function renderRace(c) {
    const e = c.els;
    const target = c.meta && c.meta.kind === 'race' ? Number(c.meta.target) : 0;
    if (!target) {
      e.race.hidden = true;
      return;
    }
    e.race.hidden = false;
    const score = c.mine ? c.mine.score : 0;
    e.raceFill.style.width = `${Math.min(100, Math.max(0, (score / target) * 100)).toFixed(1)}%`;
    const left = target - score;
    setText(e.raceText, c.mine && c.mine.finished_at ? 'You crossed the finish line.'
      : `${formatScore(c, Math.max(0, round2(left)))} to the finish (${formatScore(c, target)})`);
  }

  /** "1 deal from #3", "$1,200 from #2": what it takes to move up one place. */
  function gapText(c) {
    const m = c.mine;
    if (!m) {
      if (c.status === 'final') return 'You had no score on this board.';
      return isTeam(c) ? 'Your team has no score yet: a deal puts it on the board.' : 'Not on the board yet: your first deal puts you on it.';
    }
    if (m.finished_at) return 'Finished!';
    const who = (x) => (x && x.name ? ` · ${x.name}` : '');
    if (m.rank === 1) {
      if (c.below && c.below.rank === 2) {
        const lead = round2(m.score - c.below.score);
        if (lead <= 0) return `Level with #2${who(c.below)}, and you got there first`;
        return `In the lead: ${amount(c, lead)} ahead of #2${who(c.below)}`;
      }
      return c.total === 1 ? 'In the lead (the only one on the board so far)' : 'In the lead';
    }
    const next = m.rank - 1;
    let diff = null;
    if (c.above && c.above.rank === next) diff = round2(c.above.score - m.score);
    else if (c.gapToNext !== null) diff = round2(c.gapToNext - unit(c));
    if (diff === null) return `Next up: #${next}`;
    const tail = ` from #${next}${who(c.above && c.above.rank === next ? c.above : null)}`;
    switch (metricOf(c)) {
      case 'deals': {
        const n = c.dealsToNext && !(c.above && c.above.rank === next) ? c.dealsToNext : Math.max(1, Math.floor(diff) + 1);
        return plural(n, 'deal', 'deals') + tail;
      }
      case 'units':
        return plural(Math.max(1, Math.floor(diff) + 1), 'unit', 'units') + tail;
      case 'revenue':
        if (diff <= 0) return `Level with #${next}${who(c.above)}: your next sale moves you up`;
        return money(Math.ceil(diff)) + tail;
      default:
        if (diff <= 0) return `Level with #${next}${who(c.above)}: your next point moves you up`;
        return `${pointsFmt.format(diff)} ${diff === 1 ? 'point' : 'points'}${tail}`;
    }
  }

  function amount(c, v) {
    switch (metricOf(c)) {
      case 'revenue': return money(v);
      case 'deals': return plural(v, 'deal', 'deals');
      case 'units': return plural(v, 'unit', 'units');
      default: return `${pointsFmt.format(v)} points`;
    }
  }

  function timeText(c) {
    const t = now();
    const status = c.status;
    if (status === 'final') return c.mine ? `Final results: you finished #${c.mine.rank}` : 'Final results';
    if (status === 'cancelled') return 'Cancelled';
    const end = c.period && c.period.end ? Date.parse(c.period.end) : (c.meta && c.meta.ends_at ? Date.parse(c.meta.ends_at) : NaN);
    const contestEnd = c.meta && c.meta.ends_at ? Date.parse(c.meta.ends_at) : NaN;
    if (status === 'ended' || (!Number.isNaN(contestEnd) && t >= contestEnd)) return 'Time is up: late deals are still being counted';
    const resetAt = c.resetsAt ? Date.parse(c.resetsAt) : NaN;
    if (!Number.isNaN(resetAt)) {
      if (resetAt + 3000 < t && c.periodRefreshed !== c.resetsAt && live && live.connected) {
        // A new period began: a fresh board, a fresh snapshot.
        c.periodRefreshed = c.resetsAt;
        live.resubscribe('contest:' + c.id, false);
        refreshMineSoon();
      }
      return resetAt > t ? `Fresh board in ${L.formatDuration(resetAt - t)}` : 'A fresh board is starting…';
    }
    if (!Number.isNaN(end)) return end - t > 7 * 86400000 ? `Ends ${dateFmt.format(new Date(end))}` : `Ends in ${L.formatDuration(end - t)}`;
    return c.meta && c.meta.kind === 'race' ? 'Open until the race is won' : '';
  }

  function agoText(at) {
    const s = Math.max(0, Math.round((now() - at) / 1000));
    if (s < 45) return 'just now';
    const m = Math.round(s / 60);
    if (m < 60) return `${m} min ago`;
    return timeFmt.format(new Date(at));
  }

  function renderContests() {
    for (const c of contests.values()) renderContest(c);
    sortContests();
    renderContestsEmpty();
  }

  function renderContestsEmpty() {
    el.contestsEmpty.hidden = contests.size > 0;
    el.contestsEmpty.textContent = 'No live contest includes you right now.';
  }

  const statusOrder = { live: 0, ended: 1, final: 2 };

  /** On the board first (best rank first), then the rest, then finished contests. */
  function sortContests() {
    const list = [...contests.values()].filter((c) => c.els);
    list.sort((a, b) => (statusOrder[a.status] ?? 1) - (statusOrder[b.status] ?? 1)
      || (a.mine ? 0 : 1) - (b.mine ? 0 : 1)
      || (a.mine && b.mine ? a.mine.rank - b.mine.rank : 0)
      || contestName(a).localeCompare(contestName(b)));
    const current = [...el.contests.children];
    if (list.length === current.length && list.every((c, i) => c.els.li === current[i])) return;
    el.contests.append(...list.map((c) => c.els.li));
  }

  // Spot incentives: rebuilt when the set changes, the countdowns ticked in place.
  const incEls = new Map();

  function incentiveList() {
    const t = now();
    return [...incentives.values()].filter((inc) => {
      const ends = Date.parse(inc.ends_at);
      return !(inc.ended_at && Date.parse(inc.ended_at) <= t) && !(ends <= t) && inc.status !== 'closed';
    }).sort((a, b) => Date.parse(a.ends_at) - Date.parse(b.ends_at));
  }

  function renderIncentives() {
    const list = incentiveList();
    const keep = new Set(list.map((i) => i.id));
    for (const [id, x] of incEls) {
      if (!keep.has(id)) {
        x.li.remove();
        incEls.delete(id);
      }
    }
    for (const inc of list) {
      let x = incEls.get(inc.id);
      if (!x) {
        x = buildIncentive();
        incEls.set(inc.id, x);
      }
      fillIncentive(x, inc);
    }
    const order = list.map((i) => incEls.get(i.id).li);
    const current = [...el.incentives.children];
    if (!(order.length === current.length && order.every((li, i) => li === current[i]))) el.incentives.append(...order);
    el.incentivesEmpty.hidden = list.length > 0;
  }

  function buildIncentive() {
    const li = document.createElement('li');
    li.className = 'card incentive';
    li.innerHTML =
      '<div class="i-head"><h3 class="i-title"></h3><p class="i-reward"></p></div>' +
      '<p class="i-cond"></p>' +
      '<p class="i-won" hidden>You won this one</p>' +
      '<div class="i-foot"><p class="i-places"></p><p class="i-time"><span class="i-label"></span> <span class="i-count" role="timer"></span></p></div>';
    const q = (s) => li.querySelector(s);
    return {
      li, title: q('.i-title'), reward: q('.i-reward'), cond: q('.i-cond'), won: q('.i-won'), places: q('.i-places'),
      label: q('.i-label'), count: q('.i-count'),
    };
  }

  function conditionText(inc) {
    const cond = inc.condition || {};
    const parts = [];
    if (cond.type === 'deal.won' || !cond.type) parts.push('Close a deal');
    else parts.push(cond.type);
    if (cond.min_amount !== null && cond.min_amount !== undefined && Number(cond.min_amount) > 0) parts.push(`of ${money(cond.min_amount)} or more`);
    if (cond.product) parts.push(`for ${cond.product}`);
    return parts.join(' ');
  }

  function fillIncentive(x, inc) {
    setText(x.title, inc.title || 'Spot incentive');
    setText(x.reward, `${signedPoints(inc.reward_points || 0)} pts`);
    setText(x.cond, conditionText(inc));
    const winners = (inc.winners || []).filter((w) => !w.clawed_back_at);
    const iWon = winners.some((w) => w.rep_id === rep.rep_id);
    x.won.hidden = !iWon;
    x.li.classList.toggle('won', iWon);
    const left = Math.max(0, (inc.max_winners || 0) - winners.length);
    setText(x.places, inc.max_winners ? (left > 0 ? `${plural(left, 'place', 'places')} left of ${wholeFmt.format(inc.max_winners)}` : 'All places taken') : '');
    x.li.classList.toggle('full', !!inc.max_winners && left === 0);
    tickIncentive(x, inc);
  }

  function tickIncentive(x, inc) {
    const t = now();
    const starts = Date.parse(inc.starts_at);
    const ends = Date.parse(inc.ends_at);
    const soon = !Number.isNaN(starts) && starts > t;
    const label = soon ? 'Starts in' : 'Ends in';
    const count = L.formatDuration((soon ? starts : ends) - t);
    if (x.label.textContent !== label) x.label.textContent = label;
    if (x.count.textContent !== count) x.count.textContent = count;
    x.li.classList.toggle('ending', !soon && ends - t < 5 * 60000);
  }

  function renderLedger() {
    const entries = ledger.entries;
    el.ledger.replaceChildren(...entries.map((e) => {
      const li = document.createElement('li');
      li.className = 'entry ' + (e.points >= 0 ? 'plus' : 'minus') + (e.pending ? ' pending' : '');
      const pts = document.createElement('span');
      pts.className = 'pts';
      pts.textContent = signedPoints(e.points);
      const vh = document.createElement('span');
      vh.className = 'vh';
      vh.textContent = ' points';
      pts.append(vh);
      const body = document.createElement('div');
      body.className = 'what';
      const reason = document.createElement('p');
      reason.className = 'reason';
      reason.textContent = REASONS[e.reason] || e.reason || 'Points';
      body.append(reason);
      if (e.note) {
        const note = document.createElement('p');
        note.className = 'note';
        note.textContent = e.note;
        body.append(note);
      }
      const when = document.createElement('time');
      when.className = 'when';
      if (e.created_at) {
        when.dateTime = e.created_at;
        when.textContent = dateFmt.format(new Date(e.created_at));
      }
      body.append(when);
      li.append(pts, body);
      return li;
    }));
    el.ledgerEmpty.hidden = entries.length > 0 || !ledger.loaded; // nothing said before the first read
    el.ledgerEmpty.textContent = 'No points yet. Win a spot incentive or a contest prize to earn some.';
    const wasFocused = document.activeElement === el.ledgerMore;
    el.ledgerMore.hidden = !(ledger.total > entries.filter((e) => !e.pending).length);
    if (wasFocused && el.ledgerMore.hidden) el.ledgerTitle.focus(); // not lost to the page's start
  }

  function renderConn() {
    if (!session) return;
    const on = !!(live && live.connected);
    const ever = !!(live && live.everConnected);
    const state = on ? 'on' : (ever || Date.now() - startedAt > OFFLINE_GRACE_MS ? 'off' : 'starting');
    el.conn.dataset.state = state;
    const text = on ? 'Live' : ever ? 'Offline · reconnecting…' : 'Connecting…';
    if (el.connText.textContent !== text) el.connText.textContent = text;
    document.body.dataset.live = state;
  }

  // ------------------------------------------------------------------ toasts

  function toast(kind, title, detail, ms) {
    const div = document.createElement('div');
    div.className = 'toast toast-' + kind;
    const icon = document.createElement('span');
    icon.className = 'toast-icon';
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = { reward: '★', clawback: '↩', passed: '▼', up: '▲', incentive: '⚑' }[kind] || '•';
    const text = document.createElement('div');
    text.className = 'toast-text';
    const t = document.createElement('p');
    t.className = 'toast-title';
    t.textContent = title;
    text.append(t);
    if (detail) {
      const d = document.createElement('p');
      d.className = 'toast-detail';
      d.textContent = detail;
      text.append(d);
    }
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'toast-close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    close.addEventListener('click', () => dismiss(div));
    div.append(icon, text, close);
    el.toasts.append(div);
    const max = window.matchMedia('(max-width: 40rem)').matches ? MAX_TOASTS - 1 : MAX_TOASTS;
    while (el.toasts.children.length > max) el.toasts.firstElementChild.remove();
    let timer = setTimeout(() => dismiss(div), ms);
    // Someone reading or reaching for it keeps it up.
    div.addEventListener('pointerenter', () => clearTimeout(timer));
    div.addEventListener('focusin', () => clearTimeout(timer));
    div.addEventListener('pointerleave', () => {
      clearTimeout(timer);
      timer = setTimeout(() => dismiss(div), TOAST_SHORT_MS);
    });
    toastCount++;
    toastLog.push({ kind, title, detail: detail || '', text: detail ? `${title} ${detail}` : title, at: new Date().toISOString() });
    if (toastLog.length > TOAST_LOG) toastLog.splice(0, toastLog.length - TOAST_LOG);
    return div;
  }

  function dismiss(div) {
    if (!div.isConnected || div.classList.contains('out')) return;
    if (reducedMotion()) {
      div.remove();
      return;
    }
    div.classList.add('out');
    setTimeout(() => div.remove(), 250);
  }

  // ------------------------------------------------------------------ the clock

  function tick() {
    if (!session) return;
    renderConn();
    for (const [id, x] of incEls) {
      const inc = incentives.get(id);
      if (inc) tickIncentive(x, inc);
    }
    if (incentiveList().length !== incEls.size) renderIncentives();
    for (const c of contests.values()) {
      if (c.els) {
        setText(c.els.time, timeText(c));
        if (c.moved || c.passedBy || c.passed) renderContest(c);
      }
    }
    if (Date.now() - lastPoll >= POLL_MS && document.visibilityState !== 'hidden') poll();
  }

  function poll() {
    lastPoll = Date.now();
    loadRep().then(() => loadContests());
    loadIncentives();
    loadLedger(true);
  }

  // ------------------------------------------------------------------ test hook

  const plain = (v) => JSON.parse(JSON.stringify(v === undefined ? null : v));
  window.bullpenMe = {
    connected() {
      return !!(live && live.connected);
    },
    signedIn() {
      return !!session;
    },
    state() {
      return plain({
        signedIn: !!session,
        role: session ? session.who.role : null,
        rep: session ? { rep_id: rep.rep_id, name: rep.name, team_id: rep.team_id } : null,
        currency,
        serverVersion: live ? live.serverVersion : null,
        balance,
        contests: [...contests.values()].map((c) => ({
          id: c.id, name: contestName(c), metric: metricOf(c) || null, status: c.status,
          rank: c.mine ? c.mine.rank : null, score: c.mine ? c.mine.score : null, total: c.total,
          above: c.above, below: c.below,
          rankText: c.els ? c.els.rank.textContent : null, scoreText: c.els ? c.els.score.textContent : null,
          gapText: c.els ? c.els.gap.textContent : null, passedText: c.els ? c.els.passed.textContent : null,
          timeText: c.els ? c.els.time.textContent : null,
        })),
        incentives: incentiveList().map((inc) => {
          const x = incEls.get(inc.id);
          return {
            id: inc.id, title: inc.title, ends_at: inc.ends_at, reward_points: inc.reward_points,
            won: (inc.winners || []).some((w) => w.rep_id === rep.rep_id && !w.clawed_back_at),
            countdown: x ? x.count.textContent : null, places: x ? x.places.textContent : null,
          };
        }),
        ledger: ledger.entries.map((e) => ({ id: e.id, points: e.points, reason: e.reason, note: e.note, pending: !!e.pending })),
        ledgerTotal: ledger.total,
        moves,
        toasts: toastLog,
        toastsShown: toastCount,
        seq: live ? live.seqs() : {},
        epoch: live ? live.epochs() : {},
      });
    },
    toasts() {
      return plain(toastLog);
    },
  };

  // ------------------------------------------------------------------ start

  el.signinForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = el.token.value.trim();
    if (!token) {
      setSigninError('Paste your rep token first.');
      el.token.focus();
      return;
    }
    signIn(token, 'form');
  });
  el.showToken.addEventListener('change', () => {
    el.token.type = el.showToken.checked ? 'text' : 'password';
  });
  el.signout.addEventListener('click', () => signOut(''));
  el.pickForm.addEventListener('submit', pickRep);
  el.pickRep.addEventListener('input', searchReps);
  el.changeRep.addEventListener('click', () => {
    if (!session) return;
    const { token, who } = session;
    stopSession();
    store.del(STORE_REP);
    showPick(token, who);
    searchReps();
  });
  el.ledgerMore.addEventListener('click', () => loadLedger(false));
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') for (const t of [...el.toasts.children]) dismiss(t);
  });
  window.addEventListener('hashchange', () => {
    if (!/(^#|&)token=/.test(location.hash)) return;
    stopSession();
    boot();
  });

  boot();
})();
