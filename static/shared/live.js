// Bullpen live feed client (docs/api.md §4), shared by the pages: one WebSocket to /ws that
// authenticates, subscribes to channels, resumes each with since/epoch after a drop, notices a
// gap the server did not announce and asks again, pings, reconnects with capped backoff and
// jitter, and reloads the page when the server's version changes.
//
// Used by the rep's page (me.js), the manager console (manage.js) and the wall display
// (display.js):
//
//   import { Socket } from './shared/live.js';
//   const live = new Socket({
//     token, channels: ['floor', 'rep:ana'],
//     onWelcome(m) {}, onSnapshot(m) {}, onMessage(m) {}, onStatus(connected) {},
//     onFatal(code) {}, onServerError(m) {},
//     onVersionChange(v) {},   // default: reload; return false to carry on
//   });
//   live.start();

const PING_MS = 20000;
const IDLE_MS = 45000;          // nothing heard for this long: the socket is dead, reconnect
const HANDSHAKE_MS = 15000;     // a socket not welcomed within this long is given up
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 10000;

const noop = () => {};

export class Socket {
  /**
   * @param {object} o
   * @param {string} o.token
   * @param {string[]} [o.channels] channels to watch from the start
   * @param {string} [o.name] for log lines
   */
  constructor(o) {
    this.token = o.token;
    this.name = o.name || 'bullpen';
    this.onWelcome = o.onWelcome || noop;
    this.onSnapshot = o.onSnapshot || noop;
    this.onMessage = o.onMessage || noop;
    this.onStatus = o.onStatus || noop;
    this.onFatal = o.onFatal || noop;
    this.onServerError = o.onServerError || noop;
    this.onVersionChange = o.onVersionChange || (() => location.reload());
    /** Per channel: the last seq and epoch seen (seq null: nothing yet). */
    this.channels = new Map();
    for (const ch of o.channels || []) this.channels.set(ch, { seq: null, epoch: '', resyncing: false });
    this.ws = null;
    this.connected = false;
    this.everConnected = false;
    this.stopped = true;
    this.attempt = 0;
    this.reconnectTimer = 0;
    this.tickTimer = 0;
    this.lastHeard = 0;
    this.lastPing = 0;
    this.serverVersion = null;
    this.clockOffset = 0;       // server time minus local time
    this.currency = null;
    this.role = null;
    this.repId = null;
    this.closeCode = null;      // the last close code (4401, 4403: fatal)
    this._wake = () => this.wake();
    this._visible = () => {
      if (document.visibilityState === 'visible') this.wake();
    };
  }

  /** Server time, as far as the welcome told. */
  now() {
    return Date.now() + this.clockOffset;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.tickTimer = setInterval(() => this.tick(), 1000);
    // A phone that slept or lost its network: try at once when it is back, not after the backoff.
    window.addEventListener('online', this._wake);
    document.addEventListener('visibilitychange', this._visible);
    this.connect();
  }

  /** Closes the socket for good (sign-out). */
  stop() {
    this.stopped = true;
    clearInterval(this.tickTimer);
    clearTimeout(this.reconnectTimer);
    window.removeEventListener('online', this._wake);
    document.removeEventListener('visibilitychange', this._visible);
    const sock = this.ws;
    this.ws = null;
    if (sock) {
      sock.onopen = sock.onmessage = sock.onclose = sock.onerror = null;
      try {
        sock.close(1000, 'bye');
      } catch { /* already closing */ }
    }
    this.setConnected(false);
  }

  /** Watches a channel (from a snapshot); a no-op when already watched. */
  subscribe(name) {
    if (this.channels.has(name)) return;
    this.channels.set(name, { seq: null, epoch: '', resyncing: false });
    if (this.connected) this.resubscribe(name, false);
  }

  unsubscribe(name) {
    if (!this.channels.delete(name)) return;
    if (this.connected) this.send([{ type: 'unsubscribe', channel: name }]);
  }

  /** Forgets a channel without telling the server (it refused the subscription). */
  forget(name) {
    this.channels.delete(name);
  }

  has(name) {
    return this.channels.has(name);
  }

  /** Asks for a channel again: from its last seq (resume), or a fresh snapshot. */
  resubscribe(name, resume) {
    const ch = this.channels.get(name);
    if (!ch) return;
    ch.resyncing = true;
    this.send([this.subscribeMsg(name, resume)]);
  }

  /** The last seq of every channel, for tests and diagnostics. */
  seqs() {
    return Object.fromEntries([...this.channels].map(([name, ch]) => [name, ch.seq]));
  }

  epochs() {
    return Object.fromEntries([...this.channels].map(([name, ch]) => [name, ch.epoch]));
  }

  // ---------------------------------------------------------------- the socket

  connect() {
    clearTimeout(this.reconnectTimer);
    if (this.stopped) return;
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    let sock;
    try {
      sock = new WebSocket(url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = sock;
    this.lastHeard = Date.now();
    sock.onopen = () => {
      if (this.ws === sock) sock.send(JSON.stringify({ type: 'auth', token: this.token }));
    };
    sock.onmessage = (ev) => {
      if (this.ws !== sock) return;
      this.lastHeard = Date.now();
      for (const line of String(ev.data).split('\n')) {
        if (!line.trim()) continue;
        let m;
        try {
          m = JSON.parse(line);
        } catch {
          continue;
        }
        try {
          this.handle(m);
        } catch (err) {
          console.error(`${this.name}: message`, m && m.type, err);
        }
      }
    };
    sock.onerror = noop; // onclose follows
    sock.onclose = (ev) => {
      if (this.ws === sock) this.dropped(ev.code, ev.reason);
    };
  }

  /** Gives up on the current socket (no close frame awaited) and reconnects. */
  abandon(why) {
    const sock = this.ws;
    if (!sock) return;
    this.ws = null;
    sock.onopen = sock.onmessage = sock.onclose = null;
    try {
      sock.close(4000, why);
    } catch { /* already closing */ }
    this.dropped(0, why);
  }

  dropped(code, reason) {
    this.ws = null;
    this.closeCode = code;
    this.setConnected(false);
    if (code === 4401 || code === 4403) {
      this.stop();
      this.onFatal(code, reason);
      return;
    }
    if (reason) console.info(`${this.name}: socket closed`, code, reason);
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    const cap = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.min(this.attempt, 10));
    this.attempt++;
    const delay = cap / 2 + Math.random() * (cap / 2); // "equal jitter"
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** The network or the page came back: reconnect now if down, check the socket if up. */
  wake() {
    if (this.stopped) return;
    if (!this.ws) {
      this.attempt = 0;
      this.connect();
    } else if (Date.now() - this.lastHeard > IDLE_MS) {
      this.abandon('woke up to a silent socket');
    } else if (this.connected) {
      this.lastPing = Date.now();
      this.send([{ type: 'ping' }]);
    }
  }

  send(msgs) {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || !msgs.length) return;
    ws.send(msgs.map((m) => JSON.stringify(m)).join('\n'));
  }

  subscribeMsg(name, resume) {
    const ch = this.channels.get(name);
    const m = { type: 'subscribe', channel: name };
    if (resume && ch && ch.seq !== null) {
      m.since = ch.seq;
      if (ch.epoch) m.epoch = ch.epoch;
    }
    return m;
  }

  setConnected(on) {
    const changed = this.connected !== on;
    this.connected = on;
    if (changed) this.onStatus(on);
  }

  tick() {
    const t = Date.now();
    if (!this.ws || this.stopped) return;
    if (t - this.lastHeard > IDLE_MS) {
      this.abandon('nothing heard for 45 s');
    } else if (!this.connected && t - this.lastHeard > HANDSHAKE_MS) {
      this.abandon('no welcome in 15 s');
    } else if (this.connected && t - this.lastPing >= PING_MS) {
      this.lastPing = t;
      this.send([{ type: 'ping' }]);
    }
  }

  // ---------------------------------------------------------------- messages

  handle(m) {
    switch (m.type) {
      case 'welcome': return this.welcome(m);
      case 'pong': return undefined;
      case 'error': {
        const ch = m.channel && this.channels.get(m.channel);
        if (ch) ch.resyncing = false;
        return this.onServerError(m);
      }
      case 'subscribed': {
        const ch = this.channels.get(m.channel);
        if (!ch) return undefined;
        ch.seq = m.seq;
        ch.epoch = m.epoch || '';
        ch.resyncing = false;
        return undefined; // the missed messages follow
      }
      case 'snapshot': {
        const ch = this.channels.get(m.channel);
        if (!ch) return undefined;
        ch.seq = m.seq;
        ch.epoch = m.epoch || '';
        ch.resyncing = false;
        return this.onSnapshot(m);
      }
      default:
        if (typeof m.channel === 'string') return this.channelMessage(m);
        return undefined;
    }
  }

  welcome(m) {
    if (this.serverVersion === null) {
      this.serverVersion = m.server_version;
    } else if (m.server_version !== this.serverVersion) {
      // The default reloads the page; a page that returns false carries on with the new version.
      if (this.onVersionChange(m.server_version) !== false) return;
      this.serverVersion = m.server_version;
    }
    if (m.server_time) {
      const t = Date.parse(m.server_time);
      if (!Number.isNaN(t)) this.clockOffset = t - Date.now();
    }
    this.currency = m.currency || this.currency;
    this.role = m.role || null;
    this.repId = m.rep_id || null;
    this.attempt = 0;
    this.everConnected = true;
    this.lastPing = Date.now();
    this.setConnected(true);
    // Resume every channel from where it stopped (a first subscribe has no since: a snapshot).
    this.send([...this.channels.keys()].map((name) => {
      this.channels.get(name).resyncing = true;
      return this.subscribeMsg(name, true);
    }));
    this.onWelcome(m);
  }

  channelMessage(m) {
    const ch = this.channels.get(m.channel);
    if (!ch) return;
    if (ch.resyncing) return; // what we asked for again is on its way
    if (typeof m.seq === 'number' && ch.seq !== null) {
      const sameEpoch = !ch.epoch || !m.epoch || m.epoch === ch.epoch;
      if (sameEpoch && m.seq <= ch.seq) return; // already seen
      if (!sameEpoch || m.seq !== ch.seq + 1) {
        // A gap the server did not announce: ask for what is missing.
        this.resubscribe(m.channel, sameEpoch);
        return;
      }
    }
    if (typeof m.seq === 'number') ch.seq = m.seq;
    if (m.epoch) ch.epoch = m.epoch;
    this.onMessage(m);
  }
}
