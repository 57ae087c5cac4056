// Bullpen rep view (docs/api.md §3–§5, /me): my rank, score and the gap to the next place in every
// live contest, who just passed me, my points balance and ledger, open spot incentives with a
// countdown, and a toast when a reward lands. Made for a phone first.
//
// Signed in with a rep token from the URL fragment (/me#token=…, which never reaches the server)
// or the sign-in form; the token is kept in localStorage until "Sign out". A manager's or admin's
// token may open any rep's page (/me#token=…&rep=rep-17, or the form that asks whose).
//
// Live through the shared socket client (shared/live.js: auth, subscribe with since/epoch, ping,
// backoff).
// Plain modern JavaScript (native modules), no build step, nothing from the internet.
//
// The page's parts are modules of me/: signing in and the session (session.js), what the
// socket brings (feed.js), the contest cards (contests.js, contest-card.js), spot incentives
// (incentives.js), the balance and ledger (ledger.js), my activity against my team's median
// (activity.js), my targets (attainment.js), my trophy case (trophies.js) and toasts (toasts.js).
import { metricOf } from './shared/format.js';
import { exposeTestHook, plain } from './shared/testhook.js';
import { activityState } from './me/activity.js';
import { attainmentState } from './me/attainment.js';
import { contestName } from './me/contest-card.js';
import { incentiveCard, incentiveList } from './me/incentives.js';
import { loadLedger } from './me/ledger.js';
import { boot, changeRep, pickRep, searchReps, setSigninError, signIn, signOut, stopSession } from './me/session.js';
import { S, contests, el, ledger, money, moves, rep } from './me/state.js';
import { dismiss, toastLog, toastsShown } from './me/toasts.js';
import { trophiesState } from './me/trophies.js';

exposeTestHook('bullpenMe', {
  connected() {
    return !!(S.live && S.live.connected);
  },
  signedIn() {
    return !!S.session;
  },
  state() {
    const session = S.session;
    return {
      signedIn: !!session,
      role: session ? session.who.role : null,
      rep: session ? { rep_id: rep.rep_id, name: rep.name, team_id: rep.team_id } : null,
      currency: money.code,
      serverVersion: S.live ? S.live.serverVersion : null,
      balance: S.balance,
      contests: [...contests.values()].map((c) => ({
        id: c.id, name: contestName(c), metric: metricOf(c) || null, status: c.status,
        rank: c.mine ? c.mine.rank : null, score: c.mine ? c.mine.score : null, total: c.total,
        above: c.above, below: c.below,
        rankText: c.els ? c.els.rank.textContent : null, scoreText: c.els ? c.els.score.textContent : null,
        gapText: c.els ? c.els.gap.textContent : null, passedText: c.els ? c.els.passed.textContent : null,
        paceText: c.els ? c.els.pace.textContent : null, pace: c.pace,
        timeText: c.els ? c.els.time.textContent : null,
      })),
      incentives: incentiveList().map((inc) => {
        const x = incentiveCard(inc.id);
        return {
          id: inc.id, title: inc.title, ends_at: inc.ends_at, reward_points: inc.reward_points,
          won: (inc.winners || []).some((w) => w.rep_id === rep.rep_id && !w.clawed_back_at),
          countdown: x ? x.countdown : null, places: x ? x.places : null,
        };
      }),
      ledger: ledger.entries.map((e) => ({ id: e.id, points: e.points, reason: e.reason, note: e.note, pending: !!e.pending })),
      ledgerTotal: ledger.total,
      activity: activityState(),
      attainment: attainmentState(),
      trophies: trophiesState(),
      moves,
      toasts: toastLog,
      toastsShown: toastsShown(),
      seq: S.live ? S.live.seqs() : {},
      epoch: S.live ? S.live.epochs() : {},
    };
  },
  toasts() {
    return plain(toastLog);
  },
});

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
el.changeRep.addEventListener('click', changeRep);
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
