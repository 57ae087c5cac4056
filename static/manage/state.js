// What the console's screens share: the signed-in token and who it is, the contests and
// incentives as last read, rep names, the socket's state, the currency and the API client.
import { apiClient } from '../shared/api.js';
import { Money } from '../shared/format.js';

export const S = {
  token: '',
  /** GET /me of the signed-in token. */
  me: null,
  /** The live feed (shared/live.js): the floor channel, while signed in. */
  live: null,
  connected: false,
  clockOffset: 0,               // server time minus local time, from the last welcome
};

export const now = () => Date.now() + S.clockOffset;

export const contests = new Map();     // id -> contest
export const incentives = new Map();   // id -> incentive (with winners)
export const repNames = new Map();     // rep_id -> name

export const repName = (repId) => repNames.get(repId) || repId;

export const money = new Money('USD', { maxDigits: 2 });

let onRevoked = () => {};

/** What happens when the server no longer accepts the signed-in token (the console signs out). */
export function whenRevoked(fn) {
  onRevoked = fn;
}

/** The API with the signed-in token (opts.token: try another one). */
export const api = apiClient({ token: () => S.token, onUnauthorized: () => onRevoked() });
