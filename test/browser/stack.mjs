// A Bullpen stack of a test's own: bin/server and bin/consumer (built by `make build`) on free
// loopback ports, against the shared PostgreSQL, Redis and Kafka of scripts/services.sh, in a
// fresh schema, Redis key prefix, topic and consumer group (bin/scratch makes and drops them),
// so browser tests never collide with each other or with the Go tests.
//
// The services come from BULLPEN_DATABASE_URL, BULLPEN_REDIS_URL and BULLPEN_KAFKA_BROKERS, or
// from .local/env (written by scripts/services.sh up) when those are not set.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, open } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..');
const bin = (name) => path.join(root, 'bin', name);

/** The services' variables: the environment's, else .local/env's. */
function servicesEnv() {
  const env = { ...process.env };
  const want = ['BULLPEN_DATABASE_URL', 'BULLPEN_REDIS_URL', 'BULLPEN_KAFKA_BROKERS'];
  if (want.every((k) => env[k])) return env;
  const file = path.join(process.env.BULLPEN_LOCAL_DIR || path.join(root, '.local'), 'env');
  if (!existsSync(file)) {
    throw new Error(`${want.join(', ')} are not set and ${file} does not exist: run \`eval "$(scripts/services.sh up)"\` or \`make test-browser\``);
  }
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = line.match(/^export (BULLPEN_[A-Z_]+)=(.*)$/);
    if (m && !env[m[1]]) env[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  }
  return env;
}

function run(cmd, args, env, input) {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { env, maxBuffer: 1 << 20, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(cmd)} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

/** A free loopback port (the listener is closed again: the child binds it right after). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The tests seed events minutes before now and check figures of today, this week and this
// month (contests from the month's first day, first wins of the day, a team's month), while a
// test file runs for up to five minutes. Across a UTC midnight those figures would change
// under a test, and history seeded just after one would fall in the day before. So startStack
// begins no test file in the last minutes of a UTC day (it waits for the next day), and ago()
// keeps what is seeded inside today.
const DAY = 86_400_000;
/** The longest a test file runs (make test-browser's --test-timeout), and half a minute. */
export const MIDNIGHT_GUARD = 330_000;
/** How far back ago() reaches, at most, when the day has that much behind it. */
const HISTORY = 120 * 60_000;

/** How long a test file starting at now (ms since the epoch) waits to stay clear of a UTC midnight. */
export function midnightWait(now) {
  const left = DAY - (now % DAY);
  return left < MIDNIGHT_GUARD ? left + 15_000 : 0;
}

/**
 * The moment `minutes` (at most 120) before now, as ISO text, inside today (UTC): early in a
 * day, when less than two hours have passed, the two hours are shrunk into what has passed, so
 * that moments seeded together keep their order and all fall on today. now is for the test
 * of this function.
 */
export function ago(minutes, now = Date.now()) {
  if (!(minutes >= 0 && minutes * 60_000 <= HISTORY)) {
    // Further back, the moment would be shrunk into today between 00:00 and 02:00 UTC and lie
    // days back at any other hour: a test that wants one sets it directly.
    throw new RangeError(`ago(${minutes}): at most ${HISTORY / 60_000} minutes`);
  }
  const passed = Math.max((now % DAY) - 1000, 0);
  const ms = minutes * 60_000;
  return new Date(passed >= HISTORY ? now - ms : now - ms * passed / HISTORY).toISOString();
}

async function tail(file, lines = 40) {
  try {
    return (await readFile(file, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** A child process of the stack (server or consumer), restartable on the same address. */
class Proc {
  constructor(name, env, logFile) {
    this.name = name;
    this.env = env;
    this.logFile = logFile;
    this.child = null;
    this.exited = null; // a promise of the exit, while running
    this.expectExit = false;
  }

  async start() {
    const log = await open(this.logFile, 'a');
    this.expectExit = false;
    const child = spawn(bin(this.name), [], { env: this.env, stdio: ['ignore', log.fd, log.fd] });
    await log.close(); // the child has its own copy
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        if (!this.expectExit) {
          tail(this.logFile).then((t) => process.stderr.write(
            `# bullpen ${this.name} exited unexpectedly (code ${code}, signal ${signal}); last lines of ${this.logFile}:\n${t}\n`));
        }
        resolve({ code, signal });
      });
      child.on('error', (err) => {
        process.stderr.write(`# bullpen ${this.name}: ${err.message}\n`);
        resolve({ code: -1, signal: null });
      });
    });
  }

  running() {
    return this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Stops the process with signal (SIGTERM: an ordered shutdown; SIGKILL: a crash) and waits. */
  async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
    if (!this.running()) return;
    this.expectExit = true;
    this.child.kill(signal);
    let timer;
    const timeout = new Promise((resolve) => { timer = setTimeout(resolve, timeoutMs, null); });
    const done = await Promise.race([this.exited, timeout]);
    clearTimeout(timer); // a pending timer would keep the test process alive for its whole length
    if (!done) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Waits until GET http://addr/readyz answers 200. */
  async ready(addr, timeoutMs = 60_000) {
    const end = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < end) {
      if (!this.running()) throw new Error(`${this.name} exited during start-up:\n${await tail(this.logFile)}`);
      try {
        const res = await fetch(`http://${addr}/readyz`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = err.message;
      }
      await sleep(100);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms (${last}):\n${await tail(this.logFile)}`);
  }
}

/**
 * Starts a stack for test t and stops it (and drops its data) when t ends.
 *
 * opts: grace (BULLPEN_GRACE, default '2s'), currency, env (more variables for both processes),
 * partitions (of the input topic, default 3).
 *
 * Returns { base, adminToken, env, api, apiRaw, mintToken, postEvents, produce, startServer,
 * restartServer, killServer, stop, logs }.
 */
export async function startStack(t, opts = {}) {
  const wait = midnightWait(Date.now());
  if (wait > 0) {
    t.diagnostic(`waiting ${Math.round(wait / 1000)} s for the next UTC day: a test file does not run across midnight`);
    await sleep(wait);
  }
  const env0 = servicesEnv();
  for (const b of ['server', 'consumer', 'scratch']) {
    if (!existsSync(bin(b))) throw new Error(`${bin(b)} is missing: run \`make build\``);
  }
  const scratchOut = await run(bin('scratch'), ['up', '-prefix', 'b_', '-partitions', String(opts.partitions || 3)], env0);
  const scratch = JSON.parse(scratchOut);
  // bin/scratch migrated the schema with the migrations it was built with; the server's own
  // (the binary under test) decide, should the two builds differ.
  await run(bin('server'), ['migrate'], { ...env0, ...scratch.env, BULLPEN_LOG_LEVEL: 'warn' });
  const logs = await mkdtemp(path.join(os.tmpdir(), 'bullpen-browser-'));
  const adminToken = 'browser-admin-' + randomBytes(12).toString('hex');
  const [serverPort, consumerPort] = [await freePort(), await freePort()];
  const serverAddr = `127.0.0.1:${serverPort}`;
  const consumerAddr = `127.0.0.1:${consumerPort}`;
  const common = {
    ...env0,
    ...scratch.env,
    BULLPEN_ADMIN_TOKEN: adminToken,
    BULLPEN_GRACE: opts.grace || '2s',
    BULLPEN_CURRENCY: opts.currency || env0.BULLPEN_CURRENCY || 'USD',
    BULLPEN_KAFKA_SESSION_TIMEOUT: '6s',
    BULLPEN_SHUTDOWN_TIMEOUT: '5s',
    BULLPEN_LOG_LEVEL: process.env.BULLPEN_LOG_LEVEL || 'warn',
    ...(opts.env || {}),
  };
  delete common.BULLPEN_ADMIN_TOKEN_FILE;
  delete common.BULLPEN_HTTP_ADDR;
  const server = new Proc('server', { ...common, BULLPEN_HTTP_ADDR: serverAddr }, path.join(logs, 'server.log'));
  const consumer = new Proc('consumer', { ...common, BULLPEN_HTTP_ADDR: consumerAddr }, path.join(logs, 'consumer.log'));
  const base = `http://${serverAddr}`;

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    await Promise.all([server.stop(), consumer.stop()]);
    const e = scratch.env;
    try {
      await run(bin('scratch'), ['down', '-schema', scratch.schema, '-redis-prefix', e.BULLPEN_REDIS_PREFIX,
        '-topics', `${e.BULLPEN_KAFKA_TOPIC},${e.BULLPEN_KAFKA_DLQ_TOPIC}`, '-group', e.BULLPEN_KAFKA_GROUP], env0);
    } catch (err) {
      process.stderr.write(`# bullpen stack clean-up: ${err.message}\n`);
    }
    if (!process.env.BULLPEN_KEEP_TEST_DATA) await rm(logs, { recursive: true, force: true });
  }
  t.after(stop);

  async function startServer() {
    await server.start();
    await server.ready(serverAddr);
  }

  await consumer.start();
  await server.start();
  await Promise.all([consumer.ready(consumerAddr), server.ready(serverAddr)]);

  /** One API call: {status, body} whatever the status. */
  async function apiRaw(method, p, body, token = adminToken, headers = {}) {
    const res = await fetch(`${base}/api/v1${p}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch { /* not JSON */ }
    return { status: res.status, body: parsed };
  }

  /** One API call that must succeed: its JSON body. */
  async function api(method, p, body, token = adminToken) {
    const res = await apiRaw(method, p, body, token);
    if (res.status < 200 || res.status > 299) {
      const err = new Error(`${method} ${p}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      err.status = res.status;
      err.body = res.body;
      throw err;
    }
    return res.body;
  }

  return {
    base,
    adminToken,
    env: common,
    logs,
    api,
    apiRaw,
    /** A new token of role (POST /tokens); extra: rep_id, name. Returns {id, token, role, …}. */
    mintToken: (role, extra = {}) => api('POST', '/tokens', { role, name: `browser test ${role}`, ...extra }),
    /** POST /events: validated and produced to the stack's topic by the server. */
    postEvents: (events) => api('POST', '/events', events),
    /** Produces events straight to the stack's topic (keyed by rep_id): works with the server down. */
    produce: (events) => run(bin('scratch'), ['produce', '-topic', common.BULLPEN_KAFKA_TOPIC], common, JSON.stringify(events)),
    startServer,
    /** Stops the server (SIGTERM: sockets closed with 1001; {hard: true}: SIGKILL) and starts it again on the same address. */
    async restartServer({ hard = false, downMs = 0 } = {}) {
      await server.stop(hard ? 'SIGKILL' : 'SIGTERM');
      if (downMs) await sleep(downMs);
      await startServer();
    },
    /** Stops the server: SIGKILL by default (a crash), or the signal given. */
    killServer: (signal = 'SIGKILL') => server.stop(signal),
    stop,
  };
}

/** A deal.won event for rep, with a unique event and deal id unless given. */
export function dealWon(rep, amount, extra = {}) {
  const id = extra.deal_id || `deal-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  return {
    event_id: extra.event_id || `ev-${id}`,
    type: 'deal.won',
    occurred_at: new Date().toISOString(),
    rep_id: rep.rep_id,
    rep_name: rep.name,
    team_id: rep.team_id,
    deal_id: id,
    amount,
    ...extra,
  };
}

/** Polls pred (async allowed) every 50 ms until it returns a truthy value, which it returns. */
export async function until(pred, timeoutMs, what) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
