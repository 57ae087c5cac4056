// What the rep's page parts share: the session, the rep, their contests, incentives and ledger,
// the socket, the currency and the page's elements.
import { apiClient } from '../shared/api.js';
import { Money } from '../shared/format.js';
import { $ } from '../shared/page.js';

export const el = {
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

export const S = {
  /** @type {null|{token: string, who: object, repId: string, staff: boolean}} */
  session: null,
  /** The live feed (shared/live.js) of the signed-in session. */
  live: null,
  /** The points balance; null until read. */
  balance: null,
};

export const rep = { rep_id: '', name: '', team_id: null, known: false };
/** Contests the rep takes part in, by id. */
export const contests = new Map();
/** Open (or about to open) spot incentives the rep may win, by id. */
export const incentives = new Map();
export const ledger = { entries: [], total: 0, loading: false, loaded: false };
/** The latest "passed you" / "you passed", newest first. */
export const moves = [];

export const money = new Money('USD');

export const now = () => (S.live ? S.live.now() : Date.now());

const api = apiClient({ token: () => (S.session ? S.session.token : '') });

/** GET path with the session's token, or with token to try one. */
export const get = (path, token) => api('GET', path, undefined, token ? { token } : {});

let onRevoked = () => {};

/** What guarded does when the session's token is refused (the session signs out). */
export function whenRevoked(fn) {
  onRevoked = fn;
}

/** Runs the promise's outcome for the current session only; a revoked token signs out. */
export function guarded(promise, onOk, onErr) {
  const s = S.session;
  return promise.then((v) => {
    if (S.session === s) onOk(v);
  }, (err) => {
    if (S.session !== s || !s) return;
    if (err.status === 401) {
      onRevoked();
      return;
    }
    if (onErr) onErr(err);
    else if (err.status !== 0) console.warn('bullpen me:', err.message);
  });
}
