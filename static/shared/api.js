// The JSON API client of every page: the bearer token, error bodies turned into messages, and a
// hook for a token the server no longer accepts.

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status; 0 when the server did not answer
   * @param {string} code the error body's code (e.g. "invalid_argument")
   * @param {string} message for people
   * @param {string} [field] the request field at fault ("prizes.0.points")
   */
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || '';
  }
}

/**
 * A client for /api/v1.
 *
 * @param {object} o
 * @param {() => string} o.token the signed-in token ('' when signed out)
 * @param {(err: ApiError) => void} [o.onUnauthorized] a 401 for that token (revoked, say); not
 *   called for a token passed to one call to try it
 * @returns {(method: string, path: string, body?: any, opts?: {token?: string, key?: string, type?: string}) => Promise<any>}
 *   opts.type: the body is text sent as it is, with this Content-Type (a CSV file, say)
 */
export function apiClient({ token, onUnauthorized }) {
  // Signed out, nothing is sent: a timer or a lookup still pending from before "Sign out" fails
  // here instead of asking the server with no token.
  return async function api(method, path, body, opts = {}) {
    const bearer = opts.token || token();
    if (!bearer) throw new ApiError(401, 'unauthenticated', 'Not signed in.');
    const headers = { Authorization: 'Bearer ' + bearer, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = opts.type || 'application/json';
    if (opts.key) headers['Idempotency-Key'] = opts.key;
    let res;
    try {
      res = await fetch('/api/v1' + path, {
        method, headers, body: body === undefined || opts.type ? body : JSON.stringify(body), cache: 'no-store', credentials: 'omit',
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
      if (res.status === 401 && !opts.token && onUnauthorized) onUnauthorized(err);
      throw err;
    }
    return data;
  };
}

/** An Idempotency-Key: random, and safe outside a secure context (no randomUUID there). */
export function newKey(prefix) {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return prefix + [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
