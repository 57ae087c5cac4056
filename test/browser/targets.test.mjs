// Targets in a real browser (Debian's Chromium through playwright-core), against a stack of its
// own (stack.mjs): the console's Targets screen imports a CSV (refused whole, then accepted),
// lists and deletes targets; the rep's page shows its progress; the wall display shows a team's
// attainment board as a slide; a deal moves both live. `make test-browser` runs it; by hand,
// after `make build`:
//
//   cd test/browser && npm ci && node --test targets.test.mjs
//
// BULLPEN_CHROMIUM names the browser (default /usr/bin/chromium), BULLPEN_SCREENSHOT_DIR where
// the screenshots go (default docs/screenshots).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startStack, dealWon, until as waitFor, root } from './stack.mjs';
import { launch, openPage } from './browser.mjs';

const shots = path.resolve(root, process.env.BULLPEN_SCREENSHOT_DIR || 'docs/screenshots');
const PHONE = { width: 390, height: 844 };

const ANA = { rep_id: 'rep-ana', name: 'Ana Ruiz', team_id: 'east' };
const CHLOE = { rep_id: 'rep-chloe', name: 'Chloé Martin', team_id: 'east' };
const GUS = { rep_id: 'rep-gus', name: 'Gustavo Lima', team_id: 'east' };
const DEV = { rep_id: 'rep-dev', name: 'Dev Patel', team_id: 'west' };

/** This month as the server's default time zone (UTC) names it. */
const month = () => new Date().toISOString().slice(0, 7);

/**
 * The targets of this month, as a manager would write them. Line 3 of the bad file has a
 * negative target, so the server refuses the whole file and names that line and column.
 */
const csv = (chloe) => [
  'period,metric,team_id,rep_id,target',
  `${month()},revenue,east,rep-ana,10000`,
  `${month()},revenue,east,rep-chloe,${chloe}`,
  `${month()},revenue,east,,20000`,
  `${month()},deals,west,rep-dev,4`,
].join('\n') + '\n';

/**
 * Deals of this month, worked by hand against the targets above:
 *   east revenue   Ana 4,000 of 10,000 = 40 %   Chloé 6,000 of 8,000 = 75 %   (Chloé first)
 *                  team 4,000 + 6,000 + Gustavo's 1,000 (no target, still the team's) = 11,000
 *                  of its own 20,000 = 55 %
 *   west deals     Dev 1 of 4 = 25 %
 * Ana's later deal of 5,000 takes her to 9,000 = 90 % (first), the team to 16,000 = 80 %.
 */
async function seed(stack) {
  await stack.postEvents([dealWon(ANA, 4000), dealWon(CHLOE, 6000), dealWon(GUS, 1000), dealWon(DEV, 2000)]);
  await waitFor(async () => (await stack.api('GET', '/reps?limit=10')).items.length === 4, 30_000, 'the reps in the directory');
  const t = new Date();
  const contest = await stack.api('POST', '/contests', {
    name: 'Revenue sprint', kind: 'leaderboard', metric: 'revenue', scope: 'rep', timezone: 'UTC', period: 'none',
    starts_at: new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1)).toISOString(),
    ends_at: new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1)).toISOString(),
  });
  const manager = await stack.mintToken('manager', { name: 'Morgan Lee' });
  const ana = await stack.mintToken('rep', { rep_id: ANA.rep_id, name: 'Ana phone' });
  const gus = await stack.mintToken('rep', { rep_id: GUS.rep_id, name: 'Gustavo phone' });
  return { contest, manager, ana, gus };
}

/** The errors the console makes on purpose: the refused import. */
const expected = (e) => /^400 PUT .*\/api\/v1\/targets$/.test(e);

const meState = (page) => page.evaluate(() => window.bullpenMe.state());

/** Waits until pred(state of /me) holds; returns its attainment. pred runs in the page. */
async function waitForMe(page, pred, timeout = 20_000) {
  // pred is compiled into the polled function here, in Node: the page's policy refuses eval.
  const poll = new Function(`const s = window.bullpenMe && window.bullpenMe.state(); return s && (${pred.toString()})(s);`);
  await page.waitForFunction(poll, null, { timeout, polling: 100 });
  return (await meState(page)).attainment;
}

/** Waits until pred(state of the display, arg) holds; returns that state. pred runs in the page. */
async function waitForWall(page, pred, arg, timeout = 20_000) {
  const poll = new Function('a', `const s = window.bullpenDisplay && window.bullpenDisplay.state(); return s && (${pred.toString()})(s, a);`);
  await page.waitForFunction(poll, arg, { timeout, polling: 100 });
  return page.evaluate(() => window.bullpenDisplay.state());
}

/** The rows of the console's list: [who, target, so far, attainment] as seen. */
const listRows = (page, set) => page.locator(`.target-set[data-set="${set}"] tbody tr`).evaluateAll((trs) => trs.map((tr) => [
  tr.cells[0].querySelector('strong').textContent, tr.cells[1].textContent, tr.cells[2].textContent, tr.cells[3].textContent,
]));

test('targets pages', { timeout: 280_000 }, async (t) => {
  const stack = await startStack(t);
  const { base } = stack;
  const { contest, manager, ana, gus } = await seed(stack);
  const browser = await launch(t);
  await mkdir(shots, { recursive: true });
  const errors = [];
  const east = `${month()}|revenue|east`;

  const page = await openPage(browser, errors, { width: 1440, height: 900 });
  await page.goto(`${base}/manage#token=${encodeURIComponent(manager.token)}`);
  await page.waitForFunction(() => window.bullpenManage && window.bullpenManage.state().signedIn, null, { timeout: 15_000 });
  const nav = page.getByRole('navigation', { name: 'Console sections' });

  await t.test('console: a CSV with a bad line is refused whole, its error shown as the server said it', async () => {
    await nav.getByRole('link', { name: /Targets/ }).click();
    await page.waitForFunction((m) => window.bullpenManage.state().targetsPeriod === m, month(), { timeout: 10_000 });
    assert.equal(await page.getByLabel('Month shown').inputValue(), month(), 'this month by default');
    assert.ok(await page.locator('#targets-empty').isVisible(), 'nothing yet');

    const form = page.getByRole('form', { name: 'Import targets' });
    await form.getByLabel('Or paste the rows').fill(csv(-8000));
    assert.equal(await form.locator('#ti-kind').textContent(), 'Sent as CSV.');
    const [req] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/api/v1/targets')),
      form.getByRole('button', { name: 'Import targets' }).click(),
    ]);
    assert.equal(req.headers()['content-type'], 'text/csv');
    const msg = page.locator('#target-import-msg');
    await msg.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match(await msg.textContent(), /^Nothing was imported: line 3, column target: a target must not be negative$/);
    assert.deepEqual((await stack.api('GET', `/targets?period=${month()}`)).items, [], 'nothing imported');
    assert.deepEqual(await page.evaluate(() => window.bullpenManage.state().targets), []);

    // A JSON array goes as JSON; its error names the row (from 0) and the field.
    await form.getByLabel('Or paste the rows').fill(JSON.stringify([
      { period: month(), metric: 'revenue', team_id: 'east', rep_id: ANA.rep_id, target: 10000 },
      { period: month(), metric: 'revenue', team_id: 'east', rep_id: CHLOE.rep_id, target: -8000 },
    ]));
    assert.equal(await form.locator('#ti-kind').textContent(), 'Sent as JSON.');
    const [json] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'PUT' && r.url().endsWith('/api/v1/targets')),
      form.getByRole('button', { name: 'Import targets' }).click(),
    ]);
    assert.equal(json.headers()['content-type'], 'application/json');
    await page.waitForFunction(() => /^Nothing was imported: 1\.target: /.test(document.getElementById('target-import-msg').textContent));
    assert.equal(await msg.textContent(), 'Nothing was imported: 1.target: a target must not be negative');
    assert.deepEqual((await stack.api('GET', `/targets?period=${month()}`)).items, [], 'nothing imported');

    // The quarter: none either; then back to the month.
    await page.getByRole('radio', { name: 'Quarter' }).check();
    const quarter = `${new Date().getUTCFullYear()}-Q${Math.floor(new Date().getUTCMonth() / 3) + 1}`;
    await page.waitForFunction((q) => window.bullpenManage.state().targetsPeriod === q, quarter);
    assert.match(await page.locator('#targets-empty').textContent(), /^No target for Q[1-4] \d{4} yet\.$/);
    await page.getByRole('radio', { name: 'Month' }).check();
    await page.waitForFunction((m) => window.bullpenManage.state().targetsPeriod === m, month());
  });

  await t.test('console: the fixed file, chosen from disk, is imported and listed with attainment', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bullpen-targets-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'targets.csv');
    await writeFile(file, csv(8000));
    const form = page.getByRole('form', { name: 'Import targets' });
    await form.getByLabel('Choose a file').setInputFiles(file);
    await page.waitForFunction(() => document.getElementById('ti-text').value.startsWith('period,'));
    await form.getByRole('button', { name: 'Import targets' }).click();
    await page.locator(`.target-set[data-set="${east}"]`).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#target-import-msg').isVisible(), false, 'the error is gone');
    assert.equal(await form.getByLabel('Or paste the rows').inputValue(), '', 'the form is cleared');

    assert.deepEqual(await listRows(page, east), [
      ['Team total', '$20,000', '$11,000', '55%'],
      ['Ana Ruiz', '$10,000', '$4,000', '40%'],
      ['Chloé Martin', '$8,000', '$6,000', '75%'],
    ]);
    assert.deepEqual(await listRows(page, `${month()}|deals|west`), [
      ['Team total', '4', '1', '25%'],
      ['Dev Patel', '4', '1', '25%'],
    ]);
    assert.match(await page.locator(`.target-set[data-set="${east}"] h3`).textContent(), /^Team east · Revenue · \w+ \d{4}$/);
    const api = await stack.api('GET', `/targets?period=${month()}&team_id=east`);
    assert.deepEqual(api.items.map((r) => [r.rep_id || '', r.target, r.value, r.pct]),
      [['', 20000, 11000, 55], ['rep-ana', 10000, 4000, 40], ['rep-chloe', 8000, 6000, 75]]);
    assert.ok(api.items.every((r) => r.updated_by === manager.id), 'recorded with the manager\'s token');
    await page.waitForFunction(() => !document.querySelector('.toast'), null, { timeout: 15_000 });
    await page.screenshot({ path: path.join(shots, 'manage-targets.png') });
  });

  // Ana's phone: her ring, and the frames of her socket (the attainment messages come there).
  const phone = await openPage(browser, errors, PHONE);
  const frames = [];
  phone.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await phone.goto(`${base}/me#token=${encodeURIComponent(ana.token)}`, { waitUntil: 'domcontentloaded' });

  await t.test('/me: a ring for my target, value of target, percent and pace', async () => {
    const [goal] = await waitForMe(phone, (st) => st.attainment.length === 1 && st.attainment[0].text);
    assert.equal(goal.period, month());
    assert.equal(goal.metric, 'revenue');
    assert.deepEqual([goal.value, goal.target, goal.pct], [4000, 10000, 40]);
    assert.equal(goal.text[0], '40%');
    assert.match(goal.text[1], /^Revenue · \w+ \d{4}$/);
    assert.equal(goal.text[2], '$4,000 of $10,000');
    assert.match(goal.text[3], /^On pace for \$[\d,.]+$/);
    assert.match(goal.text[4], /^\$[\d,.]+ a day to reach it$/);
    assert.ok(goal.projected >= 4000, `projected ${goal.projected}`);
    assert.ok(await phone.getByRole('heading', { name: 'My targets' }).isVisible());
    const dash = await phone.locator('#goal-list .ring-fill').getAttribute('stroke-dasharray');
    const [filled, whole] = dash.split(' ').map(Number);
    assert.ok(Math.abs(filled / whole - 0.4) < 0.001, `the ring is 40 % full: ${dash}`);
  });

  await t.test('/me: a rep with no target sees no targets section at all', async () => {
    const other = await openPage(browser, errors, PHONE);
    await other.goto(`${base}/me#token=${encodeURIComponent(gus.token)}`, { waitUntil: 'domcontentloaded' });
    await other.locator('#rep-name', { hasText: GUS.name }).waitFor({ timeout: 15_000 });
    await other.waitForFunction(() => window.bullpenMe.connected(), null, { timeout: 15_000 });
    assert.deepEqual((await meState(other)).attainment, []);
    assert.equal(await other.locator('#goals').isVisible(), false);
    assert.equal(await other.locator('.ring').count(), 0);
    await other.close();
  });

  // The wall: paired from the console, the contest first, then team east's revenue set.
  let pairingLink = '';
  await t.test('console: a display\'s pairing link names the teams whose targets it shows', async () => {
    await nav.getByRole('link', { name: /Tokens/ }).click();
    const form = page.getByRole('form', { name: 'Mint a token' });
    await form.getByRole('radio', { name: 'Wall display' }).check();
    await form.getByLabel('Name').fill('Targets wall');
    await form.getByRole('button', { name: 'Mint token' }).click();
    const minted = page.getByRole('region', { name: /New display token/ });
    await minted.waitFor();
    await minted.getByLabel('Teams\' targets to show').fill('east');
    pairingLink = await minted.getByRole('textbox', { name: 'Pairing link' }).inputValue();
    assert.match(pairingLink, new RegExp(`^${base}/display#token=[^&]+&contests=${contest.id}&boards=targets:east$`));
  });
  const wallURL = (extra) => pairingLink + extra;
  const wall = await openPage(browser, errors);
  await wall.goto(wallURL('&seconds=600'), { waitUntil: 'domcontentloaded' });
  const eastSlide = `targets:east|${month()}|revenue`;

  await t.test('display: the targets slide follows the contest, the team on top and its reps by percent', async () => {
    await wall.waitForFunction(() => window.bullpenDisplay && window.bullpenDisplay.connected(), null, { timeout: 20_000 });
    await wall.waitForFunction((id) => window.bullpenDisplay.state().slide === id, contest.id, { timeout: 10_000 });
    // The contest's name comes from the API, the set from the team's channel: both in a moment.
    await wall.waitForFunction(() => [...document.querySelectorAll('#slides button')].map((b) => b.textContent).join('|')
      === 'Revenue sprint|east · Revenue', null, { timeout: 15_000 });
    await wall.keyboard.press('ArrowRight');
    const s = await waitForWall(wall, (st, key) => st.slide === key && st.targetRows && st.targetRows.reps.length === 2, eastSlide);
    assert.equal(s.current, null, 'no contest on screen');
    assert.deepEqual(s.targetRows, {
      team: { label: 'Team east', pct: '55%', of: '$11,000 of $20,000' },
      reps: [
        { rank: '1', name: CHLOE.name, pct: '75%', of: '$6,000 of $8,000' },
        { rank: '2', name: ANA.name, pct: '40%', of: '$4,000 of $10,000' },
      ],
    });
    assert.match(await wall.locator('#contest-name').textContent(), /^Team east · \w+ \d{4}$/);
    assert.equal(await wall.locator('#metric').textContent(), 'Revenue · % of target');
    assert.equal(await wall.locator('#time-left-label').textContent(), 'Month ends in');
    assert.equal(await wall.locator('#board').isVisible(), false);

    // The console's list of displays says what the wall shows.
    await nav.getByRole('link', { name: /Displays/ }).click();
    const row = page.locator('#display-rows tr', { hasText: 'Targets wall' });
    await waitFor(async () => {
      await page.evaluate(() => window.bullpenManage.refresh());
      return (await row.count()) === 1 && /Targets of team east/.test(await row.textContent());
    }, 20_000, 'the display and its targets in the console');
    await nav.getByRole('link', { name: /Targets/ }).click();
  });

  await t.test('a deal moves the display\'s slide and the /me ring live', async () => {
    const before = frames.length;
    await stack.postEvents([dealWon(ANA, 5000)]);
    const s = await waitForWall(wall, (st) => st.targetRows && st.targetRows.reps[0].pct === '90%', null, 30_000);
    assert.deepEqual(s.targetRows, {
      team: { label: 'Team east', pct: '80%', of: '$16,000 of $20,000' },
      reps: [
        { rank: '1', name: ANA.name, pct: '90%', of: '$9,000 of $10,000' },
        { rank: '2', name: CHLOE.name, pct: '75%', of: '$6,000 of $8,000' },
      ],
    });
    const [goal] = await waitForMe(phone, (st) => st.attainment.length === 1 && st.attainment[0].pct === 90, 30_000);
    assert.equal(goal.text[2], '$9,000 of $10,000');
    const msgs = frames.slice(before).flatMap((f) => f.split('\n')).map((l) => JSON.parse(l)).filter((m) => m.type === 'attainment');
    assert.ok(msgs.some((m) => m.channel === `rep:${ANA.rep_id}` && m.data.value === 9000 && m.data.pct === 90),
      `an attainment message on Ana's channel: ${JSON.stringify(msgs)}`);
    await wall.waitForTimeout(1000); // the bars' transition
    await wall.screenshot({ path: path.join(shots, 'display-targets.png') });
    await phone.locator('#goals').screenshot({ path: path.join(shots, 'me-targets.png') });
  });

  await t.test('display: amounts=hide keeps money off the slide; the slide rotates with the contest', async () => {
    const hidden = await openPage(browser, errors);
    await hidden.goto(wallURL('&amounts=hide&seconds=5'), { waitUntil: 'domcontentloaded' });
    const s = await waitForWall(hidden, (st, key) => st.slide === key && st.targetRows && st.targetRows.reps.length === 2, eastSlide, 20_000);
    assert.deepEqual(s.targetRows.reps.map((r) => [r.name, r.pct]), [[ANA.name, '90%'], [CHLOE.name, '75%']]);
    assert.equal(await hidden.locator('#targets').evaluate((el) => el.innerText.includes('$')), false, 'no money on the slide');
    assert.equal(await hidden.locator('#resets').evaluate((el) => el.innerText.includes('$')), false, 'nor beside the clock');
    await waitForWall(hidden, (st, id) => st.slide === id, contest.id, 15_000);
    await hidden.close();
  });

  await t.test('console: deleting a target removes it, from the list and from the wall', async () => {
    await nav.getByRole('link', { name: /Targets/ }).click();
    await page.locator('#targets-refresh').click();
    await page.waitForFunction(() => window.bullpenManage.state().targets.some((r) => r.rep_id === 'rep-ana' && r.pct === 90), null, { timeout: 10_000 });
    await page.getByRole('button', { name: new RegExp(`^Delete the target of ${CHLOE.name}`) }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.waitForFunction(() => !window.bullpenManage.state().targets.some((r) => r.rep_id === 'rep-chloe'), null, { timeout: 10_000 });
    assert.deepEqual(await listRows(page, east), [
      ['Team total', '$20,000', '$16,000', '80%'],
      ['Ana Ruiz', '$10,000', '$9,000', '90%'],
    ]);
    const api = await stack.api('GET', `/targets?period=${month()}&team_id=east`);
    assert.deepEqual(api.items.map((r) => r.rep_id || ''), ['', 'rep-ana']);
    const s = await waitForWall(wall, (st) => st.targetRows && st.targetRows.reps.length === 1, null, 30_000);
    assert.deepEqual(s.targetRows.reps, [{ rank: '1', name: ANA.name, pct: '90%', of: '$9,000 of $10,000' }]);

    // A whole set: west's deals.
    await page.getByRole('button', { name: /^Delete the set Team west · Deals/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.waitForFunction(() => !window.bullpenManage.state().targets.some((r) => r.team_id === 'west'), null, { timeout: 10_000 });
    assert.deepEqual((await stack.api('GET', `/targets?period=${month()}&team_id=west`)).items, []);
  });

  await t.test('display: a set whose last target is deleted leaves the wall at once', async () => {
    const seq = (await wall.evaluate(() => window.bullpenDisplay.state())).seq['targets:east'];
    for (const rep of ['&rep_id=rep-ana', '']) await stack.api('DELETE', `/targets?period=${month()}&metric=revenue&team_id=east${rep}`);
    // Told on the team's channel (its seq moves: no snapshot, no reconnect), within seconds.
    const s = await waitForWall(wall, (st, n) => st.seq['targets:east'] > n && st.targets.east.boards.length === 0, seq, 5_000);
    assert.equal(s.slide === eastSlide, false, 'the set\'s slide is not on screen');
    await wall.waitForFunction(() => [...document.querySelectorAll('#slides button')].map((b) => b.textContent).join('|')
      === 'Revenue sprint', null, { timeout: 5_000 });
  });

  assert.deepEqual(errors.filter((e) => !expected(e)), []);
});
