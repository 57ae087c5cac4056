// Bullpen manager console (contract §3, §4 and §5 /manage): contests, spot incentives, points
// adjustments, wall displays and tokens, over the JSON API, with the floor channel of the
// socket for winners arriving live. Signed in with a manager or admin token, from the form or
// from the fragment (/manage#token=…, which never reaches the server), kept in localStorage.
// Plain modern JavaScript, no build step, nothing from the internet; the QR encoder is
// vendored (static/vendor/qrcode.js, MIT).
(() => {
  'use strict';

  const TOKEN_KEY = 'bullpen.manage.token';
  const DISPLAYS_POLL_MS = 10000;
  const INCENTIVES_POLL_MS = 30000;
  const CONTESTS_POLL_MS = 60000;
  const FLOOR_ITEMS = 8;
  const SECTIONS = ['contests', 'incentives', 'points', 'displays', 'tokens'];
  const STAFF = ['admin', 'manager'];

  const $ = (id) => document.getElementById(id);
  const h = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  };

  // ------------------------------------------------------------------ state

  let token = '';
  let me = null;                  // GET /me
  let currency = 'USD';
  let section = 'contests';
  const contests = new Map();     // id -> contest
  let contestFilter = 'live';
  const incentives = new Map();   // id -> incentive (with winners)
  let watchedId = null;
  const repNames = new Map();     // rep_id -> name
  const repLookups = new Map();   // rep_id -> pending promise
  let selectedRep = null;         // GET /reps/{id}
  let ledger = { entries: [], total: 0 };
  let displays = [];
  let displaysAt = 0;
  let tokens = [];
  let minted = null;              // {id, token, role, name, rep_id}: the secret, until "done"
  const floorItems = [];          // newest first
  const timers = [];

  // The live feed (live.js): the floor channel, while signed in.
  let live = null;
  let connected = false;
  let clockOffset = 0;            // server time minus local time, from the last welcome

  const now = () => Date.now() + clockOffset;

  // ------------------------------------------------------------------ formatting

  const locale = navigator.language || 'en-US';
  let moneyFmt = null;
  const numFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const intFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const signedFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
  const dateTimeFmt = new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const yearDateTimeFmt = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const timeFmt = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const relFmt = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const browserZone = (() => {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    } catch {
      return 'UTC';
    }
  })();

  function setCurrency(code) {
    currency = code || 'USD';
    try {
      moneyFmt = new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 2, minimumFractionDigits: 0 });
    } catch {
      moneyFmt = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    }
    renderCurrencyLabels();
  }
  setCurrency(currency);

  const money = (v) => moneyFmt.format(Number(v) || 0);
  const shortMoney = (v) => {
    const n = Number(v) || 0;
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(n);
    } catch {
      return money(n);
    }
  };
  const points = (v) => `${intFmt.format(Number(v) || 0)} points`;

  function when(iso) {
    if (!iso) return '—';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '—';
    return (d.getFullYear() === new Date().getFullYear() ? dateTimeFmt : yearDateTimeFmt).format(d);
  }

  /** An instant as the wall clock of zone tz shows it (a contest's own zone). */
  function whenIn(iso, tz) {
    if (!iso) return '—';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '—';
    try {
      return new Intl.DateTimeFormat(locale, {
        timeZone: tz, year: d.getFullYear() === new Date().getFullYear() ? undefined : 'numeric',
        month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
      }).format(d);
    } catch {
      return when(iso);
    }
  }

  function ago(iso) {
    if (!iso) return 'never';
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return '—';
    const s = Math.round((t - now()) / 1000);
    const a = Math.abs(s);
    if (a < 5) return 'just now';
    if (a < 60) return relFmt.format(s, 'second');
    if (a < 3600) return relFmt.format(Math.round(s / 60), 'minute');
    if (a < 86400) return relFmt.format(Math.round(s / 3600), 'hour');
    return relFmt.format(Math.round(s / 86400), 'day');
  }

  function countdown(ms) {
    if (ms <= 0) return '0:00';
    const s = Math.floor(ms / 1000);
    const hh = Math.floor(s / 3600);
    const mm = Math.floor((s % 3600) / 60);
    const ss = s % 60;
    const two = (n) => String(n).padStart(2, '0');
    if (hh >= 48) return `${Math.floor(hh / 24)} days`;
    return hh > 0 ? `${hh}:${two(mm)}:${two(ss)}` : `${mm}:${two(ss)}`;
  }

  function durationWords(ms) {
    const m = Math.round(ms / 60000);
    if (m < 60) return `${m} min`;
    if (m % 60 === 0 && m < 48 * 60) return m === 60 ? '1 hour' : `${m / 60} hours`;
    return `${Math.floor(m / 60)} h ${m % 60} min`;
  }

  const METRICS = { revenue: 'Revenue', deals: 'Deals', units: 'Units', points: 'Points' };
  const PERIODS = { none: '', day: 'daily board', week: 'weekly board', month: 'monthly board', quarter: 'quarterly board' };
  const REASONS = { incentive: 'Incentive', prize: 'Prize', adjustment: 'Adjustment', clawback: 'Clawback' };

  function scoreText(metric, v) {
    if (v === null || v === undefined || v === '') return '';
    return metric === 'revenue' ? money(v) : numFmt.format(Number(v) || 0);
  }

  // ------------------------------------------------------------------ time zones

  /** The offset of zone tz from UTC at the instant utcMs, in ms. Throws on an unknown zone. */
  function zoneOffset(tz, utcMs) {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    const p = {};
    for (const part of f.formatToParts(new Date(utcMs))) p[part.type] = part.value;
    const asUTC = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
    return asUTC - Math.floor(utcMs / 1000) * 1000;
  }

  const pad2 = (n) => String(n).padStart(2, '0');

  function offsetText(ms) {
    const m = Math.round(ms / 60000);
    const sign = m < 0 ? '-' : '+';
    const a = Math.abs(m);
    return `${sign}${pad2(Math.floor(a / 60))}:${pad2(a % 60)}`;
  }

  /** The instant (ms) as RFC 3339 in zone tz, with that zone's offset then. */
  function rfc3339In(utcMs, tz) {
    const off = zoneOffset(tz, utcMs);
    const w = new Date(utcMs + off);
    return `${w.getUTCFullYear()}-${pad2(w.getUTCMonth() + 1)}-${pad2(w.getUTCDate())}T${pad2(w.getUTCHours())}:${pad2(w.getUTCMinutes())}:${pad2(w.getUTCSeconds())}${offsetText(off)}`;
  }

  /**
   * A datetime-local value ("2026-12-01T09:00") read as wall time in zone tz, as RFC 3339 with
   * the zone's offset ("2026-12-01T09:00:00-05:00"). A wall time that a DST change skips moves
   * forward by the gap. An unknown zone reads it in the browser's own zone (the API then names
   * the time zone as the bad field). Empty: null.
   */
  function wallToRFC3339(wall, tz) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(wall || '');
    if (!m) return null;
    const asUTC = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    try {
      let t = asUTC - zoneOffset(tz, asUTC);
      const second = zoneOffset(tz, t);
      if (asUTC - second !== t) t = asUTC - second;
      return rfc3339In(t, tz);
    } catch {
      const local = new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
      return rfc3339In(local.getTime(), browserZone);
    }
  }

  /** An instant as a datetime-local value in the browser's zone. */
  function localInputValue(ms) {
    const d = new Date(ms);
    return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  }

  /** An instant as a datetime-local value in zone tz. */
  function zonedInputValue(ms, tz) {
    try {
      return rfc3339In(ms, tz).slice(0, 16);
    } catch {
      return localInputValue(ms);
    }
  }

  // ------------------------------------------------------------------ small helpers

  /** An Idempotency-Key: random, and safe outside a secure context (no randomUUID there). */
  function newKey() {
    const b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return 'mgr-' + [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  }

  const ids = (text) => String(text || '').split(',').map((s) => s.trim()).filter(Boolean);
  const numOrNull = (v) => {
    const s = String(v ?? '').trim();
    if (s === '') return null;
    const n = Number(s);
    return Number.isFinite(n) ? n : s; // a non-number goes as typed, for the API to name
  };

  /** A number beside a section's name, read out with its word ("2 live"). */
  function setCount(id, n, word) {
    const el = $(id);
    if (!n) {
      el.replaceChildren();
      return;
    }
    el.replaceChildren(String(n), h('span', { class: 'sr-only', text: ` ${word}` }));
  }

  function toast(text, kind = 'ok') {
    const box = $('toasts');
    const item = h('p', { class: `toast toast-${kind}` }, h('span', { class: 'toast-icon', 'aria-hidden': 'true', text: kind === 'ok' ? '✓' : kind === 'win' ? '★' : '!' }), text);
    box.append(item);
    while (box.children.length > 3) box.firstElementChild.remove();
    setTimeout(() => item.remove(), kind === 'err' ? 9000 : 5000);
  }

  async function copyFrom(inputId, button) {
    const input = $(inputId);
    const text = input.value;
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        ok = true;
      }
    } catch { /* fall back below */ }
    if (!ok) {
      input.focus();
      input.select();
      try {
        ok = document.execCommand('copy');
      } catch {
        ok = false;
      }
    }
    const label = button.textContent;
    button.textContent = ok ? 'Copied' : 'Select and copy';
    setTimeout(() => { button.textContent = label; }, 1800);
  }

  function confirmAction(title, text, okLabel) {
    const dlg = $('confirm');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-ok').textContent = okLabel;
    const back = document.activeElement;
    return new Promise((resolve) => {
      dlg.returnValue = '';
      dlg.addEventListener('close', () => {
        if (back && back.focus) back.focus();
        resolve(dlg.returnValue === 'ok');
      }, { once: true });
      dlg.showModal();
      $('confirm-cancel').focus();
    });
  }

  // ------------------------------------------------------------------ HTTP

  class ApiError extends Error {
    constructor(status, code, message, field) {
      super(message);
      this.status = status;
      this.code = code;
      this.field = field || '';
    }
  }

  /**
   * Calls the API with the signed-in token (or opts.token, to try one). Signed out, nothing is
   * sent: a timer or a lookup still pending from before "Sign out" fails here instead of asking
   * the server with no token.
   */
  async function api(method, path, body, opts = {}) {
    const bearer = opts.token || token;
    if (!bearer) throw new ApiError(401, 'unauthenticated', 'Not signed in.');
    const headers = { Authorization: 'Bearer ' + bearer, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (opts.key) headers['Idempotency-Key'] = opts.key;
    let res;
    try {
      res = await fetch('/api/v1' + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit',
      });
    } catch {
      throw new ApiError(0, 'unavailable', 'The server did not answer. Check the connection and try again.');
    }
    if (res.status === 204) return null;
    let data = null;
    try {
      data = await res.json();
    } catch { /* no body */ }
    if (!res.ok) {
      const e = (data && data.error) || {};
      const err = new ApiError(res.status, e.code || 'internal', e.message || `The server answered HTTP ${res.status}.`, e.field);
      if (res.status === 401 && !opts.token) signOut('Your token is no longer accepted (revoked?). Sign in again.');
      throw err;
    }
    return data;
  }

  // ------------------------------------------------------------------ field errors

  const CONTROLS = 'input:not([type=hidden]), select, textarea';

  /** The control a field path ("prizes.0.points", "weights.call") belongs to in form, or null. */
  function controlFor(form, field) {
    if (!field) return null;
    const parts = field.split('.');
    for (let n = parts.length; n > 0; n--) {
      const path = parts.slice(0, n).join('.');
      for (const node of form.querySelectorAll(`[data-field="${CSS.escape(path)}"]`)) {
        if (node.closest('[hidden]')) continue;
        const control = node.matches(CONTROLS) ? node : node.querySelector(`${CONTROLS}:not(:disabled)`);
        if (control) return { control, box: node.matches(CONTROLS) ? control.closest('[data-error-box], .field') || control.parentElement : node };
      }
    }
    return null;
  }

  function clearErrors(form) {
    for (const el of form.querySelectorAll('[aria-invalid="true"]')) {
      el.removeAttribute('aria-invalid');
      const base = el.dataset.describedby;
      if (base === undefined || base === '') el.removeAttribute('aria-describedby');
      else el.setAttribute('aria-describedby', base);
      delete el.dataset.describedby;
    }
    for (const el of form.querySelectorAll('.field-error')) el.remove();
    for (const el of form.querySelectorAll('.has-error')) el.classList.remove('has-error');
    const msg = form.querySelector('.form-msg');
    if (msg) {
      msg.hidden = true;
      msg.textContent = '';
    }
  }

  let errorSeq = 0;

  /** Shows an API error at its field (or at the top of the form) and focuses the field. */
  function showError(form, err, what) {
    clearErrors(form);
    const msg = form.querySelector('.form-msg');
    const target = err.field ? controlFor(form, err.field) : null;
    if (target) {
      const { control, box } = target;
      const errId = `err-${++errorSeq}`;
      const p = h('p', { class: 'field-error', id: errId }, h('span', { class: 'err-icon', 'aria-hidden': 'true', text: '⚠' }), ' ', sentence(err.message));
      const radios = control.type === 'radio' ? [...box.querySelectorAll('input[type=radio]')] : [control];
      for (const c of radios) {
        c.dataset.describedby = c.getAttribute('aria-describedby') || '';
        c.setAttribute('aria-invalid', 'true');
        c.setAttribute('aria-describedby', [errId, c.dataset.describedby].filter(Boolean).join(' '));
      }
      box.classList.add('has-error');
      box.append(p);
      if (msg) {
        msg.hidden = false;
        msg.textContent = `${what}: check ${labelOf(control) || 'the marked field'}.`;
      }
      control.focus();
      return;
    }
    if (msg) {
      msg.hidden = false;
      msg.textContent = `${what}: ${err.message}`;
      msg.setAttribute('tabindex', '-1');
      msg.focus();
    }
  }

  /** The API's messages start in lower case ("ends_at must be after starts_at"). */
  const sentence = (text) => (text ? text[0].toUpperCase() + text.slice(1) : text);

  function labelOf(control) {
    if (control.type === 'radio') {
      const legend = control.closest('fieldset')?.querySelector('legend');
      return legend ? `"${legend.textContent.trim()}"` : '';
    }
    const label = control.labels && control.labels[0];
    return label ? `"${label.textContent.trim()}"` : '';
  }

  async function busy(button, fn) {
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      await fn();
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }

  // ------------------------------------------------------------------ sign in / out

  function tokenFromFragment() {
    const p = new URLSearchParams(location.hash.replace(/^#/, ''));
    const t = (p.get('token') || '').trim();
    if (!t) return '';
    // The secret leaves the address bar and the history at once.
    const rest = [...p.keys()].includes('section') ? '#' + p.get('section') : '';
    history.replaceState(null, '', location.pathname + location.search + rest);
    return t;
  }

  async function signIn(candidate, fromForm) {
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
    token = candidate;
    me = who;
    try {
      localStorage.setItem(TOKEN_KEY, token);
    } catch { /* private mode: signed in for this tab only */ }
    if (fromForm) $('signin-token').value = '';
    startConsole(fromForm);
    return true;
  }

  function signOut(why) {
    const wasIn = !!token;
    token = '';
    me = null;
    try {
      localStorage.removeItem(TOKEN_KEY);
    } catch { /* nothing kept */ }
    stopSocket();
    for (const t of timers.splice(0)) clearInterval(t);
    for (const t of refreshQueued.values()) clearTimeout(t);
    refreshQueued.clear();
    repLookups.clear();
    contests.clear();
    incentives.clear();
    tokens = [];
    displays = [];
    minted = null;
    selectedRep = null;
    watchedId = null;
    showSignIn();
    if (why && wasIn) {
      const msg = $('signin-msg');
      msg.hidden = false;
      msg.textContent = why;
    }
  }

  function showSignIn() {
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
    timers.push(setInterval(loadDisplays, DISPLAYS_POLL_MS));
    timers.push(setInterval(loadIncentives, INCENTIVES_POLL_MS));
    timers.push(setInterval(loadContests, CONTESTS_POLL_MS));
    connect();
  }

  // ------------------------------------------------------------------ sections

  function sectionFromHash() {
    const s = location.hash.replace(/^#/, '');
    return SECTIONS.includes(s) ? s : '';
  }

  function showSection(name, focus = true) {
    if (!token) return;
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
  }

  window.addEventListener('hashchange', () => {
    const t = tokenFromFragment();
    if (t) {
      signIn(t, false);
      return;
    }
    const s = sectionFromHash();
    if (s && token) showSection(s);
  });

  // ------------------------------------------------------------------ contests

  const WEIGHT_PRESETS = [
    { key: 'deal.won', label: 'Won deal', value: '10' },
    { key: 'call', label: 'Call', value: '1' },
    { key: 'email', label: 'Email', value: '' },
    { key: 'meeting', label: 'Meeting', value: '5' },
    { key: 'demo', label: 'Demo', value: '8' },
    { key: 'revenue_per_point', label: 'Revenue per point', value: '', money: true },
  ];

  let weightSeq = 0;

  function weightRow(preset) {
    const n = ++weightSeq;
    const id = `w-${n}`;
    const row = h('div', { class: 'weight-row', 'data-error-box': '' });
    if (preset) {
      const label = preset.money ? `${preset.label} (${currency})` : `${preset.label}`;
      row.append(
        h('label', { for: id, class: preset.money ? 'money-label' : null, 'data-base': preset.money ? preset.label : null, text: label }),
        h('input', { id, type: 'number', min: '0', step: 'any', inputmode: 'decimal', value: preset.value, 'data-weight': preset.key, 'data-field': `weights.${preset.key}`, placeholder: preset.money ? 'off' : '—' }),
      );
    } else {
      const nameId = `wn-${n}`;
      const nameInput = h('input', { id: nameId, type: 'text', maxlength: '40', autocomplete: 'off', spellcheck: 'false', placeholder: 'activity, e.g. proposal', 'aria-label': 'Activity name', class: 'weight-name' });
      const valueInput = h('input', { id, type: 'number', min: '0', step: 'any', inputmode: 'decimal', 'data-weight': '', 'aria-label': 'Points for this activity' });
      const sync = () => {
        const key = nameInput.value.trim();
        valueInput.dataset.weight = key;
        valueInput.dataset.field = key ? `weights.${key}` : 'weights.';
        valueInput.setAttribute('aria-label', key ? `Points per ${key}` : 'Points for this activity');
      };
      nameInput.addEventListener('input', sync);
      sync();
      row.append(nameInput, valueInput,
        h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': 'Remove this activity', onclick: () => { row.remove(); $('add-weight').focus(); } }, 'Remove'));
    }
    return row;
  }

  let prizeSeq = 0;

  function prizeRow(rank, pts) {
    const n = ++prizeSeq;
    const row = h('div', { class: 'prize-row', 'data-error-box': '' });
    const rankInput = h('input', { id: `pr-${n}`, type: 'number', min: '1', step: '1', value: rank, class: 'prize-rank' });
    const ptsInput = h('input', { id: `pp-${n}`, type: 'number', min: '1', step: '1', value: pts ?? '', class: 'prize-points', placeholder: 'points' });
    row.append(
      h('label', { for: rankInput.id, text: 'Rank' }), rankInput,
      h('label', { for: ptsInput.id, text: 'Points' }), ptsInput,
      h('button', { type: 'button', class: 'btn btn-quiet btn-small', 'aria-label': `Remove this prize`, onclick: () => { row.remove(); $('add-prize').focus(); } }, 'Remove'),
    );
    return row;
  }

  let ownReset = false;

  /** Empties the contest form to its defaults (fromReset: the form's own reset already ran). */
  function resetContestForm(fromReset) {
    const form = $('contest-form');
    if (fromReset !== true) {
      ownReset = true;
      form.reset();
      ownReset = false;
    }
    clearErrors(form);
    $('weight-rows').replaceChildren(...WEIGHT_PRESETS.map(weightRow));
    $('prize-rows').replaceChildren(prizeRow(1, 500), prizeRow(2, 250), prizeRow(3, 100));
    $('c-tz').value = browserZone;
    // Today from midnight: deals already made today count (events before a contest's
    // creation count too).
    const start = new Date();
    start.setHours(0, 0, 0, 0);
    const end = new Date(start.getTime());
    end.setDate(end.getDate() + 7);
    $('c-starts').value = zonedInputValue(start.getTime(), browserZone);
    $('c-ends').value = zonedInputValue(end.getTime(), browserZone);
    $('c-max-winners').value = '1';
    contestKey = null;
    syncContestForm();
  }

  function syncContestForm() {
    const form = $('contest-form');
    const kind = form.elements.kind.value;
    const metric = form.elements.metric.value;
    for (const el of form.querySelectorAll('[data-when]')) {
      const w = el.dataset.when;
      el.hidden = !((w === 'race' && kind === 'race') || (w === 'leaderboard' && kind !== 'race') || (w === 'points' && metric === 'points'));
    }
    $('c-target-label').textContent = metric === 'revenue' ? `Target (${currency})` : `Target (${(METRICS[metric] || 'score').toLowerCase()})`;
  }

  let contestKey = null; // {body, key}: reused while the same body is retried

  function contestBody() {
    const form = $('contest-form');
    const f = form.elements;
    const kind = f.kind.value;
    const metric = f.metric.value;
    const tz = f.timezone.value.trim();
    const zone = tz || 'UTC';
    const body = {
      name: f.name.value,
      kind,
      metric,
      scope: f.scope.value,
      timezone: tz,
    };
    const starts = wallToRFC3339(f.starts_at.value, zone);
    if (starts) body.starts_at = starts;
    const ends = wallToRFC3339(f.ends_at.value, zone);
    if (ends) body.ends_at = ends;
    if (kind === 'race') {
      const target = numOrNull(f.target.value);
      if (target !== null) body.target = target;
      const mw = numOrNull(f.max_winners.value);
      if (mw !== null) body.max_winners = mw;
    } else {
      body.period = f.period.value;
    }
    if (metric === 'points') {
      const weights = {};
      for (const input of $('weight-rows').querySelectorAll('input[data-weight]')) {
        const v = numOrNull(input.value);
        const key = input.dataset.weight;
        if (v === null) continue;
        weights[key] = v;
      }
      body.weights = weights;
    }
    const teams = ids(f.teams.value);
    const reps = ids(f.reps.value);
    if (teams.length || reps.length) body.participants = { teams, reps };
    // Prizes: the rows with points, in order; each row learns the index it was sent at, so
    // that an error on "prizes.1.points" lands on the right input.
    const prizes = [];
    for (const row of $('prize-rows').querySelectorAll('.prize-row')) {
      const rank = row.querySelector('.prize-rank');
      const pts = row.querySelector('.prize-points');
      delete rank.dataset.field;
      delete pts.dataset.field;
      if (String(pts.value).trim() === '' && String(rank.value).trim() === '') continue;
      const i = prizes.length;
      rank.dataset.field = `prizes.${i}.rank`;
      pts.dataset.field = `prizes.${i}.points`;
      prizes.push({ rank: numOrNull(rank.value), points: numOrNull(pts.value) });
    }
    body.prizes = prizes;
    const min = numOrNull(f.min_score.value);
    if (min !== null) body.min_score = min;
    return body;
  }

  async function submitContest(ev) {
    ev.preventDefault();
    const form = $('contest-form');
    await busy($('contest-submit'), async () => {
      const body = contestBody();
      const text = JSON.stringify(body);
      if (!contestKey || contestKey.body !== text) contestKey = { body: text, key: newKey() };
      try {
        const c = await api('POST', '/contests', body, { key: contestKey.key });
        contests.set(c.id, c);
        resetContestForm();
        contestFilter = filterOf(c.status);
        renderContests(c.id);
        toast(`Contest "${c.name}" created (${c.status}).`);
      } catch (err) {
        if (err.status !== 0) contestKey = null; // an answer: a new attempt is a new request
        showError(form, err, 'The contest was not created');
      }
    });
  }

  async function loadContests() {
    try {
      const body = await api('GET', '/contests?limit=500');
      contests.clear();
      for (const c of body.items || []) contests.set(c.id, c);
      renderContests();
      renderPairingContests();
    } catch (err) {
      if (err.status !== 401) console.warn('bullpen manage: contests', err.message);
    }
  }

  const filterOf = (status) => (status === 'final' ? 'ended' : status);

  /** The contest's window on its own zone's clock, as the manager typed it. */
  function contestWindow(c) {
    const starts = whenIn(c.starts_at, c.timezone);
    const ends = c.ends_at ? whenIn(c.ends_at, c.timezone) : 'open-ended';
    return `${starts} – ${ends}`;
  }

  function contestRule(c) {
    const parts = [c.kind === 'race' ? 'Race' : 'Leaderboard', METRICS[c.metric] || c.metric];
    if (c.scope === 'team') parts.push('teams');
    if (c.kind === 'race' && c.target !== undefined) parts.push(`to ${scoreText(c.metric, c.target)}`);
    if (PERIODS[c.period]) parts.push(PERIODS[c.period]);
    return parts.join(' · ');
  }

  const STATUS_TEXT = { live: 'Live', scheduled: 'Scheduled', ended: 'Ended (grace)', final: 'Final', cancelled: 'Cancelled', open: 'Open', closed: 'Closed' };
  const STATUS_ICON = { live: '●', open: '●', scheduled: '◷', ended: '◼', final: '✓', cancelled: '✕', closed: '◼' };

  function statusTag(status) {
    return h('span', { class: `status-tag st-${status}` }, h('span', { 'aria-hidden': 'true', text: STATUS_ICON[status] || '•' }), ' ', STATUS_TEXT[status] || status);
  }

  function renderContests(highlight) {
    const list = $('contest-list');
    list.setAttribute('aria-busy', 'false');
    const counts = { live: 0, scheduled: 0, ended: 0, cancelled: 0 };
    for (const c of contests.values()) counts[filterOf(c.status)] = (counts[filterOf(c.status)] || 0) + 1;
    for (const b of $('contest-filter').querySelectorAll('button')) {
      b.setAttribute('aria-pressed', String(b.dataset.filter === contestFilter));
      b.querySelector('.n').textContent = counts[b.dataset.filter] ? `(${counts[b.dataset.filter]})` : '';
    }
    setCount('count-contests', counts.live, 'live');
    const shown = [...contests.values()].filter((c) => filterOf(c.status) === contestFilter)
      .sort((a, b) => Date.parse(b.created_at || 0) - Date.parse(a.created_at || 0));
    list.replaceChildren(...shown.map((c) => {
      const actions = h('div', { class: 'row-actions' });
      if (c.status === 'live') {
        actions.append(h('button', { type: 'button', class: 'btn btn-small', onclick: (e) => endContest(c, e.currentTarget) }, 'End now'));
      }
      if (['live', 'scheduled', 'ended'].includes(c.status)) {
        actions.append(h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', onclick: (e) => cancelContest(c, e.currentTarget) }, 'Cancel'));
      }
      const prizes = (c.prizes || []).length
        ? `Prizes: ${c.prizes.map((p) => `#${p.rank} ${intFmt.format(p.points)}`).join(', ')} points`
        : 'No prizes';
      return h('li', { class: 'contest-item' + (c.id === highlight ? ' fresh' : ''), 'data-id': c.id },
        h('div', { class: 'contest-main' },
          h('p', { class: 'contest-name' }, h('span', { text: c.name }), ' ', statusTag(c.status)),
          h('p', { class: 'muted small', text: contestRule(c) }),
          h('p', { class: 'muted small' }, h('span', { text: contestWindow(c) }), ' · ', h('span', { text: c.timezone }), ' · ', h('span', { text: prizes })),
        ),
        actions,
      );
    }));
    const empty = $('contest-empty');
    empty.hidden = shown.length > 0;
    empty.textContent = contests.size ? `No ${contestFilter} contest.` : 'No contest yet: create the first one with the form.';
  }

  async function endContest(c, button) {
    if (!await confirmAction(`End "${c.name}" now?`, 'It stops counting deals now; late events still count during the grace period, then prizes are paid.', 'End now')) return;
    await busy(button, async () => {
      try {
        const k = await api('POST', `/contests/${encodeURIComponent(c.id)}/end`);
        contests.set(k.id, k);
        contestFilter = filterOf(k.status);
        renderContests(k.id);
        toast(`"${k.name}" ended.`);
      } catch (err) {
        toast(`"${c.name}" was not ended: ${err.message}`, 'err');
      }
    });
  }

  async function cancelContest(c, button) {
    if (!await confirmAction(`Cancel "${c.name}"?`, 'A cancelled contest pays no prizes. It stays in the list for the record.', 'Cancel contest')) return;
    await busy(button, async () => {
      try {
        const k = await api('POST', `/contests/${encodeURIComponent(c.id)}/cancel`);
        contests.set(k.id, k);
        renderContests();
        toast(`"${k.name}" cancelled.`);
      } catch (err) {
        toast(`"${c.name}" was not cancelled: ${err.message}`, 'err');
      }
    });
  }

  // ------------------------------------------------------------------ spot incentives

  let titleEdited = false;
  let incentiveKey = null;

  function durationMs() {
    const v = $('incentive-form').elements.duration.value;
    if (v === 'custom') {
      const t = Date.parse($('i-ends').value);
      return Number.isNaN(t) ? null : t - Date.now();
    }
    if (v === 'eod') {
      const d = new Date();
      d.setHours(18, 0, 0, 0);
      return d.getTime() - Date.now();
    }
    return Number(v) * 60000;
  }

  function suggestedTitle() {
    const f = $('incentive-form').elements;
    const n = Number(f.max_winners.value) || 1;
    const pts = Number(f.reward_points.value) || 0;
    const min = Number(f.min_amount.value) || 0;
    const product = f.product.value.trim();
    const who = n === 1 ? 'First' : `First ${n}`;
    const what = min > 0 ? `to close ${shortMoney(min)}+` : 'to close a deal';
    const prod = product ? ` of ${product}` : '';
    const v = f.duration.value;
    let by;
    if (v === 'eod') by = 'before 6 pm';
    else if (v === 'custom') {
      const t = Date.parse($('i-ends').value);
      by = Number.isNaN(t) ? '' : `before ${new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(new Date(t))}`;
    } else by = `in the next ${durationWords(Number(v) * 60000)}`;
    return `${who} ${what}${prod}${by ? ' ' + by : ''} win ${intFmt.format(pts)} points`;
  }

  function syncIncentiveForm() {
    const f = $('incentive-form').elements;
    // "Until 6 pm" only while 6 pm is ahead by a useful margin.
    const sixPm = new Date();
    sixPm.setHours(18, 0, 0, 0);
    const late = sixPm.getTime() - Date.now() < 10 * 60000;
    $('i-eod').hidden = late;
    if (late && f.duration.value === 'eod') f.duration.value = '30';
    const custom = f.duration.value === 'custom';
    $('i-ends-field').hidden = !custom;
    if (custom && !$('i-ends').value) $('i-ends').value = localInputValue(Date.now() + 3600000);
    if (!titleEdited) $('i-title').value = suggestedTitle();
  }

  function resetIncentiveForm() {
    const form = $('incentive-form');
    form.reset();
    clearErrors(form);
    titleEdited = false;
    incentiveKey = null;
    syncIncentiveForm();
  }

  function incentiveBody() {
    const f = $('incentive-form').elements;
    const body = {
      title: f.title.value,
      condition: { type: 'deal.won' },
      reward_points: numOrNull(f.reward_points.value),
      max_winners: numOrNull(f.max_winners.value),
    };
    const min = numOrNull(f.min_amount.value);
    if (min !== null) body.condition.min_amount = min;
    const product = f.product.value.trim();
    if (product) body.condition.product = product;
    if (body.reward_points === null) delete body.reward_points;
    if (body.max_winners === null) delete body.max_winners;
    const ms = durationMs();
    if (ms !== null) body.ends_at = new Date(Date.now() + ms).toISOString();
    const teams = ids(f.teams.value);
    const reps = ids(f.reps.value);
    if (teams.length || reps.length) body.audience = { teams, reps };
    return body;
  }

  async function submitIncentive(ev) {
    ev.preventDefault();
    const form = $('incentive-form');
    await busy($('incentive-submit'), async () => {
      const body = incentiveBody();
      // ends_at moves with the clock: the retry of the same launch is recognised without it.
      const { ends_at: _ignored, ...same } = body;
      const text = JSON.stringify(same);
      if (!incentiveKey || incentiveKey.body !== text) incentiveKey = { body: text, key: newKey() };
      try {
        const inc = await api('POST', '/incentives', body, { key: incentiveKey.key });
        incentives.set(inc.id, inc);
        watch(inc.id);
        resetIncentiveForm();
        renderIncentives();
        toast(`Launched: ${inc.title}`);
        $('watch-h').focus();
      } catch (err) {
        if (err.status !== 0) incentiveKey = null;
        if (err.field && err.field.startsWith('audience') && !$('i-more').open) $('i-more').open = true;
        if (err.field === 'condition.product') $('i-more').open = true;
        showError(form, err, 'The incentive was not launched');
      }
    });
  }

  let loadingIncentives = null;

  function loadIncentives() {
    if (loadingIncentives) return loadingIncentives;
    loadingIncentives = (async () => {
      try {
        const [open, scheduled, closed] = await Promise.all([
          api('GET', '/incentives?status=open&limit=100'),
          api('GET', '/incentives?status=scheduled&limit=100'),
          api('GET', '/incentives?status=closed&limit=10'),
        ]);
        incentives.clear();
        for (const i of [...(open.items || []), ...(scheduled.items || []), ...(closed.items || [])]) incentives.set(i.id, i);
        if (!watchedId) {
          const first = [...incentives.values()].find((i) => i.status === 'open');
          if (first) watchedId = first.id;
        }
        renderIncentives();
        lookupWinnerNames();
      } catch (err) {
        if (err.status !== 401) console.warn('bullpen manage: incentives', err.message);
      } finally {
        loadingIncentives = null;
      }
    })();
    return loadingIncentives;
  }

  const refreshQueued = new Map();

  /** Reads one incentive again (its winners, as the ledger has them), soon. */
  function refreshIncentive(id, delay = 250) {
    if (refreshQueued.has(id)) return;
    refreshQueued.set(id, setTimeout(async () => {
      refreshQueued.delete(id);
      try {
        const inc = await api('GET', `/incentives/${encodeURIComponent(id)}`);
        incentives.set(inc.id, inc);
        renderIncentives();
        lookupWinnerNames();
      } catch { /* the next poll tries again */ }
    }, delay));
  }

  function repName(repId) {
    return repNames.get(repId) || repId;
  }

  function lookupWinnerNames() {
    for (const inc of incentives.values()) {
      for (const w of inc.winners || []) lookupRep(w.rep_id);
    }
  }

  function lookupRep(repId) {
    if (!repId || repNames.has(repId) || repLookups.has(repId)) return;
    repLookups.set(repId, api('GET', `/reps/${encodeURIComponent(repId)}`).then((r) => {
      if (r && r.name) repNames.set(repId, r.name);
      renderWatch();
    }, () => repLookups.delete(repId)));
  }

  function watch(id) {
    watchedId = id;
    renderIncentives();
  }

  /**
   * The status now, moving only forward from what the server said: this clock may run a few
   * milliseconds behind the server's, and an incentive the server calls open is never shown
   * as "starts in 0:00".
   */
  function statusNow(inc) {
    if (inc.status === 'closed') return 'closed';
    const t = now();
    if (inc.ended_at && t >= Date.parse(inc.ended_at)) return 'closed';
    if (t >= Date.parse(inc.ends_at)) return 'closed';
    if (inc.status === 'open') return 'open';
    return t < Date.parse(inc.starts_at) ? 'scheduled' : 'open';
  }

  const liveWinners = (inc) => (inc.winners || []).filter((w) => !w.clawed_back_at);

  function incentiveRule(inc) {
    const c = inc.condition || {};
    const parts = [c.min_amount ? `Deals of ${money(c.min_amount)} or more` : 'Any won deal'];
    if (c.product) parts.push(`product ${c.product}`);
    parts.push(`${points(inc.reward_points)} each`);
    parts.push(`${inc.max_winners} ${inc.max_winners === 1 ? 'winner' : 'winners'}`);
    const a = inc.audience || {};
    const who = [...(a.teams || []).map((t) => `team ${t}`), ...(a.reps || [])];
    if (who.length) parts.push(`open to ${who.join(', ')}`);
    return parts.join(' · ');
  }

  function renderIncentives() {
    const all = [...incentives.values()];
    for (const i of all) i.status = statusNow(i);
    const order = { open: 0, scheduled: 1, closed: 2 };
    all.sort((a, b) => (order[a.status] - order[b.status]) || (Date.parse(b.created_at || b.starts_at) - Date.parse(a.created_at || a.starts_at)));
    const openCount = all.filter((i) => i.status === 'open').length;
    setCount('count-incentives', openCount, 'open');
    const list = $('inc-list');
    list.replaceChildren(...all.slice(0, 20).map((inc) => {
      const won = liveWinners(inc).length;
      const watching = inc.id === watchedId;
      return h('li', { class: 'inc-item' + (watching ? ' watching' : '') },
        h('div', { class: 'inc-main' },
          h('p', { class: 'inc-title' }, h('span', { text: inc.title }), ' ', statusTag(inc.status)),
          h('p', { class: 'muted small' },
            `${won} of ${inc.max_winners} won · `,
            inc.status === 'open' ? `ends ${ago(inc.ends_at)}` : inc.status === 'scheduled' ? `starts ${ago(inc.starts_at)}` : `closed ${ago(inc.ended_at || inc.ends_at)}`),
        ),
        h('button', { type: 'button', class: 'btn btn-small', 'aria-pressed': String(watching), onclick: () => { watch(inc.id); $('watch-h').focus(); } },
          watching ? 'Watching' : 'Watch', h('span', { class: 'sr-only', text: ` ${inc.title}` })),
      );
    }));
    $('inc-empty').hidden = all.length > 0;
    renderWatch();
  }

  function renderWatch() {
    const inc = watchedId && incentives.get(watchedId);
    $('watch-empty').hidden = !!inc;
    $('watch-body').hidden = !inc;
    const tag = $('watch-status');
    if (!inc) {
      tag.replaceChildren();
      return;
    }
    inc.status = statusNow(inc);
    tag.replaceChildren(statusTag(inc.status));
    $('watch-title').textContent = inc.title;
    $('watch-rule').textContent = incentiveRule(inc);
    const won = liveWinners(inc).length;
    $('watch-places').textContent = won >= inc.max_winners ? `${won} of ${inc.max_winners}, all won` : `${won} of ${inc.max_winners}`;
    $('watch-meter').style.width = `${Math.min(100, (won / Math.max(1, inc.max_winners)) * 100)}%`;
    $('watch-end').hidden = inc.status === 'closed';
    renderCountdown();
    const list = $('winners');
    const winners = inc.winners || [];
    const existing = new Map([...list.children].map((li) => [li.dataset.key, li]));
    let place = 0;
    const items = winners.map((w) => {
      const key = `${w.rep_id}|${w.deal_id}`;
      const clawed = !!w.clawed_back_at;
      if (!clawed) place++;
      const li = h('li', { class: 'winner' + (clawed ? ' clawed' : '') + (existing.size && !existing.has(key) ? ' fresh' : ''), 'data-key': key },
        h('span', { class: 'winner-place', 'aria-hidden': 'true', text: clawed ? '–' : `#${place}` }),
        h('span', { class: 'winner-name' },
          h('strong', { text: repName(w.rep_id) }),
          repName(w.rep_id) !== w.rep_id ? h('span', { class: 'muted small', text: w.rep_id }) : null),
        h('span', { class: 'muted small winner-deal', title: `deal ${w.deal_id}`, text: `deal ${w.deal_id}` }),
        h('span', { class: 'winner-when small', text: w.won_at ? timeFmt.format(new Date(w.won_at)) : '' }),
        clawed
          ? h('span', { class: 'status-tag st-cancelled' }, h('span', { 'aria-hidden': 'true', text: '↺' }), ' Clawed back')
          : h('span', { class: 'winner-points', text: `+${intFmt.format(inc.reward_points)}` }),
      );
      return li;
    });
    list.replaceChildren(...items);
    $('winners-empty').hidden = winners.length > 0;
  }

  function renderCountdown() {
    const inc = watchedId && incentives.get(watchedId);
    if (!inc || $('watch-body').hidden) return;
    const status = statusNow(inc);
    if (status !== inc.status) {
      renderIncentives();
      return;
    }
    const left = $('watch-left');
    const label = $('watch-left-label');
    if (status === 'scheduled') {
      label.textContent = 'Starts in';
      left.textContent = countdown(Date.parse(inc.starts_at) - now());
    } else if (status === 'open') {
      label.textContent = 'Time left';
      left.textContent = countdown(Date.parse(inc.ends_at) - now());
    } else {
      label.textContent = 'Closed';
      left.textContent = timeFmt.format(new Date(inc.ended_at || inc.ends_at));
    }
  }

  async function endWatched() {
    const inc = watchedId && incentives.get(watchedId);
    if (!inc) return;
    if (!await confirmAction(`End "${inc.title}" now?`, 'No further deal can win it. The winners so far keep their points.', 'End incentive')) return;
    await busy($('watch-end'), async () => {
      try {
        const i = await api('POST', `/incentives/${encodeURIComponent(inc.id)}/end`);
        incentives.set(i.id, i);
        renderIncentives();
        toast(`"${i.title}" is closed.`);
      } catch (err) {
        toast(`The incentive was not ended: ${err.message}`, 'err');
      }
    });
  }

  // ------------------------------------------------------------------ the floor feed

  function pushFloor(item) {
    floorItems.unshift(item);
    floorItems.length = Math.min(floorItems.length, FLOOR_ITEMS);
    renderFloor();
  }

  function renderFloor() {
    $('floor-list').replaceChildren(...floorItems.map((f) => h('li', { class: `floor-item fl-${f.kind}` },
      h('span', { class: 'fl-icon', 'aria-hidden': 'true', text: f.kind === 'win' ? '★' : f.kind === 'deal' ? '$' : '•' }),
      h('span', { class: 'fl-text', text: f.text }))));
    $('floor-empty').hidden = floorItems.length > 0;
  }

  function onFloor(m, live) {
    const d = m.data || {};
    switch (m.type) {
      case 'celebration':
        if (d.rep_id && d.name) repNames.set(d.rep_id, d.name);
        pushFloor({ kind: 'deal', text: `${d.name || d.rep_id} won ${money(d.amount)}` });
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
          if (inc.id === watchedId) toast(`${d.name || d.rep_id} won ${points(d.points)}`, 'win');
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

  // ------------------------------------------------------------------ the socket

  function setConnected(on) {
    connected = on;
    const c = $('conn');
    c.dataset.state = on ? 'on' : 'off';
    $('conn-text').textContent = on ? 'Live' : 'Offline · reconnecting…';
  }

  /** Opens the live feed for the signed-in token: the floor channel, resumed after a drop. */
  function connect() {
    stopSocket();
    if (!token) return;
    live = new window.BullpenLive.Socket({
      token,
      channels: ['floor'],
      name: 'bullpen manage',
      onStatus: setConnected,
      onWelcome(m) {
        clockOffset = live.clockOffset;
        if (m.currency && m.currency !== currency) {
          setCurrency(m.currency);
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
        floorItems.length = 0;
        for (const item of ((m.data && m.data.items) || []).slice(-FLOOR_ITEMS)) onFloor(item, false);
        renderFloor();
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
    live.start();
  }

  function stopSocket() {
    const l = live;
    live = null;
    if (l) l.stop();
    setConnected(false);
  }

  // ------------------------------------------------------------------ points

  let searchTimer = 0;
  let searchSeq = 0;

  function searchReps(q, into, done) {
    const mine = ++searchSeq;
    api('GET', `/reps?limit=20&q=${encodeURIComponent(q)}`).then((body) => {
      if (mine !== searchSeq) return;
      const items = body.items || [];
      for (const r of items) if (r.name) repNames.set(r.rep_id, r.name);
      into(items);
    }, (err) => {
      if (mine === searchSeq && done) done(err);
    });
  }

  function renderRepResults(items) {
    const list = $('rep-results');
    list.replaceChildren(...items.map((r) => h('li', {},
      h('button', {
        type: 'button', class: 'rep-result' + (selectedRep && selectedRep.rep_id === r.rep_id ? ' selected' : ''), 'data-rep': r.rep_id,
        'aria-pressed': String(!!(selectedRep && selectedRep.rep_id === r.rep_id)),
        onclick: () => selectRep(r.rep_id),
      }, h('strong', { text: r.name || r.rep_id }), h('span', { class: 'muted small', text: ` ${r.rep_id}${r.team_id ? ' · ' + r.team_id : ''}` })))));
    $('rep-results-status').textContent = items.length ? `${items.length} ${items.length === 1 ? 'rep' : 'reps'} found` : 'No rep found';
  }

  async function selectRep(repId) {
    try {
      const [rep, led] = await Promise.all([
        api('GET', `/reps/${encodeURIComponent(repId)}`),
        api('GET', `/reps/${encodeURIComponent(repId)}/ledger?limit=20`),
      ]);
      selectedRep = rep;
      ledger = { entries: led.entries || [], total: led.total ?? (led.entries || []).length, balance: led.balance };
      if (rep.name) repNames.set(rep.rep_id, rep.name);
      clearErrors($('adjust-form'));
      $('adjust-form').reset();
      adjustKey = null;
      renderRep();
      for (const b of $('rep-results').querySelectorAll('.rep-result')) {
        const on = b.dataset.rep === rep.rep_id;
        b.classList.toggle('selected', on);
        b.setAttribute('aria-pressed', String(on));
      }
      $('a-points').focus();
    } catch (err) {
      toast(`Could not open ${repId}: ${err.message}`, 'err');
    }
  }

  function renderRep() {
    const rep = selectedRep;
    $('rep-empty').hidden = !!rep;
    $('rep-body').hidden = !rep;
    if (!rep) return;
    $('rep-h').textContent = rep.name || rep.rep_id;
    $('rep-meta').textContent = [rep.rep_id, rep.team_id ? `team ${rep.team_id}` : 'no team'].join(' · ');
    const standings = (rep.standings || []).map((st) => {
      const c = contests.get(st.contest_id);
      return `#${st.rank} in ${c ? c.name : 'a contest'} (${scoreText(c ? c.metric : '', st.score)})`;
    });
    $('rep-standings').textContent = standings.length ? standings.join(' · ') : 'Not on a live board right now.';
    $('rep-balance').textContent = points(ledger.balance ?? rep.points_balance);
    const rows = ledger.entries.map((e) => h('tr', {},
      h('td', { class: 'nowrap', text: when(e.created_at) }),
      h('td', { class: 'num ' + (e.points < 0 ? 'neg' : 'pos'), text: signedFmt.format(e.points) }),
      h('td', {}, h('span', { class: `reason r-${e.reason}`, text: REASONS[e.reason] || e.reason })),
      h('td', { class: 'note', text: e.note || '' }),
      h('td', { class: 'small muted', text: e.by === 'system' ? 'system' : e.by === (me && me.token_id) ? 'you' : e.by }),
    ));
    $('ledger-rows').replaceChildren(...rows);
    $('ledger-empty').hidden = ledger.entries.length > 0;
    $('ledger-more').hidden = ledger.entries.length >= ledger.total;
  }

  async function moreLedger() {
    if (!selectedRep) return;
    await busy($('ledger-more'), async () => {
      try {
        const led = await api('GET', `/reps/${encodeURIComponent(selectedRep.rep_id)}/ledger?limit=50&offset=${ledger.entries.length}`);
        ledger.entries.push(...(led.entries || []));
        ledger.total = led.total ?? ledger.total;
        renderRep();
      } catch (err) {
        toast(err.message, 'err');
      }
    });
  }

  let adjustKey = null;

  async function submitAdjustment(ev) {
    ev.preventDefault();
    if (!selectedRep) return;
    const form = $('adjust-form');
    const rep = selectedRep;
    await busy($('adjust-submit'), async () => {
      const body = { note: form.elements.note.value };
      const pts = numOrNull(form.elements.points.value);
      if (pts !== null) body.points = pts;
      const text = JSON.stringify([rep.rep_id, body]);
      if (!adjustKey || adjustKey.body !== text) adjustKey = { body: text, key: newKey() };
      try {
        const entry = await api('POST', `/reps/${encodeURIComponent(rep.rep_id)}/adjustments`, body, { key: adjustKey.key });
        adjustKey = null;
        if (selectedRep !== rep) return;
        ledger.entries.unshift(entry);
        ledger.total++;
        ledger.balance = entry.balance;
        rep.points_balance = entry.balance;
        form.reset();
        clearErrors(form);
        renderRep();
        toast(`${signedFmt.format(entry.points)} points for ${rep.name || rep.rep_id}. Balance: ${points(entry.balance)}.`);
      } catch (err) {
        if (err.status !== 0) adjustKey = null;
        showError(form, err, 'The points were not recorded');
      }
    });
  }

  // ------------------------------------------------------------------ displays

  let loadingDisplays = false;

  async function loadDisplays() {
    if (loadingDisplays || !token) return;
    loadingDisplays = true;
    try {
      const body = await api('GET', '/displays');
      displays = body.items || [];
      displaysAt = Date.now();
      renderDisplays();
    } catch (err) {
      if (err.status !== 401) $('displays-updated').textContent = `Could not refresh: ${err.message}`;
    } finally {
      loadingDisplays = false;
    }
  }

  function channelText(ch) {
    if (ch === 'floor') return 'floor';
    if (ch.startsWith('contest:')) {
      const c = contests.get(ch.slice('contest:'.length));
      return c ? c.name : ch;
    }
    return ch;
  }

  function renderDisplays() {
    // One row per display token: a screen with two tabs open is one display.
    const rows = displays.map((d) => {
      const seen = Date.parse(d.last_seen);
      const fresh = !Number.isNaN(seen) && now() - seen < 60000;
      const shows = d.channels.filter((c) => c !== 'floor').map(channelText);
      return h('tr', {},
        h('td', {}, h('strong', { text: d.name || 'Unnamed display' }), h('br'), h('span', { class: 'muted small', text: d.token_id })),
        h('td', {}, fresh
          ? h('span', { class: 'status-tag st-live' }, h('span', { 'aria-hidden': 'true', text: '●' }), ' Online')
          : h('span', { class: 'status-tag st-ended' }, h('span', { 'aria-hidden': 'true', text: '◌' }), ' Quiet')),
        h('td', { text: when(d.connected_at) }),
        h('td', { text: ago(d.last_seen) }),
        h('td', { text: shows.length ? shows.join(', ') : 'floor only' }),
      );
    });
    $('display-rows').replaceChildren(...rows);
    $('displays-empty').hidden = displays.length > 0;
    setCount('count-displays', displays.length, 'online');
    renderDisplaysUpdated();
  }

  function renderDisplaysUpdated() {
    if (displaysAt) $('displays-updated').textContent = `Updated ${ago(new Date(displaysAt + clockOffset).toISOString())}`;
  }

  // ------------------------------------------------------------------ tokens

  let tokenKey = null;

  function syncTokenForm() {
    const role = $('token-form').elements.role.value;
    $('t-rep-field').hidden = role !== 'rep';
    $('t-name').placeholder = role === 'display' ? 'Lobby TV' : role === 'rep' ? 'Ana\'s phone' : role === 'ingest' ? 'CRM webhook' : 'Sales manager';
  }

  async function submitToken(ev) {
    ev.preventDefault();
    const form = $('token-form');
    await busy($('token-submit'), async () => {
      const f = form.elements;
      const body = { role: f.role.value, name: f.name.value.trim() };
      if (body.role === 'rep') body.rep_id = f.rep_id.value.trim();
      const text = JSON.stringify(body);
      if (!tokenKey || tokenKey.body !== text) tokenKey = { body: text, key: newKey() };
      try {
        const t = await api('POST', '/tokens', body, { key: tokenKey.key });
        tokenKey = null;
        minted = t;
        form.reset();
        clearErrors(form);
        syncTokenForm();
        renderMinted();
        loadTokens();
        $('minted').focus();
      } catch (err) {
        if (err.status !== 0) tokenKey = null;
        showError(form, err, 'No token was minted');
      }
    });
  }

  const pairing = { contests: new Set(), hide: false, touched: false };

  function renderMinted() {
    const box = $('minted');
    if (!minted) {
      box.hidden = true;
      $('minted-secret').value = '';
      $('pair-link').value = '';
      $('pair-qr').replaceChildren();
      $('rep-qr').replaceChildren();
      $('rep-link-url').value = '';
      return;
    }
    box.hidden = false;
    $('minted-h').textContent = `New ${minted.role} token${minted.name ? `: ${minted.name}` : ''}`;
    $('minted-secret').value = minted.token;
    $('minted-warn').textContent = 'This is the only time the secret is shown. ' + (minted.role === 'display'
      ? 'Pair the screen below now, or copy it.'
      : minted.role === 'rep' ? 'Give the rep the link below now, or copy it.' : 'Copy it now.');
    $('pairing').hidden = minted.role !== 'display';
    $('rep-link').hidden = minted.role !== 'rep';
    if (minted.role === 'display') {
      pairing.touched = false;
      pairing.contests = new Set([...contests.values()].filter((c) => c.status === 'live').map((c) => c.id));
      pairing.hide = false;
      $('pair-hide').checked = false;
      renderPairingContests();
    }
    if (minted.role === 'rep') {
      const link = `${location.origin}/me#token=${encodeURIComponent(minted.token)}`;
      $('rep-link-url').value = link;
      renderQR($('rep-qr'), link, `QR code: scan to open ${minted.name || 'the rep'}'s page on a phone`);
    }
  }

  function renderPairingContests() {
    if (!minted || minted.role !== 'display') return;
    const shown = [...contests.values()].filter((c) => ['live', 'scheduled', 'ended'].includes(c.status))
      .sort((a, b) => (a.status === b.status ? a.name.localeCompare(b.name) : a.status === 'live' ? -1 : b.status === 'live' ? 1 : 0));
    for (const id of [...pairing.contests]) if (!contests.has(id)) pairing.contests.delete(id);
    const list = $('pair-contest-list');
    list.replaceChildren(...shown.map((c) => {
      const id = `pc-${c.id}`;
      return h('div', { class: 'check-row' },
        h('input', { type: 'checkbox', id, value: c.id, checked: pairing.contests.has(c.id), onchange: (e) => {
          pairing.touched = true;
          if (e.currentTarget.checked) pairing.contests.add(c.id);
          else pairing.contests.delete(c.id);
          renderPairing();
        } }),
        h('label', { for: id }, c.name, ' ', h('span', { class: 'muted small', text: `(${STATUS_TEXT[c.status] || c.status})` })));
    }));
    if (!shown.length) list.append(h('p', { class: 'muted small', text: 'No live or scheduled contest: the display will show the floor only until you pair it again.' }));
    renderPairing();
  }

  function pairingLink() {
    if (!minted) return '';
    // In the playlist order the manager sees: live first, then by name.
    const chosen = [...$('pair-contest-list').querySelectorAll('input[type=checkbox]')].filter((c) => c.checked).map((c) => c.value);
    let link = `${location.origin}/display#token=${encodeURIComponent(minted.token)}&contests=${chosen.map(encodeURIComponent).join(',')}`;
    if (pairing.hide) link += '&amounts=hide';
    return link;
  }

  function renderPairing() {
    const link = pairingLink();
    $('pair-link').value = link;
    $('pair-open').href = link;
    renderQR($('pair-qr'), link, `QR code: scan to open the wall display${minted && minted.name ? ` for ${minted.name}` : ''}`);
  }

  /** Draws text as a QR code: an SVG of one path, crisp at any size, with a text alternative. */
  function renderQR(box, text, alt) {
    box.replaceChildren();
    if (!text) return;
    if (typeof window.qrcode !== 'function') {
      box.append(h('p', { class: 'muted small', text: 'The QR encoder did not load: copy the link instead.' }));
      return;
    }
    let qr;
    try {
      qr = window.qrcode(0, 'M');
      qr.addData(text);
      qr.make();
    } catch {
      box.append(h('p', { class: 'muted small', text: 'The link is too long for a QR code (fewer contests?): copy it instead.' }));
      return;
    }
    const n = qr.getModuleCount();
    const quiet = 4;
    const size = n + quiet * 2;
    let d = '';
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        if (qr.isDark(r, c)) d += `M${c + quiet} ${r + quiet}h1v1h-1z`;
      }
    }
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', alt);
    svg.setAttribute('shape-rendering', 'crispEdges');
    svg.setAttribute('class', 'qr-svg');
    svg.dataset.modules = String(n);
    const title = document.createElementNS(NS, 'title');
    title.textContent = alt;
    const bg = document.createElementNS(NS, 'rect');
    bg.setAttribute('width', String(size));
    bg.setAttribute('height', String(size));
    bg.setAttribute('fill', '#ffffff');
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', d);
    path.setAttribute('fill', '#000000');
    svg.append(title, bg, path);
    box.append(svg);
  }

  async function loadTokens() {
    if (!token) return;
    try {
      const body = await api('GET', '/tokens?limit=500');
      tokens = body.items || [];
      renderTokens();
    } catch (err) {
      if (err.status !== 401) console.warn('bullpen manage: tokens', err.message);
    }
  }

  const mayRevoke = (t) => me && (me.role === 'admin' || ['rep', 'display'].includes(t.role));

  function renderTokens() {
    const showRevoked = $('tokens-show-revoked').checked;
    const shown = tokens.filter((t) => showRevoked || !t.revoked_at);
    $('token-rows').replaceChildren(...shown.map((t) => {
      const revoked = !!t.revoked_at;
      return h('tr', { class: revoked ? 'revoked' : '' },
        h('td', {}, h('strong', { text: t.name || 'Unnamed' }), h('br'), h('span', { class: 'muted small', text: t.id })),
        h('td', {}, h('span', { class: `role-tag role-${t.role}`, text: t.role }), t.rep_id ? h('span', { class: 'small', text: ` ${repName(t.rep_id)}` }) : null),
        h('td', { text: when(t.created_at) }),
        h('td', { text: t.last_used_at ? ago(t.last_used_at) : 'never' }),
        h('td', { class: 'actions' }, revoked
          ? h('span', { class: 'status-tag st-cancelled' }, h('span', { 'aria-hidden': 'true', text: '✕' }), ` Revoked ${when(t.revoked_at)}`)
          : mayRevoke(t)
            ? h('button', { type: 'button', class: 'btn btn-small btn-danger-quiet', 'aria-label': `Revoke ${t.name || t.id}`, onclick: (e) => revokeToken(t, e.currentTarget) }, 'Revoke')
            : null),
      );
    }));
    $('tokens-empty').hidden = shown.length > 0;
  }

  async function revokeToken(t, button) {
    if (!await confirmAction(`Revoke "${t.name || t.id}"?`, t.role === 'display'
      ? 'The screen using it goes dark until it is paired again with a new token.'
      : 'Anything using this token is signed out at once.', 'Revoke')) return;
    await busy(button, async () => {
      try {
        await api('DELETE', `/tokens/${encodeURIComponent(t.id)}`);
        toast(`"${t.name || t.id}" revoked.`);
        if (minted && minted.id === t.id) {
          minted = null;
          renderMinted();
        }
        await loadTokens();
        loadDisplays();
      } catch (err) {
        toast(`Not revoked: ${err.message}`, 'err');
      }
    });
  }

  // ------------------------------------------------------------------ rendering that follows the currency

  function renderCurrencyLabels() {
    const min = $('i-min-label');
    if (min) min.textContent = `Minimum deal (${currency})`;
    for (const l of document.querySelectorAll('.money-label')) l.textContent = `${l.dataset.base} (${currency})`;
    const tl = $('c-target-label');
    if (tl && $('contest-form')) syncContestForm();
  }

  function renderAllData() {
    renderContests();
    renderIncentives();
    renderFloor();
    if (selectedRep) renderRep();
    if (!titleEdited) syncIncentiveForm();
  }

  // ------------------------------------------------------------------ the clock

  function tick() {
    if (!token) return;
    renderCountdown();
    if (section === 'displays') renderDisplaysUpdated();
  }

  // ------------------------------------------------------------------ wiring

  function wire() {
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

    const cf = $('contest-form');
    cf.addEventListener('submit', submitContest);
    cf.addEventListener('reset', () => {
      if (!ownReset) setTimeout(() => resetContestForm(true), 0);
    });
    cf.addEventListener('change', (ev) => {
      if (['kind', 'metric'].includes(ev.target.name)) syncContestForm();
    });
    $('add-weight').addEventListener('click', () => {
      const row = weightRow(null);
      $('weight-rows').append(row);
      row.querySelector('input').focus();
    });
    $('add-prize').addEventListener('click', () => {
      const rows = $('prize-rows').querySelectorAll('.prize-rank');
      const next = rows.length ? Math.max(...[...rows].map((r) => Number(r.value) || 0)) + 1 : 1;
      const row = prizeRow(next, '');
      $('prize-rows').append(row);
      row.querySelector('.prize-points').focus();
    });
    $('contest-filter').addEventListener('click', (ev) => {
      const b = ev.target.closest('button[data-filter]');
      if (!b) return;
      contestFilter = b.dataset.filter;
      renderContests();
    });
    $('contests-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, loadContests));

    const inf = $('incentive-form');
    inf.addEventListener('submit', submitIncentive);
    inf.addEventListener('input', (ev) => {
      if (ev.target.id === 'i-title') titleEdited = ev.target.value.trim() !== '';
      else syncIncentiveForm();
    });
    inf.addEventListener('change', (ev) => {
      if (ev.target.id !== 'i-title') syncIncentiveForm();
    });
    $('watch-end').addEventListener('click', endWatched);
    $('incentives-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, loadIncentives));

    $('rep-q').addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => searchReps($('rep-q').value.trim(), renderRepResults, (err) => {
        $('rep-results-status').textContent = `Search failed: ${err.message}`;
      }), 200);
    });
    $('rep-search-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      const first = $('rep-results').querySelector('button');
      if (first) first.click();
    });
    $('adjust-form').addEventListener('submit', submitAdjustment);
    $('ledger-more').addEventListener('click', moreLedger);

    $('displays-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, loadDisplays));

    const tf = $('token-form');
    tf.addEventListener('submit', submitToken);
    tf.addEventListener('change', (ev) => {
      if (ev.target.name === 'role') syncTokenForm();
    });
    let repListTimer = 0;
    $('t-rep').addEventListener('input', () => {
      clearTimeout(repListTimer);
      repListTimer = setTimeout(() => searchReps($('t-rep').value.trim(), (items) => {
        $('t-rep-list').replaceChildren(...items.map((r) => h('option', { value: r.rep_id, label: `${r.name || r.rep_id}${r.team_id ? ' · ' + r.team_id : ''}` })));
      }), 200);
    });
    $('minted-done').addEventListener('click', () => {
      minted = null;
      renderMinted();
      $('t-name').focus();
    });
    $('pair-hide').addEventListener('change', (ev) => {
      pairing.hide = ev.currentTarget.checked;
      renderPairing();
    });
    $('tokens-show-revoked').addEventListener('change', renderTokens);
    $('tokens-refresh').addEventListener('click', (ev) => busy(ev.currentTarget, loadTokens));
    for (const b of document.querySelectorAll('[data-copy]')) {
      b.addEventListener('click', () => copyFrom(b.dataset.copy, b));
    }

    const tzList = $('tz-list');
    try {
      const zones = Intl.supportedValuesOf ? Intl.supportedValuesOf('timeZone') : [];
      tzList.replaceChildren(...['UTC', ...zones].map((z) => h('option', { value: z })));
    } catch { /* typing a zone still works */ }

    setInterval(tick, 1000);
  }

  // ------------------------------------------------------------------ test hook

  const plain = (v) => JSON.parse(JSON.stringify(v === undefined ? null : v));
  window.bullpenManage = {
    state() {
      return plain({
        signedIn: !!token,
        me,
        currency,
        connected,
        section,
        floorSeq: live && live.has('floor') ? live.seqs().floor : null,
        contests: [...contests.values()].map((c) => ({ id: c.id, name: c.name, status: c.status })),
        incentives: [...incentives.values()].map((i) => ({ id: i.id, title: i.title, status: i.status, winners: (i.winners || []).map((w) => ({ rep_id: w.rep_id, deal_id: w.deal_id, clawed_back_at: w.clawed_back_at || null })) })),
        watching: watchedId,
        selectedRep: selectedRep ? selectedRep.rep_id : null,
        balance: selectedRep ? (ledger.balance ?? selectedRep.points_balance) : null,
        displays: displays.map((d) => ({ token_id: d.token_id, name: d.name, channels: d.channels })),
        minted: minted ? { id: minted.id, role: minted.role, name: minted.name, pairingLink: minted.role === 'display' ? pairingLink() : null } : null,
        floor: floorItems.map((f) => f.text),
      });
    },
    connected() {
      return connected;
    },
    /** Re-reads everything from the API now (tests need not wait for the polls). */
    refresh() {
      return Promise.all([loadContests(), loadIncentives(), loadTokens(), loadDisplays()]);
    },
  };

  // ------------------------------------------------------------------ start

  wire();
  syncTokenForm();
  const fromFragment = tokenFromFragment();
  let stored = '';
  try {
    stored = localStorage.getItem(TOKEN_KEY) || '';
  } catch { /* none */ }
  const first = fromFragment || stored;
  if (first) {
    signIn(first, false).then((ok) => {
      if (!ok && !fromFragment) {
        try {
          localStorage.removeItem(TOKEN_KEY);
        } catch { /* none */ }
      }
    });
  } else {
    showSignIn();
  }
})();
