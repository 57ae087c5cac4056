// The rep's page (/me) in a real browser (Debian's Chromium through playwright-core), at a
// phone's 390x844, against a stack of its own (stack.mjs). `make test-browser` runs it; by
// hand, after `make build`:
//
//   cd test/browser && npm ci && node --test me.test.mjs
//
// BULLPEN_CHROMIUM names the browser (default /usr/bin/chromium), BULLPEN_SCREENSHOT_DIR where
// the screenshot goes (default docs/screenshots).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startStack, dealWon, until as waitFor, ago, root } from './stack.mjs';
import { launch, openPage } from './browser.mjs';

const shots = path.resolve(root, process.env.BULLPEN_SCREENSHOT_DIR || 'docs/screenshots');
const PHONE = { width: 390, height: 844 };

const SAM = { rep_id: 'rep-sam', name: 'Sam Rivera', team_id: 'east' };
const ANA = { rep_id: 'rep-ana', name: 'Ana Ruiz', team_id: 'east' };
const BEN = { rep_id: 'rep-ben', name: 'Ben Okafor', team_id: 'west' };
const CHLOE = { rep_id: 'rep-chloe', name: 'Chloé Martin', team_id: 'east' };

/** A deal that occurred minutesAgo (today: ago), so ties break the same way on every run. */
const deal = (rep, amount, minutesAgo) => dealWon(rep, amount, { occurred_at: ago(minutesAgo) });

/**
 * This month's activities of team east. With the seeded deals, Sam's month against the median
 * of east (Sam, Ana, Chloé), worked by hand:
 *
 *               Sam     Ana      Chloé   | median
 *   calls        3       4        5      |   4      (Sam below)
 *   emails       2       0        1      |   1
 *   meetings     1       0        0      |   0
 *   demos        0       1        0      |   0
 *   all          6       5        6      |   6
 *   deals        1       3        1      |   1
 *   amount    30,000   48,250   12,400   | 30,000
 *   avg deal  30,000   16,083.33 12,400  | 16,083.33   (48,250 / 3 = 16,083.333…)
 *   per win      6       1.67     6      |   6         (5 / 3 = 1.666…)
 */
const ACTIVITIES = [
  [SAM, { call: 3, email: 2, meeting: 1 }],
  [ANA, { call: 4, demo: 1 }],
  [CHLOE, { call: 5, email: 1 }],
];

/** counts of activities for rep, each occurred a few minutes ago, as events. */
function activities(rep, counts) {
  return Object.entries(counts).flatMap(([activity, n]) => Array.from({ length: n }, (_, i) => ({
    event_id: `act-${rep.rep_id}-${activity}-${i}`, type: 'activity', occurred_at: ago(i + 1),
    rep_id: rep.rep_id, rep_name: rep.name, team_id: rep.team_id, activity,
  })));
}

/**
 * Two live contests, revenue and deals this month, with Sam third on both:
 *   revenue: Ana 48,250 · Ben 31,200 · Sam 30,000 · Chloé 12,400  ($1,200 from #2)
 *   deals:   Ana 3 · Ben 2 · Sam 1 · Chloé 1 (Sam got there first)  (2 deals from #2)
 */
async function seed(stack) {
  const t = new Date();
  const monthStart = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1)).toISOString();
  const monthEnd = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1)).toISOString();
  const revenue = await stack.api('POST', '/contests', {
    name: 'Q4 Revenue', kind: 'leaderboard', metric: 'revenue', scope: 'rep',
    starts_at: monthStart, ends_at: monthEnd, timezone: 'UTC', period: 'none',
    prizes: [{ rank: 1, points: 500 }, { rank: 2, points: 250 }],
  });
  const deals = await stack.api('POST', '/contests', {
    name: 'Deals this month', kind: 'leaderboard', metric: 'deals', scope: 'rep',
    starts_at: monthStart, ends_at: monthEnd, timezone: 'UTC', period: 'none',
  });
  await stack.postEvents([
    ...ACTIVITIES.flatMap(([rep, counts]) => activities(rep, counts)),
    deal(ANA, 20000, 50), deal(ANA, 18250, 45), deal(ANA, 10000, 40),
    deal(BEN, 16200, 35), deal(BEN, 15000, 30),
    deal(SAM, 30000, 25),
    deal(CHLOE, 12400, 20),
  ]);
  await waitFor(async () => {
    const a = await stack.api('GET', `/contests/${revenue.id}/leaderboard`);
    const b = await stack.api('GET', `/contests/${deals.id}/leaderboard`);
    return a.total === 4 && b.total === 4 && b.entries[0].score === 3;
  }, 30_000, 'the seeded deals on both boards');
  await waitFor(async () => {
    const east = await stack.api('GET', '/teams/east/coaching');
    return east.reps.map((r) => `${r.rep_id}:${r.figures.activities_total}`).join(' ') === 'rep-ana:5 rep-chloe:6 rep-sam:6';
  }, 30_000, 'the seeded activities in the ledger');
  const tok = await stack.mintToken('rep', { rep_id: SAM.rep_id, name: 'Sam\'s phone' });
  return { revenue, deals, repToken: tok.token };
}

const meState = (page) => page.evaluate(() => window.bullpenMe.state());

/** Waits until pred(state) holds; returns that state. pred runs in the page. */
async function waitForState(page, pred, arg, timeout = 20_000) {
  // pred is compiled into the polled function here, in Node: the page's policy refuses eval
  // (no 'unsafe-eval'), which a poll running later in the page would need.
  const poll = new Function('a', `const s = window.bullpenMe && window.bullpenMe.state(); return s && (${pred.toString()})(s, a);`);
  await page.waitForFunction(poll, arg, { timeout, polling: 100 });
  return meState(page);
}

test('rep view', { timeout: 240_000 }, async (t) => {
  const stack = await startStack(t);
  const { base } = stack;
  const { revenue, deals, repToken } = await seed(stack);
  const browser = await launch(t);
  await mkdir(shots, { recursive: true });

  await t.test('GET /me serves the page', async () => {
    const res = await fetch(`${base}/me`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') || '', /text\/html/);
    const html = await res.text();
    assert.match(html, /<html lang="en">/);
    assert.match(html, /me\.js/);
    for (const asset of ['/me.js', '/me.css', '/shared/live.js']) {
      const r = await fetch(base + asset);
      assert.equal(r.status, 200, asset);
    }
  });

  const errors = [];
  const page = await openPage(browser, errors, PHONE);
  await page.goto(`${base}/me#token=${encodeURIComponent(repToken)}`, { waitUntil: 'domcontentloaded' });

  await t.test('signs in from the fragment, then drops it from the address bar', async () => {
    await page.waitForFunction(() => window.bullpenMe && window.bullpenMe.connected(), null, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => location.hash), '');
    assert.equal(await page.evaluate(() => localStorage.getItem('bullpen.me.token')), repToken);
    await page.locator('#rep-name', { hasText: SAM.name }).waitFor({ timeout: 10_000 });
    assert.match(await page.textContent('#rep-meta'), /Team east/);
    assert.ok(await page.locator('#signout').isVisible(), 'a sign-out button');
  });

  await t.test('my rank, score and the gap to the next place', async () => {
    const s = await waitForState(page, (st, ids) => ids.every((id) => {
      const c = st.contests.find((x) => x.id === id);
      return c && c.rank === 3 && c.above && /from #2/.test(c.gapText || '');
    }), [revenue.id, deals.id]);
    assert.equal(s.currency, 'USD');
    const rev = s.contests.find((c) => c.id === revenue.id);
    assert.equal(rev.rankText, '#3');
    assert.equal(rev.total, 4);
    assert.match(rev.scoreText, /\$30,000/);
    assert.match(rev.gapText, /^\$1,200 from #2 · Ben Okafor$/);
    const dl = s.contests.find((c) => c.id === deals.id);
    assert.match(dl.scoreText, /^1 deal$/);
    assert.match(dl.gapText, /^2 deals from #2 · Ben Okafor$/);
    // On screen, not only in the state.
    const card = page.locator(`.contest[data-id="${revenue.id}"]`);
    assert.match(await card.innerText(), /Q4 Revenue[\s\S]*#3[\s\S]*of 4[\s\S]*\$30,000[\s\S]*\$1,200 from #2/);
    assert.equal(s.balance, 0);
  });

  await t.test('on pace for my place, with the projected score', async () => {
    // Every rep's run rate is counted over the same selling time, so the projections keep the
    // board's order (docs/api.md §6 "Pace"): third on both boards, Sam is on pace for #3.
    const s = await waitForState(page, (st, ids) => ids.every((id) => {
      const c = st.contests.find((x) => x.id === id);
      return c && /^On pace for #/.test(c.paceText || '');
    }), [revenue.id, deals.id]);
    const board = await stack.api('GET', `/contests/${revenue.id}/leaderboard`);
    assert.ok(board.pace && board.pace.total_days > 0, `the month has selling days: ${JSON.stringify(board.pace)}`);
    const { elapsed_days: elapsed, total_days: total } = board.pace;
    // The model: score × total ÷ elapsed, or the score itself before any selling time.
    const projectedOf = (score) => (elapsed > 0 ? (score * total) / elapsed : score);
    const sam = board.entries.find((e) => e.rep_id === SAM.rep_id);
    assert.equal(sam.pace_rank, 3);
    assert.ok(Math.abs(sam.projected - projectedOf(30000)) <= 0.01, `projected ${sam.projected}, model ${projectedOf(30000)}`);
    assert.deepEqual(board.entries.map((e) => e.pace_rank), [1, 2, 3, 4]);

    // The page read its pace a moment before: the same score over less selling time projects
    // at least as high, and never below the score.
    const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
    const rev = s.contests.find((c) => c.id === revenue.id);
    assert.equal(rev.pace.rank, 3);
    assert.ok(rev.pace.projected >= sam.projected && sam.projected >= 30000, `page ${rev.pace.projected}, API after ${sam.projected}`);
    assert.equal(rev.paceText, `On pace for #3 · ${usd.format(rev.pace.projected)} projected`);
    const dl = s.contests.find((c) => c.id === deals.id);
    assert.equal(dl.pace.rank, 3);
    assert.ok(dl.pace.projected >= 1, `deals projected ${dl.pace.projected}`);
    assert.match(dl.paceText, /^On pace for #3 · [\d.,]+ deals? projected$/);
    // On screen, under the rank.
    const card = page.locator(`.contest[data-id="${revenue.id}"]`);
    assert.match(await card.innerText(), /#3[\s\S]*\$30,000[\s\S]*On pace for #3 · \$[\d,]+ projected[\s\S]*\$1,200 from #2/);
    await card.screenshot({ path: path.join(shots, 'me-pace.png') });
    console.log(`# screenshot: ${path.join(shots, 'me-pace.png')}`);
  });

  await t.test('my activity against my team\'s median', async () => {
    const s = await waitForState(page, (st) => st.activity && st.activity.rows.length > 0, null);
    assert.deepEqual(s.activity.below, ['activities.call']);
    assert.deepEqual(s.activity.rows.map((r) => [r.label, r.mine, r.below, r.median]), [
      ['Calls', '3', '▼ belowbelow the team median', '4'],
      ['Emails', '2', '', '1'],
      ['Meetings', '1', '', '0'],
      ['Demos', '0', '', '0'],
      ['All activities', '6', '', '6'],
      ['Deals won', '1', '', '1'],
      ['Amount won', '$30,000.00', '', '$30,000.00'],
      ['Average deal', '$30,000.00', '', '$16,083.33'],
      ['Activities per win', '6', '', '6'],
    ]);
    const section = page.getByRole('region', { name: 'My activity' });
    assert.match(await section.innerText(), /This month, [\s\S]*team east, 3 reps/);
    // "Below" is on screen in words, not only in colour.
    assert.ok(await section.locator('tr[data-figure="activities.call"] .below-mark [aria-hidden="true"]', { hasText: '▼ below' }).isVisible());
    await section.screenshot({ path: path.join(shots, 'me-activity.png') });
    await page.evaluate(() => window.scrollTo(0, 0)); // the page's own screenshot is of its top
  });

  await t.test('who passed me, live', async () => {
    // Sam passes Ben on revenue (32,000 > 31,200), then Ben takes the place back (32,700).
    await stack.postEvents([dealWon(SAM, 2000)]);
    let s = await waitForState(page, (st, id) => st.contests.find((c) => c.id === id).rank === 2
      && st.toasts.some((x) => x.kind === 'up'), revenue.id);
    assert.match(s.toasts.find((x) => x.kind === 'up').title, /You passed Ben Okafor in Q4 Revenue/);
    await waitForState(page, (st, id) => /from #1/.test(st.contests.find((c) => c.id === id).gapText), revenue.id);

    await stack.postEvents([dealWon(BEN, 1500)]);
    s = await waitForState(page, (st, id) => {
      const c = st.contests.find((x) => x.id === id);
      return c.rank === 3 && /Ben Okafor passed you in Q4 Revenue/.test(c.passedText || '');
    }, revenue.id);
    const rev = s.contests.find((c) => c.id === revenue.id);
    assert.match(rev.gapText, /^\$700 from #2 · Ben Okafor$/);
    assert.ok(s.toasts.some((x) => x.kind === 'passed' && /Ben Okafor passed you/.test(x.title)), 'a toast says who passed');
    assert.ok(s.moves.some((m) => m.kind === 'passed'));
  });

  let incentive;
  let winning;
  await t.test('an open spot incentive with a live countdown', async () => {
    incentive = await stack.api('POST', '/incentives', {
      title: 'First to close $5k+ wins 200 points',
      condition: { type: 'deal.won', min_amount: 5000 },
      reward_points: 200, max_winners: 1,
      ends_at: new Date(Date.now() + 10 * 60000).toISOString(),
    });
    const s = await waitForState(page, (st, id) => st.incentives.some((i) => i.id === id && /^\d+:\d\d$/.test(i.countdown || '')), incentive.id);
    const inc = s.incentives.find((i) => i.id === incentive.id);
    assert.equal(inc.won, false);
    assert.match(inc.places, /1 place left of 1/);
    const first = inc.countdown;
    await waitForState(page, (st, [id, c]) => {
      const i = st.incentives.find((x) => x.id === id);
      return i && i.countdown !== c;
    }, [incentive.id, first], 5000);
    const later = (await meState(page)).incentives.find((i) => i.id === incentive.id).countdown;
    const secs = (x) => x.split(':').reduce((a, b) => a * 60 + Number(b), 0);
    assert.ok(secs(later) < secs(first), `the countdown runs (${first} then ${later})`);
    assert.ok(secs(first) <= 600 && secs(first) > 590, `about ten minutes left: ${first}`);
    const card = page.locator('.incentive', { hasText: 'First to close $5k+' });
    assert.ok(await card.isVisible());
    assert.match(await card.innerText(), /\+200 pts[\s\S]*\$5,000 or more/);
    assert.ok((await meState(page)).toasts.some((x) => x.kind === 'incentive'), 'a toast announced the launch');
  });

  await t.test('winning it: a reward toast, the balance and the ledger', async () => {
    const before = (await meState(page)).toastsShown;
    winning = dealWon(SAM, 6000);
    await stack.postEvents([winning]);
    const s = await waitForState(page, (st) => st.toasts.some((x) => x.kind === 'reward') && st.balance === 200, null);
    const reward = s.toasts.find((x) => x.kind === 'reward');
    assert.match(reward.title, /\+200 points/);
    assert.match(reward.detail, /^First to close \$5k\+ wins 200 points/);
    assert.ok(s.toastsShown > before);
    // Read out: the toast sits in a polite live region, and is on screen.
    assert.equal(await page.getAttribute('#toasts', 'role'), 'status');
    assert.equal(await page.getAttribute('#toasts', 'aria-live'), 'polite');
    const toast = page.locator('.toast-reward');
    assert.ok(await toast.isVisible(), 'the reward toast is on screen');
    assert.match(await toast.innerText(), /\+200 points/);
    assert.equal((await page.textContent('#balance')).trim(), '200');
    assert.ok(s.incentives.find((i) => i.id === incentive.id).won, 'the incentive says I won it');
    // The stored entry replaces the one shown at once.
    const led = await waitForState(page, (st) => st.ledger.length === 1 && !st.ledger[0].pending, null);
    assert.equal(led.ledger[0].points, 200);
    assert.equal(led.ledger[0].reason, 'incentive');
    assert.match(await page.locator('#ledger').innerText(), /\+200[\s\S]*Spot incentive/);

    // The screenshot: the page with the reward toast alone (the dismiss buttons work too).
    const others = page.locator('.toast:not(.toast-reward):not(.out) .toast-close');
    while (await others.count()) await others.first().click();
    await page.waitForTimeout(500); // past the toast's entry and exit animations
    await page.screenshot({ path: path.join(shots, 'me.png') });
    console.log(`# screenshot: ${path.join(shots, 'me.png')}`);
    // It goes away by itself after a few seconds (a pointer resting on it holds it).
    await page.mouse.move(5, 5);
    await toast.waitFor({ state: 'detached', timeout: 15_000 });
  });

  await t.test('accessible basics', async () => {
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.locator('main').count(), 1);
    assert.equal(await page.locator('header').count(), 1);
    assert.equal(await page.locator('h1:visible').count(), 1);
    const h2 = await page.locator('h2:visible').allInnerTexts();
    for (const want of ['Points balance', 'My contests', 'Spot incentives', 'My activity', 'Points ledger']) {
      assert.ok(h2.some((x) => x.toLowerCase() === want.toLowerCase()), `a heading "${want}" (${h2.join(', ')})`);
    }
    // Nothing wider than the phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
  });

  await t.test('resumes after the server restarts', async () => {
    // Sam's $6,000 win made him #2 on revenue: $38,000 to Ben's $32,700.
    assert.equal((await meState(page)).contests.find((c) => c.id === revenue.id).rank, 2);
    const from = errors.length;
    await stack.restartServer();
    await page.waitForFunction(() => window.bullpenMe && window.bullpenMe.connected(), null, { timeout: 30_000 });
    // A reconnect that reaches the draining server is refused (503); Chromium logs that as an
    // error. Expected while it restarts, and only then.
    const during = errors.splice(from);
    errors.push(...during.filter((e) => !/WebSocket connection to .* failed/.test(e)));
    // Ben's $7,000 (no incentive place left) takes #2 back, live: $39,700.
    await stack.postEvents([dealWon(BEN, 7000)]);
    const s = await waitForState(page, (st, id) => {
      const c = st.contests.find((x) => x.id === id);
      return c.rank === 3 && /^\$1,700 from #2 · Ben Okafor$/.test(c.gapText) && /Ben Okafor passed you/.test(c.passedText);
    }, revenue.id, 30_000);
    assert.ok(s.toasts.filter((x) => x.kind === 'passed').length >= 2);
  });

  await t.test('no script errors', () => {
    assert.deepEqual(errors, []);
  });

  await t.test('sign out, a bad token at the form, then the form signs in', async () => {
    await page.click('#signout');
    await page.locator('#signin').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal(await page.evaluate(() => localStorage.getItem('bullpen.me.token')), null);
    assert.equal(await page.evaluate(() => window.bullpenMe.signedIn()), false);
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'token');

    const input = page.getByLabel('Rep token');
    assert.equal(await input.getAttribute('type'), 'password');
    await input.fill('bp_not-a-token');
    await page.keyboard.press('Enter');
    const err = page.locator('#token-error');
    await err.waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await err.innerText(), /not accepted/i);
    assert.equal(await err.getAttribute('role'), 'alert');
    assert.equal(await input.getAttribute('aria-invalid'), 'true');

    await input.fill(repToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForFunction(() => window.bullpenMe.connected(), null, { timeout: 20_000 });
    await page.locator('#rep-name', { hasText: SAM.name }).waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => localStorage.getItem('bullpen.me.token')), repToken);
    // The form's bad token was the only failed request.
    assert.deepEqual(errors.filter((e) => !/^401 GET .*\/api\/v1\/me$/.test(e)), []);
    await page.close();
  });

  await t.test('a display token is turned away with a reason', async () => {
    const display = await stack.mintToken('display', { name: 'Wall' });
    const errs = [];
    const p = await openPage(browser, errs, PHONE);
    await p.goto(`${base}/me#token=${encodeURIComponent(display.token)}`, { waitUntil: 'domcontentloaded' });
    const err = p.locator('#token-error');
    await err.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await err.innerText(), /display token can't open a rep's page/i);
    assert.equal(await p.evaluate(() => localStorage.getItem('bullpen.me.token')), null);
    assert.deepEqual(errs, []);
    await p.close();
  });

  await t.test('a manager may open a rep\'s page, and sees a clawback land', async () => {
    const manager = await stack.mintToken('manager', { name: 'Floor manager' });
    const errs = [];
    const p = await openPage(browser, errs, PHONE);
    await p.goto(`${base}/me#token=${encodeURIComponent(manager.token)}&rep=${SAM.rep_id}`, { waitUntil: 'domcontentloaded' });
    await p.waitForFunction(() => window.bullpenMe && window.bullpenMe.connected(), null, { timeout: 20_000 });
    await p.locator('#rep-name', { hasText: SAM.name }).waitFor({ timeout: 10_000 });
    assert.match(await p.textContent('#rep-meta'), /viewed by a manager/);
    const s = await waitForState(p, (st) => st.balance === 200 && st.ledger.length === 1, null);
    assert.equal(s.role, 'manager');

    // The winning deal is reversed: the reward is clawed back.
    await stack.postEvents([{ event_id: `rev-${winning.deal_id}`, type: 'deal.reversed', occurred_at: new Date().toISOString(),
      rep_id: SAM.rep_id, deal_id: winning.deal_id }]);
    const after = await waitForState(p, (st) => st.balance === 0 && st.toasts.some((x) => x.kind === 'clawback')
      && st.ledger.length === 2 && !st.ledger[0].pending, null);
    assert.match(after.toasts.find((x) => x.kind === 'clawback').title, /−200 points taken back/);
    assert.equal(after.ledger[0].reason, 'clawback');
    assert.equal(after.ledger[0].points, -200);
    assert.equal(after.incentives.find((i) => i.id === incentive.id).won, false, 'the incentive no longer says I won it');
    assert.equal((await p.textContent('#balance')).trim(), '0');

    // A manual adjustment lands on the feed as a reward, and an incentive closed early leaves
    // at once: both well within 8 s, where the page's own re-reads come every 60 s.
    const shown = (await meState(p)).toastsShown;
    await stack.api('POST', `/reps/${SAM.rep_id}/adjustments`, { points: 15, note: 'Helped onboard Ben' });
    const adj = await waitForState(p, (st, n) => st.balance === 15 && st.toastsShown > n
      && st.toasts.some((x) => x.kind === 'reward'), shown, 8000);
    assert.match(adj.toasts.filter((x) => x.kind === 'reward').at(-1).title, /\+15 points/);
    await stack.api('POST', `/incentives/${incentive.id}/end`);
    await waitForState(p, (st, id) => !st.incentives.some((i) => i.id === id), incentive.id, 8000);
    assert.deepEqual(errs, []);
    await p.close();
  });

  await t.test('signed out while a re-read of my standings waits, the next session still re-reads them', async () => {
    const errs = [];
    const p = await openPage(browser, errs, PHONE);
    const reads = [];
    p.on('request', (r) => { if (new URL(r.url()).pathname === `/api/v1/reps/${SAM.rep_id}`) reads.push(Date.now()); });
    let celebrated = null;
    const seen = new Promise((resolve) => { celebrated = resolve; });
    p.on('websocket', (ws) => ws.on('framereceived', (f) => {
      if (typeof f.payload === 'string' && f.payload.includes('"celebration"') && f.payload.includes('"first-of-two"')) celebrated();
    }));
    await p.goto(`${base}/me#token=${encodeURIComponent(repToken)}`, { waitUntil: 'domcontentloaded' });
    await p.waitForFunction(() => window.bullpenMe && window.bullpenMe.connected(), null, { timeout: 20_000 });

    // Sam's deal asks for a re-read of his standings in a few seconds; he signs out before it.
    await stack.postEvents([dealWon(SAM, 100, { deal_id: 'first-of-two' })]);
    await seen;
    await p.click('#signout');
    await p.locator('#signin').waitFor({ state: 'visible', timeout: 5000 });
    await p.getByLabel('Rep token').fill(repToken);
    const atSignIn = reads.length;
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForFunction(() => window.bullpenMe.connected(), null, { timeout: 20_000 });

    // The new session's own deal must be followed by a re-read (at most 4 s after the last).
    await waitFor(async () => reads.length > atSignIn, 10_000, 'the sign-in\'s own read of the rep');
    const before = reads.length;
    await stack.postEvents([dealWon(SAM, 100)]);
    await waitFor(async () => reads.length > before, 15_000, 'a re-read of my standings after my deal');
    assert.deepEqual(errs, []);
    await p.close();
  });

  await t.test('a deal of mine that lands before my page\'s floor snapshot still re-reads my standings', async () => {
    // The deal is in the ledger before the page opens, so it reaches the page inside the floor's
    // snapshot, never as a message of its own: the page re-reads for it all the same.
    const samDeals = async () => {
      const b = await stack.api('GET', `/contests/${deals.id}/leaderboard`);
      const row = b.entries.find((e) => e.rep_id === SAM.rep_id);
      return row ? row.score : 0;
    };
    const had = await samDeals();
    await stack.postEvents([dealWon(SAM, 100)]);
    await waitFor(async () => (await samDeals()) === had + 1, 15_000, 'Sam\'s deal on the deals board');
    const errs = [];
    const p = await openPage(browser, errs, PHONE);
    const reads = [];
    p.on('request', (r) => { if (new URL(r.url()).pathname === `/api/v1/reps/${SAM.rep_id}`) reads.push(Date.now()); });
    await p.goto(`${base}/me#token=${encodeURIComponent(repToken)}`, { waitUntil: 'domcontentloaded' });
    await p.waitForFunction(() => window.bullpenMe && window.bullpenMe.connected(), null, { timeout: 20_000 });
    // The sign-in's own read, then one more for the deal in the snapshot (at most 4 s later).
    await waitFor(async () => reads.length >= 2, 12_000, 'a re-read of my standings for the deal in the floor snapshot');
    assert.deepEqual(errs, []);
    await p.close();
  });

  await t.test('the trophy case: badges live, a reversal strikes one through', async () => {
    const errs = [];
    const p = await openPage(browser, errs, PHONE);
    await p.goto(`${base}/me#token=${encodeURIComponent(repToken)}`, { waitUntil: 'domcontentloaded' });
    await p.waitForFunction(() => window.bullpenMe && window.bullpenMe.connected(), null, { timeout: 20_000 });
    // Every rule off and no badge: no trophy case at all.
    let s = await waitForState(p, (st) => st.trophies.read, null);
    assert.equal(s.trophies.shown, false, 'no trophy case while no badge exists');
    assert.equal(await p.locator('#trophies').isVisible(), false);

    // Rules on: the case says what there is to earn (read again with the page).
    await stack.api('PUT', '/achievements', { first_win: { enabled: true, points: 10 }, largest_deal: { enabled: true, points: 20 } });
    await p.reload({ waitUntil: 'domcontentloaded' });
    s = await waitForState(p, (st) => st.trophies.read && st.trophies.shown && st.balance !== null, null);
    assert.ok(await p.locator('#trophy-empty').isVisible());
    assert.equal(s.trophies.empty, 'No badges yet — first win of the day is one deal away. To earn: First win of the day, Personal best.');
    assert.deepEqual(s.trophies.items, []);

    // Sam's largest deal yet: today's first win and a personal best arrive live, newest first.
    const best = dealWon(SAM, 90000);
    const balance = s.balance;
    await stack.postEvents([best]);
    s = await waitForState(p, (st) => st.trophies.items.length === 2, null);
    const byKind = (st, k) => st.trophies.items.find((x) => x.kind === k);
    const pb = byKind(s, 'largest_deal');
    assert.ok(pb && byKind(s, 'first_win'), `both badges: ${JSON.stringify(s.trophies.items)}`);
    assert.deepEqual(pb.text, ['Personal best', `deal ${best.deal_id} · +20 points`]);
    assert.equal(pb.revoked, false);
    const fw = byKind(s, 'first_win');
    assert.equal(fw.text[0], 'First win of the day');
    assert.match(fw.text[1], /^\w{3}, \w{3} \d{1,2}, \d{4} · \+10 points$/);
    assert.equal(s.trophies.held, '2 badges held');
    assert.equal(s.trophies.empty, null);
    await waitForState(p, (st, b) => st.balance === b + 30, balance);
    // The order is the server's: the same as a fresh read.
    const listed = await stack.api('GET', `/reps/${SAM.rep_id}/achievements`);
    assert.deepEqual(s.trophies.items.map((x) => x.id), listed.items.map((x) => x.id));

    // The deal is reversed: the personal best is struck through with the server's note and no
    // longer counted as held; the first win stays (Sam has other wins today).
    await stack.postEvents([{ event_id: `rev-${best.deal_id}`, type: 'deal.reversed', occurred_at: new Date().toISOString(),
      rep_id: SAM.rep_id, deal_id: best.deal_id }]);
    s = await waitForState(p, (st) => st.trophies.items.some((x) => x.kind === 'largest_deal' && x.revoked), null);
    const gone = byKind(s, 'largest_deal');
    assert.equal(gone.struck, true);
    assert.deepEqual(gone.text, ['Personal best', `deal ${best.deal_id} · +20 points`, `revoked: deal ${best.deal_id} was reversed`]);
    const heldNow = s.trophies.items.filter((x) => !x.revoked).length;
    assert.equal(s.trophies.held, heldNow === 1 ? '1 badge held' : `${heldNow} badges held`);
    assert.ok(heldNow < 2);
    // On screen: the name struck through, the note in words.
    const item = p.locator(`.trophy[data-kind="largest_deal"]`);
    assert.equal(await item.locator('s').textContent(), 'Personal best');
    assert.match(await item.innerText(), /revoked: deal .* was reversed/);
    const section = p.getByRole('region', { name: 'Trophy case' });
    await section.scrollIntoViewIfNeeded();
    await section.screenshot({ path: path.join(shots, 'me-trophies.png') });
    console.log(`# screenshot: ${path.join(shots, 'me-trophies.png')}`);
    assert.deepEqual(errs, []);
    await p.close();
  });

  await t.test('the trophy case names a best week by its Monday, and strikes it when it falls back', async () => {
    const DANA = { rep_id: 'rep-dana', name: 'Dana Kim', team_id: 'west' };
    const tok = await stack.mintToken('rep', { rep_id: DANA.rep_id, name: 'Dana\'s phone' });
    await stack.api('PUT', '/achievements', { best_period: { enabled: true, points: 15, period: 'week' } });
    // Two weeks ago 500.00, then this week 900.00: the best week yet. The moment is set here,
    // not with ago(), which keeps its moments inside today: run in the first two hours of a
    // UTC day it would put this deal last week, and the revocation below would name that week.
    const twoWeeksAgo = new Date(Date.now() - 14 * 86_400_000).toISOString();
    await stack.postEvents([dealWon(DANA, 50000, { occurred_at: twoWeeksAgo })]);
    await waitFor(async () => (await stack.apiRaw('GET', `/reps/${DANA.rep_id}/achievements`)).status === 200, 20_000, 'Dana\'s first deal in the ledger');
    const errs = [];
    const p = await openPage(browser, errs, PHONE);
    await p.goto(`${base}/me#token=${encodeURIComponent(tok.token)}`, { waitUntil: 'domcontentloaded' });
    await p.waitForFunction(() => window.bullpenMe && window.bullpenMe.connected(), null, { timeout: 20_000 });
    let s = await waitForState(p, (st) => st.trophies.read && st.trophies.shown, null);
    assert.equal(s.trophies.empty, 'No badges yet. To earn: Best week ever.');
    const best = dealWon(DANA, 90000);
    await stack.postEvents([best]);
    s = await waitForState(p, (st) => st.trophies.items.length === 1, null);
    const [week] = s.trophies.items;
    assert.equal(week.kind, 'best_period');
    assert.equal(week.text[0], 'Best week ever');
    assert.match(week.text[1], /^week of Mon, \w{3} \d{1,2}, \d{4} · \+15 points$/);
    // This week's only deal reversed: back to nothing, struck through with the server's note.
    await stack.postEvents([{ event_id: `rev-${best.deal_id}`, type: 'deal.reversed', occurred_at: new Date().toISOString(),
      rep_id: DANA.rep_id, deal_id: best.deal_id }]);
    s = await waitForState(p, (st) => st.trophies.items.some((x) => x.revoked), null);
    assert.equal(s.trophies.items[0].struck, true);
    assert.match(s.trophies.items[0].text[2], /^revoked: \d{4}-W\d{2} fell to 0$/);
    assert.equal(s.trophies.held, '0 badges held');
    assert.deepEqual(errs, []);
    await p.close();
  });
});
