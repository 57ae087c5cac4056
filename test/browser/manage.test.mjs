// The manager's console in a real browser (Debian's Chromium through playwright-core), against a
// stack of its own (stack.mjs). Driven the way a manager would: by labels and roles. `make
// test-browser` runs it; by hand, after `make build`:
//
//   cd test/browser && npm ci && node --test manage.test.mjs
//
// BULLPEN_CHROMIUM names the browser (default /usr/bin/chromium), BULLPEN_SCREENSHOT_DIR where
// the screenshot goes (default docs/screenshots).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startStack, dealWon, until as waitFor, root } from './stack.mjs';
import { launch, openPage } from './browser.mjs';

const shots = path.resolve(root, process.env.BULLPEN_SCREENSHOT_DIR || 'docs/screenshots');
// Debian's zbar-tools, when installed, reads the QR code back off the screen.
const zbarimg = process.env.BULLPEN_ZBARIMG || '/usr/bin/zbarimg';

const REPS = [
  { rep_id: 'rep-ana', name: 'Ana Ruiz', team_id: 'east' },
  { rep_id: 'rep-ben', name: 'Ben Okafor', team_id: 'west' },
  { rep_id: 'rep-chloe', name: 'Chloé Martin', team_id: 'east' },
  { rep_id: 'rep-dev', name: 'Dev Patel', team_id: 'north' },
];

/** A live revenue contest with the reps on it, and a manager token to sign in with. */
async function seed(stack) {
  const t = new Date();
  const contest = await stack.api('POST', '/contests', {
    name: 'Revenue sprint', kind: 'leaderboard', metric: 'revenue', scope: 'rep', timezone: 'UTC', period: 'none',
    starts_at: new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1)).toISOString(),
    ends_at: new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1)).toISOString(),
    prizes: [{ rank: 1, points: 500 }],
  });
  await stack.postEvents(REPS.map((r, i) => dealWon(r, 12000 - i * 2500)));
  await waitFor(async () => (await stack.api('GET', `/contests/${contest.id}/leaderboard`)).total === REPS.length,
    30_000, 'the seeded deals on the board');
  const manager = await stack.mintToken('manager', { name: 'Morgan Lee' });
  const rep = await stack.mintToken('rep', { rep_id: 'rep-ana', name: 'Ana phone' });
  return { contest, manager, rep };
}

/** Errors the page made on purpose: the API's answers to the bad forms. */
const expected = (e) => /^400 POST .*\/api\/v1\/(contests|reps\/[^/]+\/adjustments)$/.test(e)
  || /^400 GET .*\/api\/v1\/exports\/ledger\.csv\?/.test(e)
  || /^400 GET .*\/api\/v1\/reps\/[^/]+\/coaching\?/.test(e);

/**
 * Team south's month for the coaching screen, worked by hand (EUR):
 *
 *          calls emails meetings demos webinar | all deals amount    | avg deal   per win
 *   Gia      6     3       2       1     0     |  12   3    8,000.50 | 2,666.83     4
 *   Hal      9     1       0       2     0     |  12   1    1,200.00 | 1,200.00    12
 *   Ivy      2     5       1       0     2     |  10   2    3,999.99 | 2,000.00     5   (1,999.995 rounds up)
 *   Jon      1     0       0       0     0     |   1   0        0.00 |    —         —   (his one deal reversed)
 *   median   4     2     0.5     0.5     0     |  11  1.5   2,600.00 | 2,000.00     5
 *
 * Medians of four take the mean of the middle two (amount: (1,200 + 3,999.99) / 2 = 2,599.995,
 * half up 2,600.00); the ratios are over the three who won.
 */
const SOUTH = {
  gia: { rep_id: 'rep-gia', name: 'Gia Romano', team_id: 'south' },
  hal: { rep_id: 'rep-hal', name: 'Hal Jensen', team_id: 'south' },
  ivy: { rep_id: 'rep-ivy', name: 'Ivy Chen', team_id: 'south' },
  jon: { rep_id: 'rep-jon', name: 'Jon Bakker', team_id: 'south' },
};

/** A table cell as seen: its figure, then the "▼ below" mark's visible words (runs in the page). */
const cellText = (c) => {
  const mark = c.querySelector('.below-mark');
  const own = [...c.childNodes].filter((n) => n !== mark).map((n) => n.textContent).join('').trim();
  return mark ? `${own} ${mark.querySelector('[aria-hidden="true"]').textContent}`.trim() : own;
};

async function seedSouth(stack) {
  let n = 0;
  const acts = (rep, counts) => Object.entries(counts).flatMap(([activity, k]) => Array.from({ length: k }, () => ({
    event_id: `act-${rep.rep_id}-${++n}`, type: 'activity', occurred_at: new Date().toISOString(),
    rep_id: rep.rep_id, rep_name: rep.name, team_id: rep.team_id, activity,
  })));
  const { gia, hal, ivy, jon } = SOUTH;
  await stack.postEvents([
    ...acts(gia, { call: 6, email: 3, meeting: 2, demo: 1 }), dealWon(gia, 4000), dealWon(gia, 2500.5), dealWon(gia, 1500),
    ...acts(hal, { call: 9, email: 1, demo: 2 }), dealWon(hal, 1200),
    ...acts(ivy, { call: 2, email: 5, meeting: 1, webinar: 2 }), dealWon(ivy, 3000), dealWon(ivy, 999.99),
    ...acts(jon, { call: 1 }), dealWon(jon, 5000, { deal_id: 'deal-jon-lost' }),
    { event_id: 'rev-deal-jon-lost', type: 'deal.reversed', occurred_at: new Date().toISOString(), rep_id: jon.rep_id, deal_id: 'deal-jon-lost' },
  ]);
  const want = { 'rep-gia': [12, 3], 'rep-hal': [12, 1], 'rep-ivy': [10, 2], 'rep-jon': [1, 0] };
  await waitFor(async () => {
    const res = await stack.apiRaw('GET', '/teams/south/coaching');
    return res.status === 200 && res.body.reps.length === 4
      && res.body.reps.every((r) => r.figures.activities_total === want[r.rep_id][0] && r.figures.deals_won === want[r.rep_id][1]);
  }, 30_000, 'team south\'s events in the ledger');
}

/** The text that describes a control to assistive technology (its aria-describedby). */
const description = (locator) => locator.evaluate((el) => (el.getAttribute('aria-describedby') || '')
  .split(/\s+/).filter(Boolean).map((id) => document.getElementById(id)?.textContent || '').join(' '));

const isFocused = (locator) => locator.evaluate((el) => el === document.activeElement);

test('manager console', { timeout: 240_000 }, async (t) => {
  // Euros, so that the console is seen to take its currency from the server.
  const stack = await startStack(t, { currency: 'EUR' });
  const { base } = stack;
  const { contest, manager, rep } = await seed(stack);
  const browser = await launch(t);
  await mkdir(shots, { recursive: true });
  const errors = [];
  const page = await openPage(browser, errors, { width: 1440, height: 900 });
  const nav = page.getByRole('navigation', { name: 'Console sections' });
  const keys = [];
  page.on('request', (req) => {
    if (req.method() === 'POST') keys.push({ url: req.url(), key: req.headers()['idempotency-key'] || '' });
  });

  await t.test('GET /manage serves the page and its assets, the QR encoder included', async () => {
    const res = await fetch(`${base}/manage`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') || '', /text\/html/);
    for (const asset of ['/manage.js', '/manage.css', '/vendor/qrcode.js']) {
      const r = await fetch(base + asset);
      assert.equal(r.status, 200, asset);
    }
  });

  await t.test('sign in: a rep token is refused at the field, a manager token is remembered', async () => {
    await page.goto(`${base}/manage`);
    const tokenInput = page.getByLabel('Manager or admin token');
    await tokenInput.fill(rep.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForFunction(() => document.querySelector('#signin-token[aria-invalid="true"]'));
    assert.match(await description(tokenInput), /rep token.*manager or admin/);

    await tokenInput.fill(manager.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').waitFor();
    assert.equal(await page.locator('#who-name').textContent(), 'Morgan Lee');
    await page.waitForFunction(() => window.bullpenManage.connected(), null, { timeout: 15_000 });
    assert.equal(await page.evaluate(() => window.bullpenManage.state().currency), 'EUR');

    await page.reload();
    await page.waitForFunction(() => window.bullpenManage && window.bullpenManage.state().signedIn, null, { timeout: 10_000 });
    assert.equal(await page.getByLabel('Manager or admin token').isVisible(), false);
    await page.waitForFunction(() => window.bullpenManage.connected(), null, { timeout: 15_000 });
  });

  await t.test('a contest form with a bad field shows the API\'s error at that field; a good one creates the contest', async () => {
    await nav.getByRole('link', { name: /Contests/ }).click();
    const form = page.getByRole('form', { name: 'New contest' });
    await form.getByLabel('Name').fill('Q4 browser sprint');

    // weights.call: a path into the weights, mapped to its input.
    await form.getByLabel('Metric').selectOption('points');
    const call = form.getByLabel('Call', { exact: true });
    await call.fill('-1');
    await form.getByRole('button', { name: 'Create contest' }).click();
    await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('aria-invalid') === 'true');
    assert.equal(await call.getAttribute('aria-invalid'), 'true');
    assert.ok(await isFocused(call), 'the bad field has the focus');
    assert.match(await description(call), /weight must not be negative/i);
    await call.fill('1');

    // ends_at before starts_at.
    const year = new Date().getFullYear();
    await form.getByLabel('Time zone').fill('America/New_York');
    await form.getByLabel('Starts').fill(`${year - 1}-12-01T00:00`);
    const ends = form.getByLabel('Ends');
    await ends.fill(`${year - 2}-06-01T17:00`);
    await form.getByRole('button', { name: 'Create contest' }).click();
    await page.waitForFunction(() => document.getElementById('c-ends').getAttribute('aria-invalid') === 'true');
    assert.equal(await call.getAttribute('aria-invalid'), null, 'the earlier error is cleared');
    assert.ok(await isFocused(ends));
    assert.match(await description(ends), /ends_at must be after starts_at/i);
    assert.match(await page.locator('#contest-msg').textContent(), /not created/);

    await ends.fill(`${year + 1}-01-15T17:00`);
    await form.getByRole('button', { name: 'Create contest' }).click();
    const item = page.locator('#contest-list li', { hasText: 'Q4 browser sprint' });
    await item.waitFor({ timeout: 10_000 });
    assert.match(await item.textContent(), /Live/);
    assert.equal(await ends.getAttribute('aria-invalid'), null);

    const created = (await stack.api('GET', '/contests?status=live')).items.find((c) => c.name === 'Q4 browser sprint');
    assert.ok(created, 'the contest is in the API');
    assert.equal(created.metric, 'points');
    assert.equal(created.timezone, 'America/New_York');
    assert.equal(created.weights.call, 1);
    // Wall times in the contest's zone, sent with its offset (EST in December and January).
    assert.equal(new Date(created.starts_at).toISOString(), new Date(`${year - 1}-12-01T00:00:00-05:00`).toISOString());
    assert.equal(new Date(created.ends_at).toISOString(), new Date(`${year + 1}-01-15T17:00:00-05:00`).toISOString());
    assert.ok(keys.some((k) => k.url.endsWith('/api/v1/contests') && k.key), 'the create carried an Idempotency-Key');
  });

  await t.test('launch a spot incentive and watch its winner arrive live', async () => {
    await nav.getByRole('link', { name: /Incentives/ }).click();
    const form = page.getByRole('form', { name: 'Launch a spot incentive' });
    await form.getByLabel(/Minimum deal/).fill('4000');
    await form.getByLabel('Reward points').fill('150');
    await form.getByLabel('Winners').fill('2');
    await form.getByRole('radio', { name: '15 min' }).check();
    assert.equal(await form.getByLabel(/Minimum deal/).evaluate((el) => el.labels[0].textContent), 'Minimum deal (EUR)');
    const title = await form.getByLabel('Title shown on the wall').inputValue();
    assert.equal(title, 'First 2 to close €4K+ in the next 15 min win 150 points');
    await form.getByRole('button', { name: 'Launch incentive' }).click();
    await page.waitForFunction(() => window.bullpenManage.state().watching, null, { timeout: 10_000 });
    const launched = keys.find((k) => k.url.endsWith('/api/v1/incentives'));
    assert.ok(launched && launched.key, 'the launch carried an Idempotency-Key');
    const { watching } = await page.evaluate(() => window.bullpenManage.state());
    const api = await stack.api('GET', `/incentives/${watching}`);
    assert.equal(api.title, title);
    assert.equal(api.reward_points, 150);
    assert.equal(api.condition.min_amount, 4000);

    const watch = page.getByRole('region', { name: 'Watching' });
    assert.match(await watch.getByRole('timer').textContent(), /^1[45]:\d\d$/);
    assert.match(await watch.textContent(), /Deals of €4,000 or more · 150 points each · 2 winners/);
    await stack.postEvents([dealWon(REPS[2], 2500), dealWon(REPS[1], 6400)]);
    const winners = page.getByRole('list', { name: 'Winners' });
    await winners.getByText('Ben Okafor').waitFor({ timeout: 15_000 });
    assert.equal(await winners.getByRole('listitem').count(), 1, 'the small deal does not qualify');
    assert.match(await page.locator('#watch-places').textContent(), /^1 of 2$/);
    await page.waitForFunction(() => document.querySelectorAll('.toast').length <= 1, null, { timeout: 10_000 });
    await page.screenshot({ path: path.join(shots, 'manage.png') });

    await watch.getByRole('button', { name: 'End now' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'End incentive' }).click();
    await page.waitForFunction((id) => window.bullpenManage.state().incentives.find((i) => i.id === id).status === 'closed', watching);
    assert.match(await watch.textContent(), /Closed/);
    const ended = await stack.api('GET', `/incentives/${watching}`);
    assert.equal(ended.status, 'closed');
  });

  await t.test('adjust a rep\'s points with a note and see the ledger', async () => {
    await nav.getByRole('link', { name: /Points/ }).click();
    await page.getByLabel('Name or rep id').fill('Ana');
    await page.getByRole('button', { name: /Ana Ruiz/ }).click();
    const form = page.getByRole('form', { name: 'Adjust points' });
    await form.getByLabel('Points').fill('75');
    await form.getByRole('button', { name: 'Record adjustment' }).click();
    const note = form.getByLabel('Note');
    await page.waitForFunction(() => document.getElementById('a-note').getAttribute('aria-invalid') === 'true');
    assert.ok(await isFocused(note));
    assert.match(await description(note), /note is required/i);

    await note.fill('Covered the Friday demo');
    await form.getByRole('button', { name: 'Record adjustment' }).click();
    await page.locator('#ledger-rows tr', { hasText: 'Covered the Friday demo' }).waitFor();
    assert.equal(await page.locator('#rep-balance').textContent(), '75 points');
    const ledger = await stack.api('GET', '/reps/rep-ana/ledger');
    assert.equal(ledger.balance, 75);
    assert.equal(ledger.entries[0].note, 'Covered the Friday demo');
    assert.equal(ledger.entries[0].by, manager.id);
    assert.ok(keys.some((k) => /\/reps\/rep-ana\/adjustments$/.test(k.url) && k.key), 'the adjustment carried an Idempotency-Key');
  });

  await t.test('a contest\'s periods show its winners; a period and the ledger download as CSV', async () => {
    // A contest of a few seconds (only the deals below fall in it): final, prizes paid, once its
    // short grace is over.
    const start = Date.now();
    const flash = await stack.api('POST', '/contests', {
      name: 'Flash hour', kind: 'leaderboard', metric: 'revenue', scope: 'rep', timezone: 'UTC', period: 'none',
      starts_at: new Date(start - 1_000).toISOString(), ends_at: new Date(start + 5_000).toISOString(),
      prizes: [{ rank: 1, points: 300 }, { rank: 2, points: 100 }],
    });
    await stack.postEvents([dealWon(REPS[0], 9000), dealWon(REPS[1], 4000.5)]);
    await waitFor(async () => (await stack.api('GET', `/contests/${flash.id}`)).status === 'final', 60_000, 'the flash contest final');

    await nav.getByRole('link', { name: /Contests/ }).click();
    await page.evaluate(() => window.bullpenManage.refresh());
    await page.locator('#contest-filter').getByRole('button', { name: /Ended/ }).click();
    await page.getByRole('button', { name: 'Periods of Flash hour' }).click();
    const panel = page.getByRole('region', { name: 'Periods of "Flash hour"' });
    const winners = panel.getByRole('list', { name: 'Winners of Whole contest' });
    await winners.waitFor({ timeout: 10_000 });
    const rows = await winners.getByRole('listitem').allTextContents();
    assert.equal(rows.length, 2);
    assert.match(rows[0], /#1\s+Ana Ruiz\s+€9,000.*300 points/);
    assert.match(rows[1], /#2\s+Ben Okafor\s+€4,000.*100 points/);
    assert.match(await panel.textContent(), /Final/);
    await page.waitForFunction(() => document.querySelectorAll('.toast').length === 0, null, { timeout: 15_000 });
    await panel.screenshot({ path: path.join(shots, 'manage-periods.png') });

    const [standings] = await Promise.all([
      page.waitForEvent('download'),
      panel.getByRole('button', { name: 'Export Whole contest as CSV' }).click(),
    ]);
    assert.match(standings.suggestedFilename(), /^standings_Flash-hour_all\.csv$/);
    const csv = (await readFile(await standings.path(), 'utf8')).split('\r\n');
    assert.equal(csv[0], 'contest_id,contest_name,period_key,period_start,period_end,status,rank,rep_id,rep_name,team_id,metric,score,currency,reached_at,finished_at,prize_points');
    assert.match(csv[1], new RegExp(`^${flash.id},Flash hour,all,.*,final,1,rep-ana,Ana Ruiz,east,revenue,9000\\.00,EUR,.*,,300$`));
    assert.match(csv[2], /,final,2,rep-ben,Ben Okafor,west,revenue,4000\.50,EUR,.*,,100$/);
    assert.equal(csv[3], '');

    // The points ledger of today: the prizes just paid and the adjustment made before.
    await nav.getByRole('link', { name: /Points/ }).click();
    const form = page.getByRole('form', { name: 'Exports' });
    const today = new Date().toISOString().slice(0, 10);
    await form.getByLabel('From').fill(today);
    const to = form.getByLabel('To', { exact: true });
    await to.fill('2000-01-01');
    await form.getByRole('button', { name: 'Download points ledger' }).click();
    await page.waitForFunction(() => document.getElementById('x-to').getAttribute('aria-invalid') === 'true');
    assert.match(await description(to), /to .* must come after from/i);
    await to.fill(today);
    const [ledger] = await Promise.all([
      page.waitForEvent('download'),
      form.getByRole('button', { name: 'Download points ledger' }).click(),
    ]);
    assert.equal(ledger.suggestedFilename(), `ledger_${today}_${today}.csv`);
    const lines = (await readFile(await ledger.path(), 'utf8')).split('\r\n');
    assert.equal(lines[0], 'id,created_at,rep_id,rep_name,team_id,points,reason,note,by,event_id,deal_id,incentive_id,contest_id,period_key');
    assert.ok(lines.some((l) => /,rep-ana,Ana Ruiz,east,75,adjustment,Covered the Friday demo,/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes(`,rep-ana,Ana Ruiz,east,300,prize,`) && l.includes(flash.id)), lines.join('\n'));
    assert.ok(lines.some((l) => l.includes(`,rep-ben,Ben Okafor,west,100,prize,`)), lines.join('\n'));
  });

  await t.test('coaching: a rep against the team median, and the team side by side', async () => {
    await seedSouth(stack);
    await nav.getByRole('link', { name: /Coaching/ }).click();
    const view = page.locator('#view-coaching');
    await view.getByLabel('Find a rep').fill('Hal');
    await view.getByRole('button', { name: /Hal Jensen/ }).click();
    await page.waitForFunction(() => window.bullpenManage.state().coachTeam === 'south', null, { timeout: 10_000 });

    // Hal's figures beside the median, "below" said in words on the figures under it.
    const rows = await page.locator('#coach-rows tr').evaluateAll((trs, src) => trs.map((tr) => [...tr.cells].map((0, eval)(src))), cellText.toString());
    assert.deepEqual(rows, [
      ['Calls', '9', '4', ''],
      ['Emails', '1', '2', '▼ below'],
      ['Meetings', '0', '0.5', '▼ below'],
      ['Demos', '2', '0.5', ''],
      ['Webinar', '0', '0', ''],
      ['All activities', '12', '11', ''],
      ['Deals won', '1', '1.5', '▼ below'],
      ['Amount won', '€1,200.00', '€2,600.00', '▼ below'],
      ['Average deal', '€1,200.00', '€2,000.00', '▼ below'],
      ['Activities per win', '12', '5', ''],
    ]);
    assert.match(await page.locator('#coach-meta').textContent(), /team south, 4 reps/);
    assert.equal(await page.locator('#coach-rows tr[data-figure="activities.email"] .below-mark [aria-hidden="true"]').textContent(), '▼ below');
    assert.equal(await page.locator('#coach-rows tr[data-figure="activities.email"] .sr-only').textContent(), 'below the team median');

    // The team side by side: every rep, the median last; the marks beside the figures.
    const team = await page.locator('#coach-team-rows tr').evaluateAll((trs, src) => trs.map((tr) => [...tr.cells].map((0, eval)(src))), cellText.toString());
    assert.deepEqual(team, [
      ['Gia Romano', '6', '3', '2', '1', '0', '12', '3', '€8,000.50', '€2,666.83', '4 ▼ below'],
      ['Hal Jensen', '9', '1 ▼ below', '0 ▼ below', '2', '0', '12', '1 ▼ below', '€1,200.00 ▼ below', '€1,200.00 ▼ below', '12'],
      ['Ivy Chen', '2 ▼ below', '5', '1', '0 ▼ below', '2', '10 ▼ below', '2', '€3,999.99', '€2,000.00', '5'],
      ['Jon Bakker', '1 ▼ below', '0 ▼ below', '0 ▼ below', '0 ▼ below', '0', '1 ▼ below', '0 ▼ below', '€0.00 ▼ below', '—', '—'],
      ['Team median', '4', '2', '0.5', '0.5', '0', '11', '1.5', '€2,600.00', '€2,000.00', '5'],
    ]);
    const heads = await page.locator('#coach-team-head th').allInnerTexts();
    assert.deepEqual(heads.map((x) => x.trim().toLowerCase()), ['rep', 'calls', 'emails', 'meetings', 'demos', 'webinar', 'all activities',
      'deals won', 'amount won', 'average deal', 'activities per win']);
    await page.waitForFunction(() => !document.querySelector('.toast'), null, { timeout: 15_000 }); // earlier sections' toasts
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no sideways scrolling (${overflow}px)`);
    await page.screenshot({ path: path.join(shots, 'manage-coaching.png'), fullPage: true });

    // A name in the team table opens that rep.
    await page.locator('#coach-team-rows').getByRole('button', { name: 'Jon Bakker' }).click();
    await page.waitForFunction(() => window.bullpenManage.state().coachRep === 'rep-jon');
    assert.equal(await page.locator('#coach-rows tr[data-figure="average_deal_size"] td').first().innerText(), '—');

    // An inverted period is refused at its field; emptied, the period is this month again.
    await view.getByLabel('From', { exact: true }).fill('2030-01-10');
    await view.getByLabel('To', { exact: true }).fill('2030-01-05');
    const to = view.getByLabel('To', { exact: true });
    await page.waitForFunction(() => document.getElementById('coach-to').getAttribute('aria-invalid') === 'true');
    assert.match(await description(to), /to must come after from/i);
    await view.getByLabel('From', { exact: true }).fill('');
    await to.fill('');
    await page.waitForFunction(() => document.getElementById('coach-to').getAttribute('aria-invalid') === null);
    assert.deepEqual((await page.evaluate(() => window.bullpenManage.state())).coachBelow,
      ['activities.call', 'activities.email', 'activities.meeting', 'activities.demo', 'activities_total', 'deals_won', 'amount_won']);
  });

  await t.test('mint a display token: pairing link with a QR code, and the display shows up online', async (st) => {
    await nav.getByRole('link', { name: /Tokens/ }).click();
    const form = page.getByRole('form', { name: 'Mint a token' });
    await form.getByRole('radio', { name: 'Wall display' }).check();
    await form.getByLabel('Name').fill('Lobby TV');
    await form.getByRole('button', { name: 'Mint token' }).click();
    const minted = page.getByRole('region', { name: /New display token/ });
    await minted.waitFor();
    const secret = await minted.getByLabel('Secret').inputValue();
    assert.match(secret, /^bp_/);

    const link = minted.getByRole('textbox', { name: 'Pairing link' });
    await minted.getByRole('checkbox', { name: /Revenue sprint/ }).check();
    let url = await link.inputValue();
    assert.ok(url.startsWith(`${base}/display#token=${encodeURIComponent(secret)}&contests=`), url);
    assert.ok(url.includes(contest.id), 'the live contest is on the link');
    await minted.getByRole('checkbox', { name: /Hide amounts/ }).check();
    url = await link.inputValue();
    assert.ok(url.endsWith('&amounts=hide'), url);

    const qr = minted.getByRole('img', { name: /QR code.*Lobby TV/ });
    await qr.waitFor();
    const modules = Number(await qr.getAttribute('data-modules'));
    assert.ok(modules >= 21 && (modules - 17) % 4 === 0, `a QR code's size (${modules} modules)`);
    assert.ok((await qr.locator('path').getAttribute('d')).length > 1000, 'the QR code has its modules drawn');
    if (existsSync(zbarimg)) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'bullpen-qr-'));
      try {
        const file = path.join(dir, 'qr.png');
        await page.locator('#pair-qr').screenshot({ path: file });
        const { stdout } = await promisify(execFile)(zbarimg, ['-q', '--raw', file]);
        assert.equal(stdout.trim(), url, 'the QR code reads back as the pairing link');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    } else {
      st.diagnostic(`${zbarimg} is not installed (apt-get install zbar-tools): the QR code was drawn but not read back`);
    }

    // The TV opens the link; the console lists it.
    const tv = await openPage(browser, errors, { width: 1280, height: 720 });
    await tv.goto(url);
    await tv.waitForFunction(() => window.bullpenDisplay && window.bullpenDisplay.connected(), null, { timeout: 20_000 });
    assert.equal(await tv.evaluate(() => window.bullpenDisplay.state().amountsHidden), true);
    await nav.getByRole('link', { name: /Displays/ }).click();
    const row = page.locator('#display-rows tr', { hasText: 'Lobby TV' });
    // A display's presence names its channels once its subscriptions are in.
    await waitFor(async () => {
      await page.evaluate(() => window.bullpenManage.refresh());
      return (await row.count()) === 1 && /Revenue sprint/.test(await row.textContent());
    }, 20_000, 'the display and its contest in the console');
    assert.match(await row.textContent(), /Online/);
    await tv.close();

    // The secret goes away when the manager is done.
    await nav.getByRole('link', { name: /Tokens/ }).click();
    await minted.getByRole('button', { name: /Done/ }).click();
    assert.equal(await page.locator('#minted').isVisible(), false);
    assert.equal(await page.locator('#minted-secret').inputValue(), '');
  });

  await t.test('a token in the fragment signs in and leaves the address bar; sign out forgets it', async () => {
    const other = await openPage(browser, errors, { width: 1440, height: 900 });
    await other.goto(`${base}/manage#token=${encodeURIComponent(manager.token)}`);
    await other.waitForFunction(() => window.bullpenManage && window.bullpenManage.state().signedIn, null, { timeout: 10_000 });
    assert.ok(!other.url().includes('token='), other.url());
    await other.getByRole('button', { name: 'Sign out' }).click();
    await other.getByLabel('Manager or admin token').waitFor();
    assert.equal(await other.evaluate(() => localStorage.getItem('bullpen.manage.token')), null);
    await other.close();
  });

  assert.deepEqual(errors.filter((e) => !expected(e)), []);
});
