// Bullpen wall display (contract §4 and §5): live standings of one or more contests, rotated,
// with celebrations from the floor. Paired by the URL fragment, which never reaches the server:
//   /display#token=…&contests=id1,id2[&amounts=hide][&seconds=20][&sound=off]
// seconds: how long each contest of the playlist stays on screen (5 to 600, default 15).
// sound=off: celebrations are silent; the sound button (or the M key) changes it on this screen,
// and that choice is remembered by the browser and wins over the link.
// Plain modern JavaScript, no build step, nothing from the internet.
(() => {
  'use strict';

  const ROTATE_DEFAULT_S = 15;   // seconds per contest when there are several (&seconds=)
  const ROTATE_MIN_S = 5;
  const ROTATE_MAX_S = 600;
  const CELEBRATION_MS = 4000;   // how long a celebration holds the screen
  const CELEBRATION_BUSY_MS = 2600; // ... when more are waiting
  const MAX_WAITING = 5;         // celebrations waiting beyond this fold into one "+N deals" card
  const CELEBRATION_RUN_MS = 12000; // after this long of back-to-back celebrations...
  const BOARD_BREAK_MS = 8000;   // ... the board gets the screen back for this long
  const OFFLINE_GRACE_MS = 2000; // no badge for the first connection's usual handshake
  const INCENTIVE_POLL_MS = 60000;
  const INCENTIVE_POLL_OPEN_MS = 15000; // while a banner shows: it may be closed early (no floor message says so)
  const SOUND_KEY = 'bullpen.display.sound';
  const SOUND_UNLOCK_WAIT_MS = 400; // a celebration's sound that cannot start by then is skipped, not played late
  const TOP = 10;
  const RECENT = 4;              // latest deals in the footer
  const SHOWN_LOG = 50;          // celebrations kept for the test hook

  const $ = (id) => document.getElementById(id);
  const el = {
    main: $('display'), name: $('contest-name'), metric: $('metric'), board: $('board'), rows: $('rows'),
    empty: $('empty'), headName: $('head-name'), headScore: $('head-score'), timeLeft: $('time-left'),
    timeLeftLabel: $('time-left-label'), resets: $('resets'), slides: $('slides'), recent: $('recent'),
    clock: $('clock'), progress: $('progress'), offline: $('offline'), offlineText: $('offline-text'),
    cel: $('celebration'), celKicker: $('cel-kicker'), celName: $('cel-name'), celWhat: $('cel-what'),
    celTeam: $('cel-team'), confetti: $('confetti'), fatal: $('fatal'), fatalTitle: $('fatal-title'),
    fatalText: $('fatal-text'), incentive: $('incentive'), incentiveTitle: $('incentive-title'),
    incentiveMeta: $('incentive-meta'), sound: $('sound'), soundText: $('sound-text'),
  };

  // ------------------------------------------------------------------ pairing

  const pairing = (() => {
    const p = new URLSearchParams(location.hash.replace(/^#/, ''));
    const ids = (p.get('contests') || '').split(',').map((s) => s.trim()).filter(Boolean);
    const seconds = Number.parseFloat(p.get('seconds') || '');
    return {
      token: (p.get('token') || '').trim(),
      contests: [...new Set(ids)],
      hideAmounts: (p.get('amounts') || '').toLowerCase() === 'hide',
      rotateMs: 1000 * (Number.isFinite(seconds) ? Math.min(ROTATE_MAX_S, Math.max(ROTATE_MIN_S, seconds)) : ROTATE_DEFAULT_S),
      sound: !['off', 'no', 'false', '0'].includes((p.get('sound') || '').toLowerCase()),
    };
  })();
  window.addEventListener('hashchange', () => location.reload());

  // ------------------------------------------------------------------ state

  /** @type {Map<string, {id: string, meta: object|null, standings: object|null, missing: boolean, periodRefreshed: string}>} */
  const contests = new Map();
  for (const id of pairing.contests) {
    contests.set(id, { id, meta: null, standings: null, missing: false, periodRefreshed: '' });
  }
  const channelNames = () => [...pairing.contests.map((id) => 'contest:' + id), 'floor'];

  let currency = 'USD';
  /** The live feed (live.js): every contest of the pairing and the floor. */
  let live = null;
  let connected = false;
  let everConnected = false;
  let stopped = false;           // not paired, or the token was refused: nothing more to do
  let lastIncentivePoll = 0;
  const startedAt = Date.now();

  const celQueue = [];
  let celShowing = null;
  let celShownCount = 0;
  const celShown = [];
  const recent = [];             // latest deals, newest first
  const incentives = new Map();  // open spot incentives by id

  let slideIndex = 0;
  let slideStartedAt = Date.now();
  let renderedContest = null;    // the contest whose rows are in the DOM
  const rowEls = new Map();      // entrant key -> {li, rank, score, refs}

  const now = () => (live ? live.now() : Date.now());

  // ------------------------------------------------------------------ formatting

  const locale = navigator.language || 'en-US';
  let moneyFmt = null;
  const countFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const pointsFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const timeFmt = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
  const dayTimeFmt = new Intl.DateTimeFormat(locale, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
  const dateFmt = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

  function setCurrency(code) {
    currency = code || 'USD';
    try {
      moneyFmt = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: 0, maximumFractionDigits: 0 });
    } catch {
      moneyFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    }
  }
  setCurrency(currency);

  const money = (v) => moneyFmt.format(Number(v) || 0);

  const METRICS = { revenue: 'Revenue', deals: 'Deals', units: 'Units', points: 'Points' };

  /** Whether a contest's scores are shown at all (amounts=hide keeps money off the wall). */
  const showsScore = (c) => !(pairing.hideAmounts && metricOf(c) === 'revenue');
  const metricOf = (c) => (c && c.meta && c.meta.metric) || '';

  function formatScore(c, v) {
    switch (metricOf(c)) {
      case 'revenue': return money(v);
      case 'points': return pointsFmt.format(Number(v) || 0);
      default: return countFmt.format(Number(v) || 0);
    }
  }

  const formatDuration = (ms) => window.BullpenLive.formatDuration(ms, { clock: true });

  function shortDuration(ms) {
    const m = Math.max(0, Math.round(ms / 60000));
    if (m < 60) return `${m} min`;
    const h = Math.floor(m / 60);
    if (h < 48) return `${h} h ${String(m % 60).padStart(2, '0')} min`;
    return `${Math.floor(h / 24)} days`;
  }

  // ------------------------------------------------------------------ HTTP (contest names, incentives)

  async function api(path) {
    const res = await fetch('/api/v1' + path, {
      headers: { Authorization: 'Bearer ' + pairing.token, Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
    });
    if (!res.ok) {
      const err = new Error(`${path}: HTTP ${res.status}`);
      err.status = res.status;
      throw err;
    }
    return res.json();
  }

  function loadMeta() {
    for (const c of contests.values()) {
      if (c.meta || c.missing) continue;
      api('/contests/' + encodeURIComponent(c.id)).then((meta) => {
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

  function loadIncentives() {
    lastIncentivePoll = Date.now();
    api('/incentives?status=open&limit=50').then((body) => {
      incentives.clear();
      for (const inc of body.items || []) incentives.set(inc.id, inc);
      renderIncentive();
    }, () => {});
  }

  // ------------------------------------------------------------------ the socket

  function connect() {
    live = new window.BullpenLive.Socket({
      token: pairing.token,
      channels: channelNames(),
      name: 'bullpen display',
      onStatus: setConnected,
      onWelcome,
      onSnapshot,
      onMessage: onChannelMessage,
      onServerError: onError,
      onFatal(code) {
        stopped = true;
        showFatal(code === 4403 ? 'Token revoked' : 'Display not paired',
          code === 4403
            ? 'This display\'s token was revoked or may not watch boards. Pair the screen again with a new display token.'
            : 'The display token was not accepted. Pair the screen again with a display token from the manager console.');
      },
    });
    live.start();
  }

  function resubscribe(name, resume) {
    if (live) live.resubscribe(name, resume);
  }

  function setConnected(on) {
    connected = on;
    if (on) everConnected = true;
    renderOffline();
  }

  // ------------------------------------------------------------------ messages

  function onWelcome(m) {
    setCurrency(m.currency);
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
  }

  /** A channel message in order (live.js drops repeats and asks again after a gap). */
  function onChannelMessage(m) {
    if (m.channel === 'floor') return onFloor(m, true);
    if (m.channel.startsWith('contest:') && m.type === 'update') {
      const c = contests.get(m.channel.slice('contest:'.length));
      if (c) setStandings(c, m.data, true);
    }
  }

  function onSnapshot(m) {
    if (m.channel === 'floor') {
      // The latest items are history: the footer shows them, nothing is celebrated again.
      for (const item of (m.data && m.data.items) || []) onFloor(item, false);
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
        if (live) {
          enqueueCelebration({ kind: 'deal', name: d.name || d.rep_id || 'Someone', team: d.team_id || '', amount: d.amount, deal_id: d.deal_id || '' });
        }
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
        } else if (live && connected) {
          loadIncentives(); // one this display has not heard of (launched while it was away)
        }
        if (live) {
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

  // ------------------------------------------------------------------ standings

  function setStandings(c, st, live) {
    if (!st || !Array.isArray(st.entries)) return;
    c.standings = st;
    if (currentContest() === c) renderBoard(live);
    else if (!currentContest()) renderAll();
  }

  /** Contests that can be shown, in the pairing's order. */
  function playlist() {
    return [...contests.values()].filter((c) => !c.missing);
  }

  function currentContest() {
    const list = playlist();
    if (!list.length) return null;
    if (slideIndex >= list.length) slideIndex = 0;
    return list[slideIndex];
  }

  function goToSlide(i) {
    const list = playlist();
    if (!list.length) return;
    slideIndex = ((i % list.length) + list.length) % list.length;
    slideStartedAt = Date.now();
    renderAll(true);
    restartProgress();
  }

  // ------------------------------------------------------------------ rendering

  function renderAll(fade) {
    renderHeader();
    renderBoard(false, fade);
    renderSlides();
    renderCountdown();
    renderIncentive();
  }

  function renderHeader() {
    const c = currentContest();
    if (!c) {
      el.name.textContent = contests.size ? 'Contest not found' : 'No contest chosen';
      el.metric.textContent = 'Live standings';
      document.title = 'Bullpen · wall display';
      return;
    }
    const name = (c.meta && c.meta.name) || 'Live contest';
    el.name.textContent = name;
    document.title = 'Bullpen · ' + name;
    const parts = [METRICS[metricOf(c)] || 'Live standings'];
    if (c.meta && c.meta.scope === 'team') parts.push('Teams');
    if (c.meta && c.meta.kind === 'race') parts.push('Race');
    el.metric.textContent = parts.join(' · ');
  }

  const isTeamBoard = (c) => (c.meta ? c.meta.scope === 'team'
    : !!(c.standings && c.standings.entries.length && c.standings.entries.every((e) => !e.rep_id)));
  const entryKey = (e) => (e.rep_id ? 'rep:' + e.rep_id : 'team:' + (e.team_id || e.name));

  function buildRow() {
    const li = document.createElement('li');
    li.className = 'row';
    li.innerHTML =
      '<span class="c-rank"><span class="rank"></span><span class="moved" aria-hidden="true"></span></span>' +
      '<span class="c-name"><span class="nm"></span></span>' +
      '<span class="c-team"></span>' +
      '<span class="c-score"><span class="delta" aria-hidden="true"></span><span class="score"></span></span>';
    li.addEventListener('animationend', (ev) => {
      if (ev.animationName === 'flash') li.classList.remove('bump');
      if (ev.animationName === 'moved') li.classList.remove('rose');
      if (ev.animationName === 'enter') li.classList.remove('enter');
    });
    return {
      li, rank: 0, score: null, anim: null,
      refs: {
        rank: li.querySelector('.rank'), moved: li.querySelector('.moved'), name: li.querySelector('.nm'),
        cName: li.querySelector('.c-name'), team: li.querySelector('.c-team'), score: li.querySelector('.score'),
        delta: li.querySelector('.delta'),
      },
    };
  }

  const restartClass = (node, cls) => {
    node.classList.remove(cls);
    void node.offsetWidth; // a new animation, not the one already running
    node.classList.add(cls);
  };

  /**
   * Draws the current contest's top rows. With animate, rows keep their element and slide from
   * where they were to where they are now (FLIP), and a row whose score went up flashes.
   */
  function renderBoard(animate, fade) {
    const c = currentContest();
    const st = c && c.standings;
    if (!c || renderedContest !== c.id) {
      for (const r of rowEls.values()) r.li.remove();
      rowEls.clear();
      renderedContest = c ? c.id : null;
      animate = false;
    }
    el.board.classList.toggle('team-scope', !!c && isTeamBoard(c));
    el.board.classList.toggle('no-score', !!c && !showsScore(c));
    el.headName.textContent = c && isTeamBoard(c) ? 'Team' : 'Rep';
    el.headScore.textContent = (c && METRICS[metricOf(c)]) || 'Score';
    if (!st) {
      el.empty.hidden = false;
      el.empty.textContent = !c ? (contests.size ? 'None of this display\'s contests was found.' : 'Add &contests=id1,id2 to the pairing link.')
        : 'Waiting for the standings…';
      return;
    }
    el.board.setAttribute('aria-busy', 'false');
    const entries = st.entries.slice(0, TOP);
    el.empty.hidden = entries.length > 0;
    el.empty.textContent = 'No scores yet: the first deal takes the top spot.';

    // First: where every row is now (mid-animation included).
    const first = new Map();
    if (animate) {
      for (const [key, r] of rowEls) first.set(key, r.li.getBoundingClientRect().top);
    }
    const scored = showsScore(c);
    const race = c.meta && c.meta.kind === 'race' && c.meta.target;
    const top = Math.max(0, Number(entries.length ? entries[0].score : 0));
    const keep = new Set();
    const ordered = [];
    for (const e of entries) {
      const key = entryKey(e);
      keep.add(key);
      let r = rowEls.get(key);
      const fresh = !r;
      if (fresh) {
        r = buildRow();
        rowEls.set(key, r);
      }
      const score = Number(e.score) || 0;
      const refs = r.refs;
      for (const k of [1, 2, 3]) r.li.classList.toggle('r' + k, e.rank === k);
      refs.rank.textContent = String(e.rank);
      refs.name.textContent = e.name || e.rep_id || e.team_id || '—';
      let badge = refs.cName.querySelector('.finished');
      if (e.finished_at && !badge) {
        badge = document.createElement('span');
        badge.className = 'finished';
        badge.textContent = 'Finished';
        refs.cName.append(badge);
      } else if (!e.finished_at && badge) {
        badge.remove();
      }
      refs.team.textContent = e.team_id || '';
      refs.score.textContent = scored ? formatScore(c, score) : '';
      const share = race ? Math.min(1, score / Number(c.meta.target)) : (top > 0 ? Math.max(0, score) / top : 0);
      r.li.style.setProperty('--share', share.toFixed(4));
      r.li.classList.toggle('zero', !(share > 0));
      if (animate && !fresh) {
        if (r.score !== null && score > r.score) {
          refs.delta.textContent = scored ? '+' + formatScore(c, score - r.score) : '';
          restartClass(r.li, 'bump');
        }
        if (r.rank && e.rank < r.rank) {
          refs.moved.textContent = '▲' + (r.rank - e.rank);
          restartClass(r.li, 'rose');
        }
      } else if (animate && fresh) {
        restartClass(r.li, 'enter');
      }
      r.rank = e.rank;
      r.score = score;
      ordered.push(r);
    }
    for (const [key, r] of rowEls) {
      if (!keep.has(key)) {
        if (r.anim) r.anim.cancel();
        r.li.remove();
        rowEls.delete(key);
      }
    }
    // Last: put the rows in their new order.
    for (const r of ordered) {
      if (r.anim) {
        r.anim.cancel();
        r.anim = null;
      }
    }
    el.rows.append(...ordered.map((r) => r.li));
    if (animate && !reducedMotion()) {
      // Invert and play.
      for (const [key, r] of rowEls) {
        const from = first.get(key);
        if (from === undefined) continue;
        const dy = from - r.li.getBoundingClientRect().top;
        if (Math.abs(dy) < 1) continue;
        r.anim = r.li.animate([{ transform: `translateY(${dy}px)` }, { transform: 'translateY(0)' }],
          { duration: 700, easing: 'cubic-bezier(.2,.8,.2,1)' });
        r.anim.onfinish = () => { r.anim = null; };
        if (dy > 0) r.li.style.zIndex = '2';
        else r.li.style.zIndex = '';
      }
    }
    if (fade && !reducedMotion()) {
      el.board.animate([{ opacity: 0 }, { opacity: 1 }], { duration: 400, easing: 'ease-out' });
    }
  }

  const reducedMotion = () => window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  function renderSlides() {
    const list = playlist();
    const cur = currentContest();
    el.slides.hidden = list.length < 2;
    el.progress.parentElement.hidden = list.length < 2;
    const buttons = [...el.slides.children];
    while (buttons.length > list.length) buttons.pop().remove();
    list.forEach((c, i) => {
      let b = buttons[i];
      if (!b) {
        b = document.createElement('button');
        b.type = 'button';
        b.addEventListener('click', () => goToSlide(Number(b.dataset.index)));
        el.slides.append(b);
        buttons.push(b);
      }
      b.dataset.index = String(i);
      b.textContent = (c.meta && c.meta.name) || 'Contest ' + (i + 1);
      b.setAttribute('aria-current', c === cur ? 'true' : 'false');
    });
  }

  function restartProgress() {
    const bar = el.progress;
    bar.getAnimations().forEach((a) => a.cancel());
    if (playlist().length < 2 || reducedMotion()) {
      bar.style.width = '0';
      return;
    }
    bar.style.width = '100%';
    bar.style.transformOrigin = 'left center';
    bar.animate([{ transform: 'scaleX(0)' }, { transform: 'scaleX(1)' }], { duration: pairing.rotateMs, easing: 'linear', fill: 'forwards' });
  }

  function renderCountdown() {
    const c = currentContest();
    const st = c && c.standings;
    const t = now();
    let label = 'Time left';
    let value = '—';
    let soon = false;
    let resets = '';
    if (st) {
      const status = st.status || (c.meta && c.meta.status) || 'live';
      const end = st.period && st.period.end ? Date.parse(st.period.end) : NaN;
      const start = st.period && st.period.start ? Date.parse(st.period.start) : NaN;
      if (status === 'cancelled') {
        label = 'Contest';
        value = 'Cancelled';
      } else if (status === 'final') {
        label = 'Contest';
        value = 'Final results';
      } else if (status === 'ended' || (!Number.isNaN(end) && t >= end)) {
        label = 'Time is up';
        value = 'Counting…';
      } else if (status === 'scheduled' && !Number.isNaN(start) && t < start) {
        label = 'Starts in';
        value = formatDuration(start - t);
      } else if (!Number.isNaN(end)) {
        value = formatDuration(end - t);
        soon = end - t < 3600 * 1000;
      } else {
        label = c.meta && c.meta.kind === 'race' ? 'Race' : 'Time left';
        value = 'Open-ended';
      }
      const resetAt = st.resets_at ? Date.parse(st.resets_at) : NaN;
      if (!Number.isNaN(resetAt) && status !== 'final' && status !== 'cancelled') {
        resets = resetAt > t
          ? `Fresh board in <strong>${esc(shortDuration(resetAt - t))}</strong> · ${esc(dayTimeFmt.format(new Date(resetAt)))}`
          : 'A fresh board is starting…';
        // The period rolled over: the next board comes with a fresh snapshot.
        if (resetAt + 3000 < t && c.periodRefreshed !== st.resets_at && connected) {
          c.periodRefreshed = st.resets_at;
          resubscribe('contest:' + c.id, false);
        }
      } else if (!Number.isNaN(end) && status === 'live' && end - t > 86400 * 1000) {
        resets = `Ends <strong>${esc(dateFmt.format(new Date(end)))}</strong>`;
      }
      if (c.meta && c.meta.kind === 'race' && c.meta.target && showsScore(c)) {
        resets = `First to <strong>${esc(formatScore(c, c.meta.target))}</strong>` + (resets ? ' · ' + resets : '');
      }
    }
    el.timeLeftLabel.textContent = label;
    el.timeLeft.textContent = value;
    el.timeLeft.classList.toggle('soon', soon);
    el.resets.hidden = !resets;
    if (el.resets.innerHTML !== resets) el.resets.innerHTML = resets;
    el.clock.textContent = timeFmt.format(new Date(t));
  }

  const esc = (s) => String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);

  function renderIncentive() {
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
    parts.push(formatDuration(Date.parse(best.ends_at) - t));
    el.incentiveMeta.textContent = parts.join(' · ');
  }

  function renderOffline() {
    const show = !connected && !stopped && (everConnected || Date.now() - startedAt > OFFLINE_GRACE_MS);
    el.offline.hidden = !show;
    el.main.dataset.state = connected ? 'online' : (stopped ? 'stopped' : 'offline');
    el.offlineText.textContent = everConnected ? 'Offline · reconnecting…' : 'Connecting…';
  }

  function pushRecent(item) {
    recent.unshift(item);
    recent.length = Math.min(recent.length, RECENT);
    el.recent.innerHTML = recent.length
      ? '<span class="lbl">Latest</span>' + recent.map((r) => `<span class="item">${esc(r.name)}${
        pairing.hideAmounts || r.amount === undefined ? '' : ' <b>' + esc(money(r.amount)) + '</b>'}</span>`).join('')
      : '';
  }

  // ------------------------------------------------------------------ sound

  // Made with WebAudio (no file to ship). Browsers keep audio silent until someone has touched
  // the page (autoplay policy): until then a celebration's sound is skipped, never played late,
  // and the button says so. A wall browser can be started with
  // --autoplay-policy=no-user-gesture-required, or anyone can click or press a key once.
  const storedSound = () => {
    try {
      const v = localStorage.getItem(SOUND_KEY);
      return v === 'on' || v === 'off' ? v === 'on' : null;
    } catch {
      return null; // storage disabled
    }
  };
  let soundOn = storedSound() ?? pairing.sound;
  let soundBlocked = false;
  let soundsPlayed = 0;
  let audioCtx = null;
  let audioOut = null;

  function audio() {
    if (audioCtx) return audioCtx;
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    try {
      audioCtx = new Ctx();
    } catch {
      return null;
    }
    audioOut = audioCtx.createGain();
    audioOut.gain.value = 0.32;
    audioOut.connect(audioCtx.destination);
    audioCtx.onstatechange = () => {
      if (audioCtx.state === 'running') soundBlocked = false;
      renderSound();
    };
    return audioCtx;
  }

  /** A user gesture: the moment the browser lets audio start. */
  function unlockAudio() {
    if (!soundOn) return;
    const ctx = audio();
    if (!ctx) return;
    const unblocked = () => {
      if (ctx.state === 'running' && soundBlocked) {
        soundBlocked = false;
        renderSound();
      }
    };
    if (ctx.state === 'running') unblocked();
    else ctx.resume().then(unblocked, () => {});
  }

  function tone(ctx, freq, at, dur, type, peak) {
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.type = type;
    o.frequency.value = freq;
    g.gain.setValueAtTime(0.0001, at);
    g.gain.exponentialRampToValueAtTime(peak, at + 0.015);
    g.gain.exponentialRampToValueAtTime(0.0001, at + dur);
    o.connect(g).connect(audioOut);
    o.onended = () => {
      o.disconnect();
      g.disconnect();
    };
    o.start(at);
    o.stop(at + dur + 0.05);
  }

  // Notes (Hz): a rising major arpeggio for a deal, a longer fanfare for an incentive won, two
  // quick chords for a folded burst, one short blip when sound is switched on.
  const C5 = 523.25, E5 = 659.25, G5 = 783.99, C6 = 1046.5, E6 = 1318.5, G4 = 392;
  const TUNES = {
    deal: [[C5, 0], [E5, 0.09], [G5, 0.18], [C6, 0.27, 0.6]],
    incentive: [[G4, 0], [C5, 0.12], [E5, 0.24], [G5, 0.36], [C6, 0.5, 0.9], [E6, 0.5, 0.9]],
    fold: [[C5, 0], [E5, 0], [G5, 0], [E5, 0.2, 0.5], [G5, 0.2, 0.5], [C6, 0.2, 0.5]],
    on: [[G5, 0, 0.18]],
  };

  function playTune(name) {
    const ctx = audioCtx;
    const t0 = ctx.currentTime + 0.02;
    for (const [f, at, dur = 0.32] of TUNES[name]) {
      tone(ctx, f, t0 + at, dur, 'triangle', 0.5);
      tone(ctx, f * 2, t0 + at, dur * 0.6, 'sine', 0.08); // a little shine
    }
    soundsPlayed++;
  }

  function playSound(name) {
    if (!soundOn) return;
    const ctx = audio();
    if (!ctx) return;
    if (ctx.state === 'running') {
      playTune(name);
      return;
    }
    const asked = Date.now();
    ctx.resume().then(() => {
      if (ctx.state === 'running' && Date.now() - asked < SOUND_UNLOCK_WAIT_MS) playTune(name);
    }, () => {});
    setTimeout(() => {
      if (ctx.state !== 'running' && soundOn) {
        soundBlocked = true;
        renderSound();
      }
    }, SOUND_UNLOCK_WAIT_MS);
  }

  function setSound(on) {
    soundOn = on;
    try {
      localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
    } catch { /* storage disabled: this page only */ }
    if (on) {
      unlockAudio();
      playSound('on');
    } else {
      soundBlocked = false;
    }
    renderSound();
  }

  function renderSound() {
    const blocked = soundOn && soundBlocked;
    el.sound.setAttribute('aria-pressed', soundOn ? 'true' : 'false');
    el.sound.dataset.state = !soundOn ? 'off' : (blocked ? 'blocked' : 'on');
    el.soundText.textContent = !soundOn ? 'Sound off' : (blocked ? 'Sound: click to allow' : 'Sound on');
    el.sound.title = (soundOn ? 'Switch celebration sounds off' : 'Switch celebration sounds on') + ' (M)';
  }

  // ------------------------------------------------------------------ celebrations

  function enqueueCelebration(card) {
    const individual = celQueue.filter((x) => x.kind !== 'fold').length;
    if (individual >= MAX_WAITING) {
      let fold = celQueue[celQueue.length - 1];
      if (!fold || fold.kind !== 'fold') {
        fold = { kind: 'fold', n: 0, wins: 0, amount: 0, names: [], deal_ids: [] };
        celQueue.push(fold);
      }
      fold.n++;
      if (card.kind === 'incentive') fold.wins++;
      if (card.deal_id && fold.deal_ids.length < SHOWN_LOG) fold.deal_ids.push(card.deal_id);
      fold.amount += Number(card.amount) || 0;
      if (!fold.names.includes(card.name)) fold.names.push(card.name);
    } else {
      celQueue.push(card);
    }
    pump();
  }

  // A busy floor must not hide the board for good: after a run of celebrations the board gets
  // a break, while newer ones wait (and fold).
  let celRunStarted = 0;
  let celBreakUntil = 0;
  let celTimer = 0;

  function pump() {
    if (celShowing || !celQueue.length || stopped) return;
    const t = Date.now();
    if (t < celBreakUntil) {
      clearTimeout(celTimer);
      celTimer = setTimeout(pump, celBreakUntil - t);
      return;
    }
    if (!celRunStarted) celRunStarted = t;
    const card = celQueue.shift();
    celShowing = card;
    showCelebration(card);
    setTimeout(() => {
      el.cel.classList.add('out');
      setTimeout(() => {
        el.cel.hidden = true;
        el.cel.classList.remove('out');
        celShowing = null;
        const done = Date.now();
        if (!celQueue.length) {
          celRunStarted = 0;
        } else if (done - celRunStarted >= CELEBRATION_RUN_MS) {
          celRunStarted = 0;
          celBreakUntil = done + BOARD_BREAK_MS;
        }
        pump();
      }, 400);
    }, celQueue.length >= 2 ? CELEBRATION_BUSY_MS : CELEBRATION_MS);
  }

  function showCelebration(card) {
    el.cel.classList.toggle('incentive-win', card.kind === 'incentive');
    el.cel.classList.toggle('fold', card.kind === 'fold');
    if (card.kind === 'fold') {
      el.celKicker.textContent = 'The floor is on fire';
      const what = card.wins ? 'win' : 'deal'; // incentive wins folded in: they are wins, not deals
      el.celName.textContent = `+${card.n} ${what}${card.n === 1 ? '' : 's'}`;
      el.celWhat.textContent = pairing.hideAmounts || !card.amount ? '' : money(card.amount) + ' more';
      const shown = card.names.slice(0, 3).join(', ');
      const more = card.names.length - 3;
      el.celTeam.textContent = more > 0 ? `${shown} and ${more} more` : shown;
    } else if (card.kind === 'incentive') {
      el.celKicker.textContent = 'Spot incentive won';
      el.celName.textContent = card.name;
      el.celWhat.textContent = card.points ? `+${pointsFmt.format(card.points)} points` : 'won';
      el.celTeam.textContent = card.title;
    } else {
      el.celKicker.textContent = 'Deal won';
      el.celName.textContent = card.name;
      el.celWhat.textContent = pairing.hideAmounts ? 'closed a deal' : 'closed ' + money(card.amount);
      el.celTeam.textContent = card.team ? `Team ${card.team}` : '';
    }
    el.cel.hidden = false;
    playSound(card.kind === 'fold' ? 'fold' : card.kind);
    // Restart the entry animations for back-to-back cards.
    for (const node of [el.cel, el.cel.querySelector('.cel-card')]) {
      node.style.animation = 'none';
      void node.offsetWidth;
      node.style.animation = '';
    }
    celShownCount++;
    celShown.push({
      kind: card.kind, name: card.kind === 'fold' ? null : card.name,
      amount: card.kind === 'incentive' ? null : (card.amount === undefined ? null : Number(card.amount)),
      points: card.points ?? null, n: card.kind === 'fold' ? card.n : 1,
      deal_ids: card.kind === 'fold' ? card.deal_ids.slice() : (card.deal_id ? [card.deal_id] : []),
      text: `${el.celName.textContent} ${el.celWhat.textContent}`.trim(), at: new Date().toISOString(),
    });
    if (celShown.length > SHOWN_LOG) celShown.splice(0, celShown.length - SHOWN_LOG);
  }

  function makeConfetti() {
    const colors = ['#ffc93c', '#4ce08a', '#7cc4ff', '#ff7a7a', '#f4f7fa', '#c89bff'];
    const frag = document.createDocumentFragment();
    for (let i = 0; i < 24; i++) { // each piece costs frames on a wall without a GPU
      const p = document.createElement('i');
      p.style.left = `${(i * 97) % 100}%`;
      p.style.background = colors[i % colors.length];
      p.style.animationDuration = `${2.6 + ((i * 37) % 17) / 10}s`;
      p.style.animationDelay = `${-((i * 53) % 40) / 10}s`;
      p.style.setProperty('--drift', `${((i * 29) % 13) - 6}vw`);
      p.style.setProperty('--spin', `${360 + ((i * 71) % 5) * 120}deg`);
      if (i % 3 === 0) p.style.borderRadius = '50%';
      frag.append(p);
    }
    el.confetti.append(frag);
  }

  // ------------------------------------------------------------------ fatal

  function showFatal(title, text) {
    el.fatalTitle.textContent = title;
    el.fatalText.textContent = text;
    el.fatal.hidden = false;
    el.cel.hidden = true;
    celQueue.length = 0;
    el.offline.hidden = true;
    el.main.dataset.state = 'stopped';
  }

  // ------------------------------------------------------------------ the clock

  function tick() {
    const t = Date.now();
    const poll = el.incentive.hidden ? INCENTIVE_POLL_MS : INCENTIVE_POLL_OPEN_MS;
    if (connected && t - lastIncentivePoll >= poll) loadIncentives();
    if (playlist().length > 1 && t - slideStartedAt >= pairing.rotateMs) goToSlide(slideIndex + 1);
    renderCountdown();
    renderIncentive();
    renderOffline();
  }

  // ------------------------------------------------------------------ test hook

  const plain = (v) => JSON.parse(JSON.stringify(v === undefined ? null : v));
  window.bullpenDisplay = {
    state() {
      const cur = currentContest();
      return plain({
        current: cur ? cur.id : null,
        currency,
        serverVersion: live ? live.serverVersion : null,
        amountsHidden: pairing.hideAmounts,
        contests: Object.fromEntries([...contests.values()].map((c) => [c.id, {
          name: c.meta ? c.meta.name : null,
          metric: metricOf(c) || null,
          missing: c.missing,
          standings: c.standings,
        }])),
        seq: live ? live.seqs() : Object.fromEntries(channelNames().map((name) => [name, null])),
        epoch: live ? live.epochs() : Object.fromEntries(channelNames().map((name) => [name, ''])),
        celebrations: celShown,
        celebrationsShown: celShownCount,
        celebrationShowing: celShowing ? { kind: celShowing.kind, name: celShowing.name || null } : null,
        celebrationsWaiting: celQueue.reduce((n, x) => n + (x.kind === 'fold' ? x.n : 1), 0),
        celebrationQueue: celQueue.map((x) => ({ kind: x.kind, n: x.kind === 'fold' ? x.n : 1,
          deal_ids: x.kind === 'fold' ? x.deal_ids.slice() : (x.deal_id ? [x.deal_id] : []) })),
        incentives: [...incentives.values()].map((i) => ({ id: i.id, title: i.title, ends_at: i.ends_at })),
        rotateMs: pairing.rotateMs,
        sound: { on: soundOn, blocked: soundOn && soundBlocked, played: soundsPlayed, context: audioCtx ? audioCtx.state : null },
      });
    },
    connected() {
      return connected;
    },
  };

  // ------------------------------------------------------------------ start

  document.addEventListener('keydown', (ev) => {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    if (ev.key === 'ArrowRight') goToSlide(slideIndex + 1);
    else if (ev.key === 'ArrowLeft') goToSlide(slideIndex - 1);
    else if (ev.key === 'm' || ev.key === 'M') setSound(!soundOn);
  });
  // Any touch of the page lets the browser start audio.
  for (const type of ['pointerdown', 'keydown']) document.addEventListener(type, unlockAudio, { capture: true });
  el.sound.addEventListener('click', () => setSound(!soundOn));
  renderSound();

  makeConfetti();
  renderAll();
  restartProgress();
  if (!pairing.token) {
    stopped = true;
    showFatal('Display not paired', 'Open this page with a display token in the link: /display#token=…&contests=id1,id2 (add &amounts=hide to keep money off the wall).');
    return;
  }
  setInterval(tick, 1000);
  connect();
})();
