// Bullpen manager console (docs/api.md §3, §4 and §5, /manage): contests, spot incentives, points
// adjustments, coaching, wall displays, tokens, the audit trail and webhooks, over the JSON API, with the
// floor channel of the socket for winners arriving live. Signed in with a manager or admin
// token, from the form or from the fragment (/manage#token=…, which never reaches the server),
// kept in localStorage.
// Plain modern JavaScript (native modules), no build step, nothing from the internet; the QR
// encoder is vendored (static/vendor/qrcode.js, MIT).
//
// Each section of the console is a module of manage/ (contests.js, incentives.js, points.js,
// coaching.js, displays.js, tokens.js, audit.js, webhooks.js; history.js for a contest's periods and the CSV
// exports), beside signing in, the sections and the socket (session.js) and the floor feed
// (floor.js). The Targets screen is targets.js (the list) and target-import.js (the import form).
// The Screens section is screens.js (the list and the editor) and screen-pair.js (pairing a
// display by its code).
import { exposeTestHook } from './shared/testhook.js';
import { auditState, wireAudit } from './manage/audit.js';
import { coachingState, wireCoaching } from './manage/coaching.js';
import { loadContests, wireContests } from './manage/contests.js';
import { displaysState, loadDisplays, wireDisplays } from './manage/displays.js';
import { floorTexts } from './manage/floor.js';
import { periodsState, wireHistory } from './manage/history.js';
import { loadIncentives, watching, wireIncentives } from './manage/incentives.js';
import { pointsState, wirePoints } from './manage/points.js';
import { boot, currentSection, renderCurrencyLabels, tick, wireSession } from './manage/session.js';
import { S, contests, incentives, money } from './manage/state.js';
import { wireTargetImport } from './manage/target-import.js';
import { targetsState, wireTargets } from './manage/targets.js';
import { loadTokens, mintedState, syncTokenForm, tokensState, wireTokens } from './manage/tokens.js';
import { loadWebhooks, webhooksState, wireWebhooks } from './manage/webhooks.js';
import { screensState, wireScreens } from './manage/screens.js';
import { pairedState, wirePairing } from './manage/screen-pair.js';

exposeTestHook('bullpenManage', {
  state() {
    return {
      signedIn: !!S.token,
      me: S.me,
      currency: money.code,
      connected: S.connected,
      section: currentSection(),
      floorSeq: S.live && S.live.has('floor') ? S.live.seqs().floor : null,
      contests: [...contests.values()].map((c) => ({ id: c.id, name: c.name, status: c.status })),
      incentives: [...incentives.values()].map((i) => ({ id: i.id, title: i.title, status: i.status, winners: (i.winners || []).map((w) => ({ rep_id: w.rep_id, deal_id: w.deal_id, clawed_back_at: w.clawed_back_at || null })) })),
      watching: watching(),
      ...pointsState(),
      ...periodsState(),
      ...coachingState(),
      ...targetsState(),
      ...auditState(),
      ...webhooksState(),
      displays: displaysState(),
      minted: mintedState(),
      tokens: tokensState(),
      floor: floorTexts(),
      ...screensState(), // the Screens section
      paired: pairedState(),
    };
  },
  connected() {
    return S.connected;
  },
  /** Re-reads everything from the API now (tests need not wait for the polls). */
  refresh() {
    return Promise.all([loadContests(), loadIncentives(), loadTokens(), loadDisplays(), loadWebhooks()]);
  },
});

renderCurrencyLabels();
wireSession();
wireContests();
wireIncentives();
wirePoints();
wireCoaching();
wireTargets();
wireTargetImport();
wireDisplays();
wireTokens();
wireHistory();
wireAudit();
wireWebhooks();
wireScreens(); // the Screens section
wirePairing();
setInterval(tick, 1000);
syncTokenForm();
boot();
