// A token's life as the console reads it from GET /tokens: live, expired or revoked; when it
// ends; whether the secret a rotation replaced still works.
import { ago } from './format.js';
import { now } from './state.js';

const DAY = 86400000;

/** 'live', 'expired' or 'revoked', at the server's now. */
export function stateOf(t, at = now()) {
  if (t.revoked_at) return 'revoked';
  if (t.expires_at && Date.parse(t.expires_at) <= at) return 'expired';
  return 'live';
}

/**
 * Whether the secret t's last rotation replaced still works. A rotation with no overlap ended it
 * at the rotation itself, whatever this browser's clock says.
 */
export function overlapping(t, at = now()) {
  if (!t.previous_secret_until || stateOf(t, at) !== 'live') return false;
  const until = Date.parse(t.previous_secret_until);
  return until > Date.parse(t.rotated_at) && until > at;
}

/** An expiry a number of days from now (RFC 3339). */
export const daysFromNow = (days) => new Date(now() + days * DAY).toISOString();

/** "in 3 days", "in 5 seconds": a time to come, said from now. */
export function fromNow(iso) {
  const text = ago(iso);
  return text === 'just now' ? 'in a moment' : text;
}

/** Ends within a day. */
export const endsSoon = (t, at = now()) => !!t.expires_at && Date.parse(t.expires_at) - at < DAY;
