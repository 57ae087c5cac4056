// The wall display in a real browser (Debian's Chromium through playwright-core).
//
// The test starts nothing: point it at a running stack, for instance the one scripts/demo.sh
// starts (it prints the display token and the contest ids):
//
//   BULLPEN_BASE_URL=http://127.0.0.1:8080 BULLPEN_DISPLAY_TOKEN=bp_… \
//   BULLPEN_CONTEST_IDS=id1,id2,id3 node --test
//
// Optional: BULLPEN_ADMIN_TOKEN (the test then posts one deal.won itself and waits for its
// celebration, instead of waiting for any deal the simulator wins), BULLPEN_CHROMIUM (the
// browser, default /usr/bin/chromium), BULLPEN_SCREENSHOT_DIR (default docs/screenshots).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const base = (process.env.BULLPEN_BASE_URL || '').replace(/\/+$/, '');
const token = process.env.BULLPEN_DISPLAY_TOKEN || '';
const contestIds = (process.env.BULLPEN_CONTEST_IDS || '').split(',').map((s) => s.trim()).filter(Boolean);
const adminToken = process.env.BULLPEN_ADMIN_TOKEN || '';
const shots = path.resolve(root, process.env.BULLPEN_SCREENSHOT_DIR || 'docs/screenshots');
const executablePath = process.env.BULLPEN_CHROMIUM || '/usr/bin/chromium';

const skip = base && token && contestIds.length
  ? false
  : 'set BULLPEN_BASE_URL, BULLPEN_DISPLAY_TOKEN and BULLPEN_CONTEST_IDS (scripts/demo.sh prints them) to run the display in a browser';

const displayURL = (extra = '') =>
  `${base}/display#token=${encodeURIComponent(token)}&contests=${contestIds.map(encodeURIComponent).join(',')}${extra}`;

async function launch(t) {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  t.after(() => browser.close());
  return browser;
}

/** A 1920x1080 page that fails the test on any script error. */
async function openPage(browser, errors) {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(msg.text());
  });
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`${res.status()} ${res.url()}`);
  });
  return page;
}

async function waitForStandings(page) {
  await page.waitForFunction(() => window.bullpenDisplay && window.bullpenDisplay.connected(), null, { timeout: 20_000 });
  await page.waitForFunction(() => {
    const s = window.bullpenDisplay.state();
    const c = s.current && s.contests[s.current];
    return c && c.standings && c.name && document.querySelectorAll('#rows .row').length > 0;
  }, null, { timeout: 20_000 });
}

test('wall display', { skip, timeout: 240_000 }, async (t) => {
  const browser = await launch(t);
  await mkdir(shots, { recursive: true });

  await t.test('GET /display serves the page', async () => {
    const res = await fetch(`${base}/display`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') || '', /text\/html/);
    const html = await res.text();
    assert.match(html, /<html lang="en">/);
    assert.match(html, /display\.js/);
    for (const asset of ['/display.js', '/display.css']) {
      const r = await fetch(base + asset);
      assert.equal(r.status, 200, asset);
    }
  });

  const errors = [];
  const page = await openPage(browser, errors);
  await page.goto(displayURL(), { waitUntil: 'domcontentloaded' });

  await t.test('standings render live', async () => {
    await waitForStandings(page);
    const s = await page.evaluate(() => window.bullpenDisplay.state());
    assert.equal(Object.keys(s.contests).length, contestIds.length);
    assert.equal(typeof s.seq.floor, 'number', 'floor has a seq');
    for (const id of contestIds) assert.equal(typeof s.seq['contest:' + id], 'number', `contest:${id} has a seq`);
    assert.ok(s.currency, 'the currency came with welcome');

    const rows = await page.$$eval('#rows .row', (lis) => lis.map((li) => ({
      rank: Number(li.querySelector('.rank').textContent),
      name: li.querySelector('.nm').textContent,
      score: li.querySelector('.score').textContent,
    })));
    assert.ok(rows.length >= 1 && rows.length <= 10, `1..10 rows, got ${rows.length}`);
    rows.forEach((r, i) => assert.equal(r.rank, i + 1, 'ranks 1..n in order'));
    const entries = s.contests[s.current].standings.entries.slice(0, 10);
    assert.deepEqual(rows.map((r) => r.name), entries.map((e) => e.name || e.rep_id || e.team_id));

    // Accessible basics.
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.locator('main').count(), 1);
    assert.equal(await page.getAttribute('#board', 'aria-live'), 'polite');
  });

  await t.test('screenshot at 1920x1080', async () => {
    // The board at rest: no celebration (a busy floor has one on screen most of the time) and
    // no row caught mid-flash.
    const style = await page.addStyleTag({ content: '#celebration { display: none !important; } ' +
      '.row::after, .row .score, .row .delta, .row .moved { animation: none !important; }' });
    await page.waitForTimeout(800); // let row animations settle
    await page.screenshot({ path: path.join(shots, 'display.png') });
    await style.evaluate((n) => n.remove());
    console.log(`# screenshot: ${path.join(shots, 'display.png')}`);
  });

  await t.test('a won deal takes over the screen', async () => {
    const before = await page.evaluate(() => window.bullpenDisplay.state().celebrationsShown);
    let dealId = null;
    if (adminToken) {
      dealId = `display-test-${Date.now()}`;
      const res = await fetch(`${base}/api/v1/events`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify([{ event_id: dealId, type: 'deal.won', occurred_at: new Date().toISOString(), rep_id: 'rep-display-test',
          rep_name: 'Dana Display', team_id: 'east', deal_id: dealId, amount: 12500 }]),
      });
      assert.equal(res.status, 202, await res.text());
    }
    const started = Date.now();
    await page.waitForFunction(([n, id]) => {
      const s = window.bullpenDisplay.state();
      if (id) return s.celebrations.some((c) => c.deal_ids.includes(id));
      return s.celebrationsShown > n;
    }, [before, dealId], { timeout: 60_000, polling: 50 });
    const took = Date.now() - started;
    const overlay = page.locator('#celebration');
    assert.ok(await overlay.isVisible(), 'the overlay is on screen');
    const text = await overlay.innerText();
    assert.match(text, /closed|deal|won/i);
    await page.waitForTimeout(700); // past the entry animation
    await page.screenshot({ path: path.join(shots, 'display-celebration.png') });
    const s = await page.evaluate(() => window.bullpenDisplay.state());
    const card = s.celebrations.find((c) => dealId && c.deal_ids.includes(dealId)) || s.celebrations.at(-1);
    console.log(`# celebration after ${took} ms: ${card.text}`);
  });

  await t.test('no script errors', () => {
    assert.deepEqual(errors, []);
  });

  await t.test('amounts=hide keeps money off the wall', async () => {
    const errs = [];
    const p = await openPage(browser, errs);
    await p.goto(displayURL('&amounts=hide'), { waitUntil: 'domcontentloaded' });
    await waitForStandings(p);
    const s = await p.evaluate(() => window.bullpenDisplay.state());
    assert.equal(s.amountsHidden, true);
    const revenue = s.contests[s.current].metric === 'revenue';
    const scores = await p.$$eval('#rows .score', (n) => n.map((x) => x.textContent));
    if (revenue) assert.ok(scores.every((x) => x === ''), 'no money on a revenue board');
    const recent = await p.textContent('#recent');
    assert.doesNotMatch(recent || '', /\d/, 'no amounts in the latest deals');
    assert.deepEqual(errs, []);
    await p.close();
  });

  await t.test('a bad token shows "not paired" and stops', async () => {
    const p = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    let sockets = 0;
    p.on('websocket', () => sockets++);
    await p.goto(`${base}/display#token=bp_not-a-token&contests=${contestIds[0]}`, { waitUntil: 'domcontentloaded' });
    await p.locator('#fatal').waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await p.textContent('#fatal'), /not paired/i);
    await p.waitForTimeout(2000);
    assert.equal(sockets, 1, 'no retry after 4401');
    assert.equal(await p.evaluate(() => window.bullpenDisplay.connected()), false);
    await p.close();
  });
});

// ---------------------------------------------------------------------------------------------
// The socket's edge cases, against a scripted server: the page comes from BULLPEN_BASE_URL, the
// WebSocket and the API calls are answered by the test (playwright's routeWebSocket), so the
// timing is the test's own.

const mockSkip = base ? false : 'set BULLPEN_BASE_URL to a running server (it serves the page)';

/** A scripted /ws: every connection the page opens, with what it received. */
class MockSocket {
  constructor() {
    this.conns = [];
  }

  async install(page) {
    await page.routeWebSocket(/\/ws$/, (route) => {
      const conn = { route, got: [], closed: false };
      route.onMessage((data) => {
        for (const line of String(data).split('\n')) if (line.trim()) conn.got.push(JSON.parse(line));
      });
      route.onClose(() => { conn.closed = true; });
      this.conns.push(conn);
    });
  }

  async conn(i, timeout = 10_000) {
    await until(() => this.conns.length > i, timeout, `connection #${i + 1}`);
    return this.conns[i];
  }
}

const send = (conn, ...msgs) => conn.route.send(msgs.map((m) => JSON.stringify(m)).join('\n'));

async function until(pred, timeout, what) {
  const end = Date.now() + timeout;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const got = (conn, pred, what, timeout = 10_000) => until(() => conn.got.some(pred), timeout, what).then(() => conn.got.filter(pred));
const subscribeOf = (conn, channel) => got(conn, (m) => m.type === 'subscribe' && m.channel === channel, `subscribe ${channel}`)
  .then((list) => list.at(-1));

const welcome = (version = 'v1') => ({ type: 'welcome', role: 'display', rep_id: null, server_version: version,
  server_time: new Date().toISOString(), currency: 'EUR', token_id: 'tok-1' });

function board(rows) {
  const t = Date.now();
  return {
    contest_id: 'c1', status: 'live', total: rows.length, resets_at: null,
    period: { key: 'all', start: new Date(t - 86400e3).toISOString(), end: new Date(t + 2 * 3600e3).toISOString() },
    entries: rows.map(([name, score], i) => ({ rank: i + 1, rep_id: 'rep-' + name.toLowerCase(), name, team_id: 'east', score,
      reached_at: new Date(t).toISOString(), finished_at: null })),
  };
}

const celebration = (seq, name, amount) => ({ type: 'celebration', channel: 'floor', seq, epoch: 'f1',
  data: { rep_id: 'rep-' + name.toLowerCase(), name, team_id: 'east', deal_id: `deal-${seq}`, amount } });

async function mockedPage(browser, errors) {
  const page = await openPage(browser, errors);
  await page.route(/\/api\/v1\/contests\/c1$/, (route) => route.fulfill({ json: {
    id: 'c1', name: 'Mock sprint', kind: 'leaderboard', metric: 'revenue', scope: 'rep', status: 'live', period: 'none' } }));
  await page.route(/\/api\/v1\/incentives/, (route) => route.fulfill({ json: { items: [{
    id: 'i1', title: 'First 3 to close €5k win 200 points', reward_points: 200, max_winners: 3, status: 'open',
    starts_at: new Date(Date.now() - 60e3).toISOString(), ends_at: new Date(Date.now() + 1800e3).toISOString(), winners: [] }] } }));
  const server = new MockSocket();
  await server.install(page);
  return { page, server };
}

/** Opens the display against the scripted server and brings it to its first standings. */
async function pairedDisplay(browser, errors) {
  const { page, server } = await mockedPage(browser, errors);
  await page.goto(`${base}/display#token=tok-secret&contests=c1`, { waitUntil: 'domcontentloaded' });
  const c = await server.conn(0);
  await got(c, (m) => m.type === 'auth' && m.token === 'tok-secret', 'auth with the fragment token');
  send(c, welcome());
  const [sc, sf] = [await subscribeOf(c, 'contest:c1'), await subscribeOf(c, 'floor')];
  assert.equal(sc.since, undefined, 'a first subscribe has no since');
  assert.equal(sf.since, undefined);
  send(c,
    { type: 'snapshot', channel: 'contest:c1', seq: 5, epoch: 'e1', data: board([['Ana', 300], ['Ben', 200], ['Cy', 100]]) },
    { type: 'snapshot', channel: 'floor', seq: 10, epoch: 'f1', data: { items: [celebration(10, 'Old', 5)] } });
  await page.waitForFunction(() => document.querySelectorAll('#rows .row').length === 3);
  return { page, server, c };
}

test('wall display against a scripted socket', { skip: mockSkip, timeout: 120_000 }, async (t) => {
  const browser = await launch(t);

  await t.test('live updates, a celebration, a resume with since and epoch, a reload on a new version', async () => {
    const errors = [];
    const { page, server, c } = await pairedDisplay(browser, errors);
    assert.match(await page.textContent('#rows .row .score'), /€/, 'money in the welcome currency');
    assert.equal(await page.textContent('#contest-name'), 'Mock sprint');
    await page.locator('#incentive').waitFor({ state: 'visible' });
    assert.match(await page.textContent('#incentive'), /First 3 to close/);
    assert.equal(await page.evaluate(() => window.bullpenDisplay.state().celebrationsShown), 0, 'history is not celebrated');

    // Cy passes everyone: the rows move and Cy's flashes.
    send(c, { type: 'update', channel: 'contest:c1', seq: 6, epoch: 'e1', data: board([['Cy', 450], ['Ana', 300], ['Ben', 200]]) });
    await page.waitForFunction(() => document.querySelector('#rows .row .nm').textContent === 'Cy');
    assert.ok(await page.locator('#rows .row.bump', { hasText: 'Cy' }).count() === 1, 'the row that rose flashes');

    send(c, celebration(11, 'Dana', 12500));
    await page.locator('#celebration').waitFor({ state: 'visible' });
    assert.match(await page.textContent('#celebration'), /Dana[\s\S]*closed €12,500/);

    // The server goes away: the badge shows, the display comes back with since and epoch.
    c.route.close({ code: 1012, reason: 'restarting' });
    const c2 = await server.conn(1);
    await got(c2, (m) => m.type === 'auth', 'auth on the new socket');
    assert.ok(await page.isVisible('#offline'), 'offline badge while down');
    assert.equal(await page.evaluate(() => window.bullpenDisplay.connected()), false);
    send(c2, welcome());
    const [rc, rf] = [await subscribeOf(c2, 'contest:c1'), await subscribeOf(c2, 'floor')];
    assert.deepEqual([rc.since, rc.epoch], [6, 'e1']);
    assert.deepEqual([rf.since, rf.epoch], [11, 'f1']);
    send(c2,
      { type: 'subscribed', channel: 'contest:c1', seq: 6, epoch: 'e1' },
      { type: 'subscribed', channel: 'floor', seq: 11, epoch: 'f1' },
      celebration(11, 'Dana', 12500), // already seen: ignored
      celebration(12, 'Eve', 800));
    await page.waitForFunction(() => window.bullpenDisplay.state().seq.floor === 12 && window.bullpenDisplay.connected());
    assert.ok(!(await page.isVisible('#offline')), 'badge gone once back');
    const s = await page.evaluate(() => window.bullpenDisplay.state());
    assert.equal(s.celebrationsShown + s.celebrationsWaiting, 2, 'Dana once, then Eve');

    // A gap nobody announced: the display asks for what it missed.
    const before = c2.got.length;
    send(c2, celebration(14, 'Gap', 1));
    await until(() => c2.got.slice(before).some((m) => m.type === 'subscribe' && m.channel === 'floor' && m.since === 12),
      5000, 'a resubscribe from 12');

    // A new server version: the page reloads itself.
    c2.route.close({ code: 1001, reason: 'shutting down' });
    const c3 = await server.conn(2);
    await got(c3, (m) => m.type === 'auth', 'auth on the third socket');
    const reloaded = page.waitForEvent('load', { timeout: 10_000 });
    send(c3, welcome('v2'));
    await reloaded;
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('a burst folds into one "+N deals" card', async () => {
    const errors = [];
    const { page, c } = await pairedDisplay(browser, errors);
    const burst = [];
    for (let i = 0; i < 9; i++) burst.push(celebration(11 + i, `Rep${i}`, 1000));
    send(c, ...burst);
    await page.waitForFunction(() => window.bullpenDisplay.state().celebrationsShown === 1);
    const s = await page.evaluate(() => window.bullpenDisplay.state());
    assert.deepEqual(s.celebrationQueue, [1, 1, 1, 1, 1].map(() => ({ kind: 'deal', n: 1 })).concat([{ kind: 'fold', n: 3 }]));
    assert.deepEqual(errors, []);
    await page.close();
  });

  await t.test('a revoked token stops the display', async () => {
    const errors = [];
    const { page, server, c } = await pairedDisplay(browser, errors);
    c.route.close({ code: 4403, reason: 'token revoked' });
    await page.locator('#fatal').waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await page.textContent('#fatal'), /revoked/i);
    await page.waitForTimeout(2500);
    assert.equal(server.conns.length, 1, 'no retry after 4403');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
