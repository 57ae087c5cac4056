// The points balance and the ledger: what the rep earned, and why.
import { restartClass, reducedMotion } from '../shared/page.js';
import { REASONS, dateFmt, signedPoints, wholeFmt } from './format.js';
import { S, el, get, guarded, ledger, rep } from './state.js';

const LEDGER_PAGE = 20;
let ledgerTimer = 0;

export function loadLedger(reset) {
  if (ledger.loading && !reset) return;
  ledger.loading = true;
  const limit = reset ? Math.min(500, Math.max(LEDGER_PAGE, ledger.entries.filter((e) => !e.pending).length)) : LEDGER_PAGE;
  const offset = reset ? 0 : ledger.entries.filter((e) => !e.pending).length;
  guarded(get(`/reps/${encodeURIComponent(rep.rep_id)}/ledger?limit=${limit}&offset=${offset}`), (v) => {
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

export function loadLedgerSoon() {
  clearTimeout(ledgerTimer);
  ledgerTimer = setTimeout(() => {
    if (S.session) loadLedger(true);
  }, 400);
}

export function setBalance(v) {
  if (typeof v !== 'number' || Number.isNaN(v)) return;
  const changed = S.balance !== v;
  S.balance = v;
  if (changed) renderBalance(true);
}

export function renderBalance(bump) {
  el.balance.textContent = S.balance === null ? '—' : wholeFmt.format(S.balance);
  if (bump && !reducedMotion()) restartClass(el.balance, 'bump');
}

export function renderLedger() {
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

/** Forgets the ledger of a session that ended. */
export function resetLedger() {
  clearTimeout(ledgerTimer);
  ledger.entries = [];
  ledger.total = 0;
  ledger.loaded = false;
  S.balance = null;
  el.ledger.replaceChildren();
}
